/**
 * The remote operator's cost per step beyond the model's and the host's own time, through the
 * product's path (OperatorService, as `operator.start` runs it): the prompt, the policy's decision,
 * the SSH round trip (loopback, to a real OpenSSH server, on the one pooled connection), the audit
 * events (each commit a full sync), the session's record, and the run's projection published as
 * `operator.changed`. The model answers at once from a script; the host runs `echo`, whose own
 * time is nothing beside the round trip. Step i runs from model call i to model call i+1, with the
 * model's time taken out. Target: at most 20 ms at the median. For scale, the same connection's
 * bare round trip (`true`, nothing recorded) is measured too.
 *
 * Keys are kept in an in-memory keychain: the private key is read once, at connect, never per
 * step, and libsecret's one connection per process belongs to the vault benchmark.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ApprovalService } from '../src/main/core/approvals';
import { OperatorService, type ModelProvider, type ModelReply } from '../src/main/core/operator';
import { ready } from '../src/main/core/policy';
import type { SessionManager } from '../src/main/core/sessions';
import { SshService } from '../src/main/core/ssh';
import { VaultService } from '../src/main/core/vault';
import { testSessions } from '../src/test-support/sessions';
import { memoryKeychain } from '../src/test-support/memory-keychain';
import { startSshd } from '../src/test-support/sshd';
import { type BenchResult, percentile, progress, withTempDir } from './lib';

const STEPS = 100;
const KEYSTROKES = 200;
/** Wide enough that the keystrokes never wrap the line (a wrap redraws it: no plain echo). */
const TAKEOVER_SIZE = { cols: 400, rows: 40 };
const HOST = 'staging';
const person = { actor: 'person' as const, actorId: 'bench' };
const POLICY = `version: 1
permissions:
  deny: [Bash(rm:*)]
ssh:
  allow: ['Ssh(${HOST}:echo *)']
`;

export async function run(): Promise<BenchResult[]> {
  await ready();
  const sshd = await startSshd();
  try {
    return await withTempDir((dir) => measure(dir, sshd));
  } finally {
    await sshd.stop();
  }
}

type Sshd = Awaited<ReturnType<typeof startSshd>>;

async function measure(dir: string, sshd: Sshd): Promise<BenchResult[]> {
  const { store, settings, sessions, close } = testSessions({
    home: join(dir, 'home'),
    presets: [],
  });
  const vault = new VaultService(store, settings, memoryKeychain());
  const ssh = new SshService({ store, settings, vault });
  const clock = new Clock();
  const operator = new OperatorService({
    store,
    settings,
    sessions,
    ssh: {
      list: () => ssh.list(),
      exec: (host, command, options) => clock.host(() => ssh.exec(host, command, options)),
      shell: (host, size) => ssh.shell(host, size),
    },
    approvals: new ApprovalService(store, settings),
    broker: { openProviderBroker: () => Promise.reject(new Error('not used')) },
    knownSecrets: async () => [],
    socketDir: () => dir,
    openProvider: async () => ({ ...instantModel(clock), close: async () => undefined }),
  });
  const published: number[] = [];
  operator.onChange(() => published.push(performance.now()));
  try {
    await vault.set('ANTHROPIC_API_KEY', 'sk-ant-bench-not-used', {}, person);
    settings.set('policy.personal', POLICY, person);
    const address = { address: '127.0.0.1', port: sshd.port, user: sshd.user };
    const host = { name: HOST, ...address, fingerprint: sshd.hostKeyFingerprint };
    await ssh.add(host, sshd.clientPrivateKey, person);
    const bare = await bareRoundTrips(ssh);
    progress(`${STEPS} operator steps over SSH to 127.0.0.1:${sshd.port} ...`);
    const started = await operator.start(
      { host: HOST, goal: 'Check the service.', maxSteps: STEPS + 1 },
      person,
    );
    clock.hostMs.splice(0); // the run's start asks the host where it is: not a step
    const ended = await untilEnded(operator, started.id);
    if (ended !== 'finished') throw new Error(`the run ended ${ended}`);
    const stepFigures = figures(clock, bare, published.length);
    progress(`taking a run's host over: ${KEYSTROKES} keystrokes ...`);
    return [...stepFigures, ...(await takeoverFigures(operator, sessions, ssh))];
  } finally {
    await operator.close();
    await ssh.close();
    await close();
  }
}

/**
 * Taking a run's host over, as the Operator screen does: the time to a shell prompt in the
 * session's terminal, then each keystroke's echo from `session.input` to `session.output`
 * (through the session terminal, its recording and the SSH channel), beside the same echo on a
 * bare channel with nothing recorded.
 */
async function takeoverFigures(
  operator: OperatorService,
  sessions: SessionManager,
  ssh: SshService,
): Promise<BenchResult[]> {
  const run = await operator.start({ host: HOST, goal: 'Hold.', maxSteps: 1000 }, person);
  operator.pause(run.id, person);
  const screen = new Screen();
  const off = sessions.onOutput((id, data) => id === run.id && screen.feed(data));
  try {
    const opening = performance.now();
    await operator.takeOver(run.id, TAKEOVER_SIZE, person);
    await screen.prompt();
    const openMs = performance.now() - opening;
    const echoes = await echoTimes((key) => sessions.write(run.id, key), screen);
    const handingBack = performance.now();
    await operator.handBack(run.id, person);
    const handBackMs = performance.now() - handingBack;
    await operator.stop(run.id, person);
    const bare = await bareEchoTimes(ssh);
    return [
      {
        name: 'take-over: to a shell prompt in the session terminal',
        value: openMs,
        unit: 'ms',
        note: 'takeOver() → the prompt drawn; a new SSH channel and login shell',
      },
      {
        name: 'take-over: keystroke echo, median',
        value: percentile(echoes, 50),
        unit: 'ms',
        note: `session.input → session.output through the recording; ${echoes.length} keys, p95 ${percentile(echoes, 95).toFixed(2)} ms`,
      },
      {
        name: 'bare SSH channel: keystroke echo, median',
        value: percentile(bare, 50),
        unit: 'ms',
        note: `nothing recorded; p95 ${percentile(bare, 95).toFixed(2)} ms`,
      },
      {
        name: 'take-over: hand back',
        value: handBackMs,
        unit: 'ms',
        note: 'the shell closed, the run told',
      },
    ];
  } finally {
    off();
  }
}

