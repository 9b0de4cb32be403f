/**
 * What this machine offers Paddock: the tools sessions, the sandbox and the keychain rely on, and
 * the agent CLIs on PATH. Each check that fails says what to install.
 */
import { execFile } from 'node:child_process';
import type { CheckStatus, DoctorCheck, DoctorReport } from '../../../shared/doctor';
import { detectAgents, type DetectedAgent } from '../agents';
import { bubblewrapBackend, createCgroup } from '../sandbox';
import { keychainProblem, keytarKeychain, type Keychain } from '../vault';

interface Probe {
  id: string;
  title: string;
  required: boolean;
  platforms?: NodeJS.Platform[];
  run: () => Promise<{ status: CheckStatus; detail: string }>;
  fix: string;
}

export interface DoctorOptions {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}

const TIMEOUT_MS = 5000;

export async function runDoctor(options: DoctorOptions = {}): Promise<DoctorReport> {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const probes = allProbes(env).filter((p) => !p.platforms || p.platforms.includes(platform));
  const [checks, agents] = await Promise.all([
    Promise.all(probes.map((probe) => runProbe(probe))),
    detectAgents(env),
  ]);
  checks.push(...agents.filter((agent) => agent.id !== 'shell').map(agentCheck));
  return {
    ok: checks.every((c) => c.status === 'ok' || !c.required),
    platform: `${platform}-${process.arch}`,
    checks,
  };
}

/** An agent CLI is optional: Paddock works with whichever are installed. */
function agentCheck(agent: DetectedAgent): DoctorCheck {
  const base = {
    id: `agent:${agent.id}`,
    title: `${agent.name} (\`${agent.program}\`)`,
    required: false,
  };
  if (!agent.installed)
    return {
      ...base,
      status: 'missing',
      detail: `${agent.program} not found`,
      fix: `Optional. Install it to run ${agent.name} sessions: ${agent.install}`,
    };
  return {
    ...base,
    status: 'ok',
    detail: agent.version ?? agent.versionProblem ?? agent.path ?? 'installed',
  };
}

async function runProbe(probe: Probe): Promise<DoctorCheck> {
  const { id, title, required, fix } = probe;
  try {
    const { status, detail } = await probe.run();
    return { id, title, required, status, detail, ...(status === 'ok' ? {} : { fix }) };
  } catch (error) {
    return {
      id,
      title,
      required,
      status: 'missing',
      detail: firstLine((error as Error).message),
      fix,
    };
  }
}

function allProbes(env: NodeJS.ProcessEnv): Probe[] {
  const run = (file: string, args: string[]) => command(file, args, env);
  return [
    {
      id: 'node',
      title: 'Node.js 20.19 or newer',
      required: true,
      run: async () => {
        const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
        const ok = major > 20 || (major === 20 && minor >= 19);
        return { status: ok ? 'ok' : 'missing', detail: `v${process.versions.node}` };
      },
      fix: 'Install Node.js 20.19+ (https://nodejs.org or your package manager).',
    },
    {
      id: 'git',
      title: 'git (workspaces, diffs, promotion)',
      required: true,
      run: async () => ({ status: 'ok', detail: await run('git', ['--version']) }),
      fix: 'Install git: `sudo apt-get install git` (Debian/Ubuntu), `xcode-select --install` (macOS).',
    },
    {
      id: 'bubblewrap',
      title: 'bubblewrap sandbox (Linux)',
      required: true,
      platforms: ['linux'],
      // The very check a session makes before it starts: bwrap and socat, and a sandbox.
      run: async () => {
        const problem = await bubblewrapBackend().problem();
        if (problem) return { status: 'missing', detail: problem };
        return { status: 'ok', detail: await run('bwrap', ['--version']) };
      },
      fix: 'Sessions do not start without it. Run scripts/install-system-deps.sh, or install bubblewrap and socat; if bwrap is installed but fails, allow unprivileged user namespaces (`sudo sysctl kernel.unprivileged_userns_clone=1`, or `kernel.apparmor_restrict_unprivileged_userns=0` on Ubuntu 24.04+).',
    },
    {
      id: 'sandbox-limits',
      title: 'Sandbox limits: memory and processes of a whole session (cgroups)',
      required: false,
      platforms: ['linux'],
      run: async () => {
        const probe = createCgroup(`doctor-${process.pid}`, { processes: 16, memoryMiB: 64 });
        await probe?.remove();
        return probe
          ? {
              status: 'ok',
              detail: 'Paddock can make control groups: memory and process limits hold',
            }
          : {
              status: 'warn',
              detail:
                'no writable cgroups: per-process limits (rlimits) and the disk watch hold; a session’s total memory is not limited',
            };
      },
      fix: 'Optional. Run Paddock where it may create cgroups (root, or a systemd user slice with delegation: `systemd-run --user --scope -p Delegate=yes paddock ...`).',
    },
    {
      id: 'seatbelt',
      title: 'Seatbelt sandbox (macOS)',
      required: true,
      platforms: ['darwin'],
      run: async () => {
        await run('/usr/bin/sandbox-exec', ['-p', '(version 1)(allow default)', '/usr/bin/true']);
        return { status: 'ok', detail: '/usr/bin/sandbox-exec' };
      },
      fix: 'sandbox-exec ships with macOS; if it is missing, the system is damaged or restricted by a management profile.',
    },
    {
      id: 'secret-service',
      title: 'Secret Service keychain on D-Bus (Linux)',
      required: true,
      platforms: ['linux'],
      run: async () => secretServiceStatus(env, run),
      fix: 'Install and unlock a Secret Service: `sudo apt-get install gnome-keyring dbus-x11` and log in to a desktop session (KeePassXC with Secret Service integration also works); on a headless machine, start Paddock under `dbus-run-session` with `gnome-keyring-daemon --unlock --components=secrets`.',
    },
    ...[['rg', 'ripgrep', 'ripgrep (file search inside the sandbox)']].map(
      ([tool = '', pkg = '', title = '']): Probe => ({
        id: tool,
        title,
        required: false,
        platforms: ['linux'],
        run: async () => ({ status: 'ok', detail: firstLine(await run(tool, ['-V'])) }),
        fix: `Install it: \`sudo apt-get install ${pkg}\`.`,
      }),
    ),
    {
      id: 'chromium',
      title: 'Chromium (browser mode and end-to-end tests)',
      required: false,
      run: async () => ({
        status: 'ok',
        detail: await firstAvailable(['chromium', 'chromium-browser', 'google-chrome'], run),
      }),
      fix: 'Optional. Install it for browser mode: `sudo apt-get install chromium`.',
    },
  ];
}

