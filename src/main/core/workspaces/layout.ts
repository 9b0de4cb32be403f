/**
 * Where a session's files live: `<root>/<projectId>/<sessionId>/` holds `work` (the agent's
 * workspace) and `control.git` (Paddock's private git dir, outside anything the agent can reach).
 */
import { basename, dirname, join, resolve } from 'node:path';
import { WorkspaceError } from './errors';

/** A session's workspace, as createWorkspace made it. */
export interface Workspace {
  /** The agent's working tree (a repository of its own, borrowing the project's objects). */
  path: string;
  /** Paddock's git dir for reading the workspace as data: config, index and attributes of its own. */
  controlDir: string;
  /** `paddock/<shortId>`, checked out in the workspace at the base commit. */
  branch: string;
  /** Full id of the commit the session started from. */
  baseCommit: string;
}

export interface SessionLayout {
  projectDir: string;
  sessionDir: string;
  work: string;
  control: string;
}

const WORK = 'work';
const CONTROL = 'control.git';
/** Ids become folder names: a letter or digit first, then letters, digits, `.`, `_`, `-`. */
const PATH_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
/** The short id becomes the branch `paddock/<shortId>`: kept to what every ref format accepts. */
const BRANCH_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const COMMIT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
/** A line in every control dir's config: how removeWorkspace knows a session folder is Paddock's. */
export const CONTROL_CONFIG_MARK =
  "# Written by Paddock: this git dir reads a session's workspace as data.";

export function sessionLayout(root: string, projectId: string, sessionId: string): SessionLayout {
  requireMatch('project id', projectId, PATH_SEGMENT);
  requireMatch('session id', sessionId, PATH_SEGMENT);
  const projectDir = join(resolve(root), projectId);
  const sessionDir = join(projectDir, sessionId);
  return {
    projectDir,
    sessionDir,
    work: join(sessionDir, WORK),
    control: join(sessionDir, CONTROL),
  };
}

export function branchFor(shortId: string): string {
  requireMatch('short id', shortId, BRANCH_ID);
  return `paddock/${shortId}`;
}

/**
 * The session folder of a workspace, after checking the workspace has the shape createWorkspace
 * gives it: a Workspace read back from a record must not make Paddock read or delete elsewhere.
 */
export function sessionDirOf(workspace: Workspace): string {
  const work = resolve(workspace.path);
  const sessionDir = dirname(work);
  if (basename(work) !== WORK || resolve(workspace.controlDir) !== join(sessionDir, CONTROL))
    throw new WorkspaceError(
      `${workspace.path} is not a Paddock workspace (expected <session>/${WORK} beside <session>/${CONTROL}).`,
      'invalid',
    );
  requireMatch('base commit', workspace.baseCommit, COMMIT_ID);
  return sessionDir;
}

function requireMatch(what: string, value: string, pattern: RegExp): void {
  if (!pattern.test(value))
    throw new WorkspaceError(`${JSON.stringify(value)} is not a valid ${what}.`, 'invalid');
}