/** A terminal's output as it comes, and waits for what should show in it. */
class Screen {
  private shown = '';
  private heard = (): void => undefined;

  feed(text: string): void {
    this.shown += text;
    this.heard();
  }

  get length(): number {
    return this.shown.length;
  }

  prompt(): Promise<void> {
    return this.until(() => /[$#] $/.test(this.shown));
  }

  /** `key` echoed after the first `from` characters. */
  echoed(key: string, from: number): Promise<void> {
    return this.until(() => this.shown.length > from && this.shown.endsWith(key));
  }

  private until(done: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      this.heard = () => {
        if (done()) resolve();
      };
      this.heard();
    });
  }
}

/** Types KEYSTROKES letters one at a time, each after the last one's echo. */
async function echoTimes(type: (key: string) => void, screen: Screen): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < KEYSTROKES; i++) {
    const key = String.fromCharCode(97 + (i % 26));
    const from = screen.length;
    const started = performance.now();
    type(key);
    await screen.echoed(key, from);
    times.push(performance.now() - started);
  }
  type('\u0015'); // Ctrl-U: the line typed is dropped, nothing runs
  return times;
}

async function bareEchoTimes(ssh: SshService): Promise<number[]> {
  const channel = await ssh.shell(HOST, TAKEOVER_SIZE);
  const screen = new Screen();
  channel.on('data', (chunk: Buffer) => screen.feed(chunk.toString()));
  try {
    await screen.prompt();
    return await echoTimes((key) => channel.write(key), screen);
  } finally {
    channel.close();
  }
}

async function bareRoundTrips(ssh: SshService): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < 50; i++)
    times.push(
      (await ssh.exec(HOST, 'true', { timeoutMs: 10_000, maxOutputBytes: 1024 })).durationMs,
    );
  return times;
}

async function untilEnded(operator: OperatorService, id: string): Promise<string> {
  for (;;) {
    const { status } = operator.get(id);
    if (!['starting', 'running', 'paused', 'waiting'].includes(status)) return status;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Marks each model call, and sums the model's and the host's own time. */
class Clock {
  readonly marks: number[] = [];
  readonly modelAt: number[] = [];
  readonly hostMs: number[] = [];
  private modelMs = 0;

  async model<T>(work: () => Promise<T>): Promise<T> {
    this.marks.push(performance.now());
    this.modelAt.push(this.modelMs);
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.modelMs += performance.now() - started;
    }
  }

  async host<T>(work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.hostMs.push(performance.now() - started);
    }
  }

  /** Each step's time without the model's. */
  steps(): number[] {
    return this.marks
      .slice(1)
      .map(
        (mark, i) =>
          mark -
          (this.marks[i] as number) -
          ((this.modelAt[i + 1] as number) - (this.modelAt[i] as number)),
      );
  }
}

function instantModel(clock: Clock): ModelProvider {
  let calls = 0;
  return {
    name: 'instant',
    model: 'instant',
    complete: (request) =>
      clock.model(async () => {
        calls += 1;
        return calls > STEPS
          ? reply('finish', { summary: 'done' })
          : reply('run_command', {
              thought: `check the service, step ${calls} (${request.prompt.length} characters shown)`,
              command: `echo app-${calls} active`,
            });
      }),
  };
}

function reply(name: string, input: Record<string, string>): ModelReply {
  return { calls: [{ name, input }], text: '', stopReason: 'tool_use', usage: null };
}

function figures(clock: Clock, bare: number[], published: number): BenchResult[] {
  const steps = clock.steps();
  const ssh = clock.hostMs;
  const own = steps.map((ms, i) => ms - (ssh[i] ?? 0));
  const on = `${steps.length} steps, loopback sshd, ${published} operator.changed published`;
  return [
    {
      name: 'per-step overhead, median',
      value: percentile(steps, 50),
      unit: 'ms',
      note: `target ≤ 20; policy + SSH round trip + recording; ${on}`,
    },
    { name: 'per-step overhead, p95', value: percentile(steps, 95), unit: 'ms', note: on },
    {
      name: 'of which the SSH command (round trip, login shell, echo), median',
      value: percentile(ssh, 50),
      unit: 'ms',
      note: `one pooled connection; p95 ${percentile(ssh, 95).toFixed(2)} ms`,
    },
    {
      name: 'of which Paddock (prompt, policy, events, session, projection), median',
      value: percentile(own, 50),
      unit: 'ms',
      note: `p95 ${percentile(own, 95).toFixed(2)} ms`,
    },
    {
      name: 'bare SSH round trip (`true`, nothing recorded), median',
      value: percentile(bare, 50),
      unit: 'ms',
      note: `${bare.length} commands; p95 ${percentile(bare, 95).toFixed(2)} ms`,
    },
  ];
}
