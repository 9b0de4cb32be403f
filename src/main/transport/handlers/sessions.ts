import type { Person } from '../../paddock';
import type { ProjectsService } from '../../core/projects';
import type { SessionManager } from '../../core/sessions';
import { detectAgents } from '../../core/agents';
import type { Handlers } from '../router';

type SessionCalls =
  | 'project.add'
  | 'project.list'
  | 'project.remove'
  | 'agents.detect'
  | 'session.start'
  | 'session.list'
  | 'session.get'
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
  | 'session.exec';

export function sessionHandlers(
  projects: ProjectsService,
  sessions: SessionManager,
  person: Person,
): Pick<Handlers, SessionCalls> {
  return {
    'project.add': ({ path }) => projects.add(path, person),
    'project.list': () => projects.list(),
    'project.remove': ({ path }) => projects.remove(path, person),
    'agents.detect': () => detectAgents(),
    'session.start': (request) => sessions.start(request, person),
    'session.list': () => sessions.list(),
    'session.get': ({ id }) => sessions.get(id),
    'session.input': ({ id, data }) => {
      sessions.write(id, data);
      return null;
    },
    'session.resize': ({ id, cols, rows }) => {
      sessions.resize(id, cols, rows);
      return null;
    },
    'session.pause': ({ id }) => sessions.pause(id, person),
    'session.resume': ({ id }) => sessions.resume(id, person),
    'session.stop': ({ id }) => sessions.stop(id, person),
    'session.discard': ({ id }) => sessions.discard(id, person),
    'session.diff': ({ id }) => sessions.diff(id),
    'sessions.gc': () => sessions.gc(person),
    'session.export': ({ id }) => sessions.exportAsciicast(id),
    'session.restart': ({ id }) => sessions.restart(id, person),
    'session.exec': async ({ id, argv }) => {
      const stdout = new CappedBuffer();
      const stderr = new CappedBuffer();
      const { exitCode } = await sessions.execIn(
        id,
        argv,
        { stdout: (c) => stdout.add(c), stderr: (c) => stderr.add(c) },
        person,
      );
      return {
        exitCode,
        stdout: stdout.text(),
        stderr: stderr.text(),
        truncated: stdout.truncated || stderr.truncated,
      };
    },
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
