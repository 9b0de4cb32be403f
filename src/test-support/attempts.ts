/**
 * An attack (or any script) run the two ways an agent's code runs in Paddock, for the red-team
 * suites: through `paddock exec`'s path (a one-shot session with pipes) and as a session's agent in
 * its pseudo-terminal. Each script first prints SANDBOX-UP, so a case can tell that its sandbox
 * started at all. For tests only.
 */
import type { AgentPreset } from '../main/core/agents';
import type { SessionManager } from '../main/core/sessions';
import type { AuditStore } from '../main/core/store';
import { shellPreset } from './fixtures/shell-preset';

export interface Attempt {
  exitCode: number;
  output: string;
  /** '' when the one-shot session could not start. */
  sessionId: string;
}

export interface SessionAttempt extends Attempt {
  state: string;
  reason: string;
}

export interface AttemptContext {
  sessions: SessionManager;
  store: AuditStore;
  project: string;
  /** The test's custom presets (the session manager reads them): each attempt adds one. */
  presets: AgentPreset[];
  person: { actor: 'person'; actorId: string };
}

export function attempts(context: () => AttemptContext) {
  /** Through `paddock exec`: a one-shot session, with pipes. */
  const viaExec = async (script: string): Promise<Attempt> => {
    const { sessions, project, person } = context();
    let output = '';
    const collect = (chunk: Buffer) => void (output += chunk.toString());
    const result = await sessions
      .exec(
        { project, argv: ['/bin/sh', '-c', `echo SANDBOX-UP; ${script}`] },
        { stdout: collect, stderr: collect },
        person,
      )
      .catch((error: Error) => ({ exitCode: -1, error }));
    if ('error' in result)
      return { exitCode: -1, output: output + result.error.message, sessionId: '' };
    return { exitCode: result.exitCode, output, sessionId: result.session.id };
  };

  /** Through a session: the agent is a shell running the script, in its pseudo-terminal. */
  const viaSession = async (script: string): Promise<SessionAttempt> => {
    const { sessions, store, project, presets, person } = context();
    const preset = shellPreset(`attempt-${presets.length}`, `echo SANDBOX-UP; ${script}`);
    presets.push(preset);
    const started = await sessions.start({ project, preset: preset.id }, person);
    const ended = await sessions.waitForExit(started.id, 30_000);
    const output = store
      .list({ sessionId: started.id, limit: 1000 })
      .filter((event) => event.kind === 'terminal.output')
      .flatMap((event) => event.blobs.map((hash) => store.getBlob(hash)?.toString('utf8') ?? ''))
      .join('');
    return {
      exitCode: ended.exitCode ?? -1,
      output,
      sessionId: started.id,
      state: ended.state,
      reason: ended.reason ?? '',
    };
  };
  return { viaExec, viaSession };
}
