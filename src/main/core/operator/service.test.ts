/**
 * OperatorService against real parts: a real OpenSSH server (test-support/sshd.ts), the store and
 * the session records on disk, the inbox; the model is a script handed in (the broker path is
 * covered by operator.test.ts and the CLI's end-to-end test). Keys sit in an in-memory keychain.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { OperatorChange } from '../../../shared/operator';
import { castEvents, castText } from '../../../test-support/cast';
import { testSessions } from '../../../test-support/sessions';
import { memoryKeychain } from '../../../test-support/memory-keychain';
import { startSshd, type TestSshd } from '../../../test-support/sshd';
import { tempDir } from '../../../test-support/temp';
import { ApprovalService } from '../approvals';
import { ready } from '../policy';
import { SshService } from '../ssh';
import { VaultService } from '../vault';
import type { ModelProvider, ModelReply, ModelRequest } from './providers';
import { exportAsciicast } from '../recorder';
import { OperatorService } from './service';

const ada = { actor: 'person' as const, actorId: 'ada' };
let sshd: TestSshd;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  await ready();
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

/** A model that runs `echo step-N` each turn, remembering what it was shown. */
function echoModel(prompts: ModelRequest[]): ModelProvider {
  return {
    name: 'script',
    model: 'script-1',
    complete: async (request) => {
      prompts.push(request);
      const command = `echo step-${prompts.length}`;
      return {
        calls: [{ name: 'run_command', input: { thought: 'Look again.', command } }],
        text: '',
        stopReason: 'tool_use',
        usage: null,
      };
    },
  };
}

async function setup(options: { pin?: boolean; secret?: boolean; model?: ModelProvider } = {}) {
  // The vault is made on the sessions' store: its values are read once it is there.
  const values = async () => [...(await vault.values())].map(([name, value]) => ({ name, value }));
  const home = tempDir();
  const parts = testSessions({ home, presets: [], knownSecrets: values });
  const { store, settings, sessions } = parts;
  const vault = new VaultService(store, settings, memoryKeychain());
  const approvals = new ApprovalService(store, settings);
  const ssh = new SshService({ store, settings, vault });
  const prompts: ModelRequest[] = [];
  const operator = new OperatorService({
    store,
    settings,
    sessions,
    ssh,
    approvals,
    broker: { openProviderBroker: () => Promise.reject(new Error('not used')) },
    knownSecrets: values,
    socketDir: () => tempDir(),
    openProvider: async () => ({
      ...(options.model ?? echoModel(prompts)),
      close: async () => undefined,
    }),
  });
  cleanups.push(async () => {
    await operator.close();
    await ssh.close();
    await parts.close();
  });
  if (options.secret !== false) await vault.set('ANTHROPIC_API_KEY', 'sk-ant-test', {}, ada);
  const host = { name: 'staging', address: '127.0.0.1', port: sshd.port, user: sshd.user };
  await ssh.add(
    options.pin === false ? host : { ...host, fingerprint: sshd.hostKeyFingerprint },
    sshd.clientPrivateKey,
    ada,
  );
  const changes: OperatorChange[] = [];
  operator.onChange((change) => changes.push(change));
  return { ...parts, home, vault, approvals, operator, prompts, changes };
}

/** A model that answers each turn with the next of `calls`. */
function scriptedModel(calls: ModelReply['calls']): ModelProvider {
  let turn = 0;
  return {
    name: 'script',
    model: 'script-1',
    complete: async () => ({
      calls: [calls[Math.min(turn++, calls.length - 1)] as ModelReply['calls'][number]],
      text: '',
      stopReason: 'tool_use',
      usage: null,
    }),
  };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((entry) => join(dir, entry))
    .filter((path) => statSync(path).isFile());
}

const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
};

