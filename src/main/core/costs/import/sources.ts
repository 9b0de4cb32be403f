/**
 * Where transcripts are: the person's own agent directories (work outside Paddock), and each
 * Paddock session's agent home (`<PADDOCK_HOME>/sessions/<id>/home`, the HOME the session's agent
 * ran with), whose usage belongs to that session.
 */
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import type { TranscriptKind } from '../../../../shared/usage-import';

export interface TranscriptSource {
  kind: TranscriptKind;
  /** An absolute directory, read recursively for `*.jsonl` files. */
  dir: string;
  /** The Paddock session whose agent home this is; null for the person's own. */
  sessionId: string | null;
}

const SESSION_ID = /^ses_[0-9a-f]{8}$/;

/** Where an agent keeps its transcripts below a HOME. */
function agentDirs(home: string): Record<TranscriptKind, string> {
  return {
    claude: join(home, '.claude', 'projects'),
    codex: join(home, '.codex', 'sessions'),
  };
}

/**
 * The person's own: `~/.claude/projects` (or `$CLAUDE_CONFIG_DIR/projects`) and `~/.codex/sessions`
 * (or `$CODEX_HOME/sessions`), as the agents themselves find them.
 */
export function personalSources(
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
): TranscriptSource[] {
  const dirs = agentDirs(home);
  return [
    {
      kind: 'claude',
      dir: env.CLAUDE_CONFIG_DIR ? join(resolve(env.CLAUDE_CONFIG_DIR), 'projects') : dirs.claude,
      sessionId: null,
    },
    {
      kind: 'codex',
      dir: env.CODEX_HOME ? join(resolve(env.CODEX_HOME), 'sessions') : dirs.codex,
      sessionId: null,
    },
  ];
}

/** Every Paddock session's agent home there is on disk, both agents' directories. */
export function paddockSessionSources(paddockHome: string): TranscriptSource[] {
  const sessions = join(paddockHome, 'sessions');
  if (!existsSync(sessions)) return [];
  return readdirSync(sessions, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && SESSION_ID.test(entry.name))
    .map((entry) => entry.name)
    .sort()
    .flatMap((sessionId) => {
      const dirs = agentDirs(join(sessions, sessionId, 'home'));
      return (['claude', 'codex'] as const).map((kind) => ({ kind, dir: dirs[kind], sessionId }));
    });
}

/** A directory given by name: a Paddock session's when it lies in that session's agent home. */
export function sourceAt(kind: TranscriptKind, dir: string, paddockHome: string): TranscriptSource {
  const absolute = resolve(dir);
  const [sessions, sessionId, home] = relative(paddockHome, absolute).split(sep);
  const inSession = sessions === 'sessions' && SESSION_ID.test(sessionId ?? '') && home === 'home';
  return { kind, dir: absolute, sessionId: inSession ? (sessionId as string) : null };
}
