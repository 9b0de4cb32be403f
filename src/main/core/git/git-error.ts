/** A git command that failed: what ran, how it ended, and what git said about it. */
export class GitError extends Error {
  constructor(
    message: string,
    /** The arguments after `git` (Paddock's own `-c` overrides left out). */
    readonly args: readonly string[],
    /** Git's exit code; null when it never ran, was killed or timed out. */
    readonly exitCode: number | null,
    /** The first lines of git's standard error. */
    readonly stderr: string,
  ) {
    super(message);
    this.name = 'GitError';
  }
}

const STDERR_LINES = 4;

/** The first few non-empty lines: enough to say what went wrong, short enough for a message. */
export function firstLines(text: string, count = STDERR_LINES): string {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line.length > 0)
    .slice(0, count)
    .join('\n');
}
