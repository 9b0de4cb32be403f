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
  | 'sessions.gc';

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
  };
}