async function secretServiceStatus(
  env: NodeJS.ProcessEnv,
  run: (file: string, args: string[]) => Promise<string>,
) {
  if (!env.DBUS_SESSION_BUS_ADDRESS) {
    return {
      status: 'missing' as const,
      detail: 'no D-Bus session (DBUS_SESSION_BUS_ADDRESS is not set)',
    };
  }
  const ask = (method: string) =>
    run('dbus-send', [
      '--session',
      '--dest=org.freedesktop.DBus',
      '--type=method_call',
      '--print-reply',
      '/org/freedesktop/DBus',
      `org.freedesktop.DBus.${method}`,
    ]);
  const [running, activatable] = await Promise.all([ask('ListNames'), ask('ListActivatableNames')]);
  const name = running.includes('"org.freedesktop.secrets"')
    ? 'org.freedesktop.secrets is running'
    : activatable.includes('"org.freedesktop.secrets"')
      ? 'org.freedesktop.secrets starts on demand'
      : null;
  if (!name)
    return {
      status: 'missing' as const,
      detail: 'nothing provides org.freedesktop.secrets on the session bus',
    };
  // A name on the bus says nothing of a locked or broken keychain: ask it as the vault does. keytar
  // (libsecret) connects to this process's session bus, so it can only vouch for that one.
  if (env.DBUS_SESSION_BUS_ADDRESS !== process.env.DBUS_SESSION_BUS_ADDRESS)
    return {
      status: 'warn' as const,
      detail: `${name}; not asked to store a test item: the keychain module talks to this process's session bus, not ${env.DBUS_SESSION_BUS_ADDRESS}`,
    };
  const problem = await keychainProblem(withinDeadline(Date.now() + TIMEOUT_MS));
  if (problem) return { status: 'missing' as const, detail: problem };
  return {
    status: 'ok' as const,
    detail: `${name}; a test item was stored, read back and deleted`,
  };
}

/** The vault's keychain, each call given what is left of one deadline: the whole probe is bounded. */
function withinDeadline(deadline: number): Keychain {
  const keychain = () => keytarKeychain({ timeoutMs: Math.max(1, deadline - Date.now()) });
  return {
    get: (account) => keychain().get(account),
    set: (account, value) => keychain().set(account, value),
    delete: (account) => keychain().delete(account),
  };
}

async function firstAvailable(
  bins: string[],
  run: (file: string, args: string[]) => Promise<string>,
): Promise<string> {
  for (const bin of bins) {
    try {
      return firstLine(await run(bin, ['--version']));
    } catch {
      // try the next name
    }
  }
  throw new Error(`none of ${bins.join(', ')} found on PATH`);
}

function command(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { env, timeout: TIMEOUT_MS, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error) {
          const reason =
            (error as NodeJS.ErrnoException).code === 'ENOENT'
              ? `${file} not found on PATH`
              : stderr.trim() || error.message;
          reject(new Error(reason));
        } else resolve((stdout || stderr).trim());
      },
    );
  });
}

function firstLine(text: string): string {
  return text.split('\n')[0]?.trim() ?? '';
}
