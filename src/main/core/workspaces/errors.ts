export type WorkspaceErrorCode =
  /** A request Paddock itself got wrong: an id that is no path segment, a malformed workspace. */
  | 'invalid'
  /** The project's folder is missing or not a folder. */
  | 'not-found'
  | 'not-a-repository'
  /** The base names no commit in the project. */
  | 'bad-base'
  /** The workspace's folder could not be made or removed. */
  | 'unwritable'
  /** A folder for this session is there already (left untouched). */
  | 'exists'
  | 'git-failed';

/** Errors a person can act on: each names the path (and the base) it is about. */
export class WorkspaceError extends Error {
  constructor(
    message: string,
    readonly code: WorkspaceErrorCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'WorkspaceError';
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