describe('OperatorService', () => {
  it('runs as a session that is paused, given a note, resumed and stopped, and reads back after', async () => {
    const { operator, sessions, store, prompts, changes } = await setup();
    const started = await operator.start({ host: 'staging', goal: 'Watch the service.' }, ada);
    expect(started).toMatchObject({ host: 'staging', model: 'script-1', status: 'running' });
    expect(sessions.get(started.id)).toMatchObject({
      agentPreset: 'operator',
      projectId: '',
      task: 'Watch the service.',
      sandboxProfile: 'ssh:staging',
      workspace: null,
      state: 'running',
    });

    await until(() => changes.some((change) => change.step?.output?.excerpt === 'step-1\n'));
    expect(operator.pause(started.id, ada).status).toBe('paused');
    expect(sessions.get(started.id).state).toBe('paused');
    const asked = prompts.length;
    operator.note(started.id, 'The service is called paddock-demo.', ada);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(prompts.length).toBeLessThanOrEqual(asked + 1);
    operator.resume(started.id, ada);
    expect(sessions.get(started.id).state).toBe('running');
    await until(() => prompts.some((p) => p.prompt.includes('paddock-demo')));

    const stopped = await operator.stop(started.id, ada);
    expect(stopped).toMatchObject({ status: 'stopped', reason: 'stopped by ada' });
    expect(stopped.notes).toEqual(['The service is called paddock-demo.']);
    expect(sessions.get(started.id).state).toBe('stopped');
    const states = store
      .list({ sessionId: started.id, limit: 1000 })
      .map((event) => event.kind)
      .filter((kind) => kind.startsWith('session.'));
    expect(states).toEqual([
      'session.created',
      'session.running',
      'session.paused',
      'session.running',
      'session.stopped',
    ]);
    expect(changes.at(-1)?.run.status).toBe('stopped');
    // Stopped, its recording is closed by the time `stop` answers, the stop drawn last.
    const recorded = store.list({ sessionId: started.id, limit: 1000 }).map((e) => e.kind);
    expect(recorded.filter((kind) => kind === 'terminal.closed')).toHaveLength(1);
    expect(await sessions.exportAsciicast(started.id)).toContain(
      'run ended (stopped): stopped by ada',
    );

    const view = operator.get(started.id);
    expect(view.steps[0]).toMatchObject({
      step: 1,
      thought: 'Look again.',
      command: 'echo step-1',
      decision: { allow: true, actor: 'policy' },
      output: { exitCode: 0, excerpt: 'step-1\n' },
    });
    expect(operator.list().map((run) => [run.id, run.status])).toEqual([[started.id, 'stopped']]);
    await expect(async () => operator.pause(started.id, ada)).rejects.toThrow(/not running/);
  }, 30_000);

  it('lends the host to a person who takes over: the run holds, their shell is recorded, and the model hears of it', async () => {
    const { operator, sessions, store, prompts, changes, home } = await setup();
    const started = await operator.start({ host: 'staging', goal: 'Watch the service.' }, ada);
    await until(() => changes.some((change) => change.step?.output?.excerpt === 'step-1\n'));
    // The run's terminal shows its steps; keys are refused, saying how to take over.
    expect(() => sessions.write(started.id, 'ls\r')).toThrow(
      `takes no keys now: Paddock draws the operator's steps there. To type on the host, take the run over: paddock operator takeover ${started.id}`,
    );
    const shown: string[] = [];
    sessions.onOutput((id, data) => id === started.id && shown.push(data));

    const taken = await operator.takeOver(started.id, { cols: 90, rows: 20 }, ada);
    expect(taken).toMatchObject({ status: 'paused', takenOverBy: 'ada' });
    expect(sessions.get(started.id).state).toBe('paused');
    await expect(operator.takeOver(started.id, { cols: 90, rows: 20 }, ada)).rejects.toThrow(
      /ada has .* host already/,
    );
    expect(() => operator.resume(started.id, ada)).toThrow(
      /ada has the host's terminal: hand it back first/,
    );
    const marker = join(tempDir(), 'typed-by-ada');
    sessions.write(started.id, `stty size; echo typed-$((6*7)); touch ${marker}\r`);
    await until(() => shown.join('').includes('typed-42'));
    expect(shown.join('')).toContain('20 90');
    sessions.resize(started.id, 100, 24);
    sessions.write(started.id, 'stty size\r');
    await until(() => shown.join('').includes('24 100'));
    expect(statSync(marker).isFile()).toBe(true);
    // The model is not asked while the person has the host.
    const asked = prompts.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(prompts.length).toBe(asked);

    const back = await operator.handBack(started.id, ada);
    expect(back).toMatchObject({ status: 'running', takenOverBy: null });
    expect(sessions.get(started.id).state).toBe('running');
    await until(() => prompts.length > asked);
    const told = prompts.at(-1)?.prompt ?? '';
    expect(told).toMatch(/ada took over the host's terminal for \d+ s and handed it back/);
    expect(told).toContain('typed-42');
    await operator.stop(started.id, ada);

    const kinds = store.list({ sessionId: started.id, limit: 10_000 }).map((e) => e.kind);
    expect(kinds).toEqual(
      expect.arrayContaining(['operator.takeover.started', 'operator.takeover.ended']),
    );
    const cast = await sessions.exportAsciicast(started.id);
    // What the person typed is recorded as input, and the terminal's size as they had it.
    expect(castText(cast, 'i')).toContain('echo typed-$((6*7))');
    expect(castEvents(cast)).toContainEqual([expect.any(Number), 'r', '90x20']);
    expect(castEvents(cast)).toContainEqual([expect.any(Number), 'r', '100x24']);
    const output = castText(cast, 'o');
    expect(output).toContain('ada took over the terminal on staging');
    expect(output).toContain('handed back by ada');
    for (const file of filesUnder(home))
      expect(readFileSync(file).includes(Buffer.from('OPENSSH PRIVATE KEY')), file).toBe(false);
  }, 30_000);

  it("hands back when the person's shell exits, and closes it when the run is stopped", async () => {
    const { operator, sessions } = await setup();
    const started = await operator.start({ host: 'staging', goal: 'Watch the service.' }, ada);
    operator.pause(started.id, ada);
    await operator.takeOver(started.id, { cols: 80, rows: 24 }, ada);
    sessions.write(started.id, 'exit\r');
    await until(() => operator.get(started.id).takenOverBy === null);
    // Paused before the take-over, it stays paused after.
    expect(operator.get(started.id).status).toBe('paused');
    expect(sessions.get(started.id).state).toBe('paused');

    await operator.takeOver(started.id, { cols: 80, rows: 24 }, ada);
    const stopped = await operator.stop(started.id, ada);
    expect(stopped).toMatchObject({ status: 'stopped', takenOverBy: null });
    expect(() => sessions.write(started.id, 'ls\r')).toThrow();
  }, 30_000);

  it("fails the run and hangs up the person's shell when the recording fails: nothing goes on unrecorded", async () => {
    const { operator, sessions, prompts } = await setup();
    const started = await operator.start({ host: 'staging', goal: 'Watch the service.' }, ada);
    await until(() => prompts.length >= 1);
    await operator.takeOver(started.id, { cols: 80, rows: 24 }, ada);
    // The recording thread dies, as on a crash of its worker (reached into: nothing else kills it).
    const thread = (sessions as unknown as { thread: { worker: { terminate(): Promise<number> } } })
      .thread;
    await thread.worker.terminate();
    await until(() => operator.get(started.id).status === 'failed');
    expect(operator.get(started.id)).toMatchObject({
      takenOverBy: null,
      reason: expect.stringMatching(/^its recording failed: The recording thread exited/),
    });
    expect(sessions.get(started.id).state).toBe('failed');
    expect(() => sessions.write(started.id, 'ls\r')).toThrow();
  }, 30_000);

  it('refuses to start, recording nothing, without a known and pinned host, a provider or its key', async () => {
    const unpinned = await setup({ pin: false, secret: false });
    const start = (host = 'staging') => unpinned.operator.start({ host, goal: 'x' }, ada);
    await expect(start('nowhere')).rejects.toThrow(/No SSH host "nowhere".*paddock ssh add/);
    await expect(start()).rejects.toThrow(/not pinned.*paddock ssh test staging/);

    const { operator, settings, sessions } = await setup({ secret: false });
    await expect(operator.start({ host: 'staging', goal: 'x' }, ada)).rejects.toThrow(
      /vault secret ANTHROPIC_API_KEY.*paddock secrets set ANTHROPIC_API_KEY/,
    );
    settings.set('operator.defaultModel', { provider: 'local', model: 'llama' }, ada);
    await expect(operator.start({ host: 'staging', goal: 'x' }, ada)).rejects.toThrow(
      /No model provider "local" in the operator.providers setting/,
    );
    expect(sessions.list()).toEqual([]);
    expect(unpinned.sessions.list()).toEqual([]);
  }, 30_000);

  it('records the run as a terminal transcript that replays and exports, redacted and escaped', async () => {
    const SECRET = 'vault-value-0123456789';
    // The host prints the secret; the command itself does not hold it.
    const PRINT = "printf 'vault-%s\\n' value-0123456789";
    const run = (thought: string, command: string) => ({
      name: 'run_command',
      input: { thought, command },
    });
    const { operator, sessions, store, vault, approvals, settings, home } = await setup({
      model: scriptedModel([
        // The model tries to drive the terminal: clear it and retitle the window.
        run('Print the token\x1b[2J\x1b]0;pwned\x07 now.', PRINT),
        run('Keep a log.', 'tee log.txt'),
        run('Make the directory.', 'mkdir -p made'),
        { name: 'finish', input: { summary: 'The directory is made.' } },
      ]),
    });
    await vault.set('DEPLOY_TOKEN', SECRET, {}, ada);
    settings.set(
      'policy.personal',
      'version: 1\nssh:\n  allow:\n    - Ssh(staging:printf:*)\n  ask:\n    - Ssh(staging:mkdir:*)\n  deny:\n    - Ssh(staging:tee:*)\n',
      ada,
    );
    approvals.onChange((request) => {
      // Later, as a person would: the run is waiting on it by then.
      if (request.state === 'pending')
        setTimeout(() => approvals.decide([request.id], { allow: true, scope: 'once' }, ada), 50);
    });

    const started = await operator.start({ host: 'staging', goal: 'Make a directory.' }, ada);
    const kindsOf = () => store.list({ sessionId: started.id, limit: 10_000 }).map((e) => e.kind);
    // The recording is closed once the run's end is drawn, after the session moved.
    await until(() => kindsOf().includes('terminal.closed'));
    expect(sessions.get(started.id).state).toBe('exited');

    const kinds = kindsOf();
    expect(kinds).toContain('terminal.started');
    expect(kinds).toContain('terminal.output');
    expect(kinds.at(-1)).toBe('terminal.closed');
    const cast = exportAsciicast(store, started.id);
    const text = cast
      .split('\n')
      .slice(1)
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as [number, string, string])[2])
      .join('')
      // The transcript's own colours, so the test reads what a person reads.
      // eslint-disable-next-line no-control-regex -- an SGR sequence: ESC [ parameters m
      .replace(/\x1b\[[0-9;]*m/g, '');
    const approvalId = approvals.list({ limit: 10 })[0]?.id ?? 'none';
    const expected = [
      '# operator on staging: Make a directory.\r\n',
      '# step 1: Print the token\\x1b[2J\\x1b]0;pwned\\x07 now.\r\n',
      // Allowed by the policy: the output follows the command at once.
      `$ ${PRINT}\r\n[secret:DEPLOY_TOKEN]\r\n`,
      '[exit 0]\r\n',
      '# step 2: Keep a log.\r\n',
      '$ tee log.txt\r\n',
      '[NOT RUN: denied by Ssh(staging:tee:*)',
      '# step 3: Make the directory.\r\n',
      '$ mkdir -p made\r\n',
      `[held for approval ${approvalId}]\r\n`,
      '[allowed by ada in the inbox]\r\n',
      '[exit 0]\r\n',
      '# finished: The directory is made.\r\n',
    ];
    let at = 0;
    for (const part of expected) {
      const found = text.indexOf(part, at);
      expect(found, `${JSON.stringify(part)} after ${at} in ${text}`).toBeGreaterThanOrEqual(at);
      at = found + part.length;
    }
    // Nothing the model wrote reaches the terminal as an escape: only the transcript's colours.
    // eslint-disable-next-line no-control-regex -- any control character but tab and line ends
    expect(text).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/);
    expect(cast).not.toContain('pwned\\u0007');

    for (const file of filesUnder(home))
      expect(readFileSync(file).includes(Buffer.from(SECRET)), file).toBe(false);
  }, 30_000);
});
