/**
 * OperatorService against real parts: a real OpenSSH server (test-support/sshd.ts), the store and
 * the session records on disk, the inbox; the model is a script handed in (the broker path is
 * covered by operator.test.ts and the CLI's end-to-end test). Keys sit in an in-memory keychain.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { OperatorChange } from '../../../shared/operator';
import { testSessions } from '../../../test-support/sessions';
import { memoryKeychain } from '../../../test-support/memory-keychain';
import { startSshd, type TestSshd } from '../../../test-support/sshd';
import { tempDir } from '../../../test-support/temp';
import { ApprovalService } from '../approvals';
import { ready } from '../policy';
import { SshService } from '../ssh';
import { VaultService } from '../vault';
import type { ModelProvider, ModelRequest } from './providers';
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

async function setup(options: { pin?: boolean; secret?: boolean } = {}) {
  const parts = testSessions({ home: tempDir(), presets: [] });
  const { store, settings, sessions } = parts;
  const vault = new VaultService(store, settings, memoryKeychain());
  const ssh = new SshService({ store, settings, vault });
  const prompts: ModelRequest[] = [];
  const operator = new OperatorService({
    store,
    settings,
    sessions,
    ssh,
    approvals: new ApprovalService(store, settings),
    broker: { openProviderBroker: () => Promise.reject(new Error('not used')) },
    knownSecrets: async () => [],
    socketDir: () => tempDir(),
    openProvider: async () => ({ ...echoModel(prompts), close: async () => undefined }),
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
  return { ...parts, operator, prompts, changes };
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
});
