import type { Person } from '../../paddock';
import type { ProjectsService } from '../../core/projects';
import type { ExecIo, SessionManager } from '../../core/sessions';
import type { ExecOutput } from '../../../shared/contract';
import { detectAgents } from '../../core/agents';
import type { OperatorService } from '../../core/operator';
import type { Handlers } from '../router';

type SessionCalls =
  | 'project.add'
  | 'project.list'
  | 'project.remove'
  | 'agents.detect'
  | 'session.start'
  | 'session.list'
  | 'session.get'
  | 'session.screen'
  | 'session.queue'
  | 'session.input'
  | 'session.resize'
  | 'session.pause'
  | 'session.resume'
  | 'session.stop'
  | 'session.discard'
  | 'session.diff'
  | 'sessions.gc'
  | 'session.export'
  | 'session.restart'
  | 'session.exec'
  | 'exec.run';

export function sessionHandlers(
  projects: ProjectsService,
  sessions: SessionManager,
  person: Person,
  /** A live operator run's session is paused, resumed and stopped through its run. */
  operator?: Pick<OperatorService, 'has' | 'pause' | 'resume' | 'stop'>,
): Pick<Handlers, SessionCalls> {
  const viaOperator = async (id: string, act: 'pause' | 'resume' | 'stop') => {
    if (!operator?.has(id)) return null;
    await operator[act](id, person);
    return sessions.get(id);
  };
  return {
    'project.add': ({ path }) => projects.add(path, person),
    'project.list': () => projects.list(),
    'project.remove': ({ path }) => projects.remove(path, person),
    'agents.detect': () => detectAgents(process.env, { presets: sessions.presets() }),
    'session.start': (request) => sessions.start(request, person),
    'session.list': () => sessions.list(),
    'session.get': ({ id }) => sessions.get(id),
    'session.screen': ({ id }) => sessions.screen(id),
    'session.queue': ({ id, text }) => sessions.queue(id, text, person),
    'session.input': ({ id, data }) => {
      sessions.write(id, data);
      return null;
    },
    'session.resize': ({ id, cols, rows }) => {
      sessions.resize(id, cols, rows);
      return null;
    },
    'session.pause': async ({ id }) =>
      (await viaOperator(id, 'pause')) ?? sessions.pause(id, person),
    'session.resume': async ({ id }) =>
      (await viaOperator(id, 'resume')) ?? sessions.resume(id, person),
    'session.stop': async ({ id }) => (await viaOperator(id, 'stop')) ?? sessions.stop(id, person),
    'session.discard': ({ id }) => sessions.discard(id, person),
    'session.diff': ({ id }) => sessions.diff(id),
    'sessions.gc': () => sessions.gc(person),
    'session.export': ({ id }) => sessions.exportAsciicast(id),
    'session.restart': ({ id }) => sessions.restart(id, person),
    'session.exec': ({ id, argv }) => captured((io) => sessions.execIn(id, argv, io, person)),
    'exec.run': async ({ project, argv, keep, unsandboxed }) => {
      let ran = { sessionId: '', workspace: '' };
      const output = await captured(async (io) => {
        const result = await sessions.exec({ project, argv, keep, unsandboxed }, io, person);
        ran = { sessionId: result.session.id, workspace: result.workspace };
        return result;
      });
      return { ...output, ...ran };
    },
  };
}

/** Runs a command with its output kept for the answer. */
async function captured(run: (io: ExecIo) => Promise<{ exitCode: number }>): Promise<ExecOutput> {
  const stdout = new CappedBuffer();
  const stderr = new CappedBuffer();
  const { exitCode } = await run({ stdout: (c) => stdout.add(c), stderr: (c) => stderr.add(c) });
  return {
    exitCode,
    stdout: stdout.text(),
    stderr: stderr.text(),
    truncated: stdout.truncated || stderr.truncated,
  };
}

const EXEC_OUTPUT_CAP = 4 * 1024 * 1024;

/** Keeps the first 4 MiB of a stream: a call's answer has to fit in a frame of memory. */
class CappedBuffer {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  truncated = false;

  add(chunk: Buffer): void {
    const room = EXEC_OUTPUT_CAP - this.size;
    if (chunk.length > room) this.truncated = true;
    const kept = chunk.subarray(0, Math.max(room, 0));
    this.chunks.push(kept);
    this.size += kept.length;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}
