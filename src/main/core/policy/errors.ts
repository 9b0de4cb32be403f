/**
 * The one error a broken policy raises. It carries where the mistake is (file, line, column) so the
 * person can go straight to it; the message already reads `file:line:column: path: what was wrong`.
 */
export class PolicyError extends Error {
  override readonly name = 'PolicyError';

  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    /** The problem alone, without the location prefix. */
    readonly problem: string,
  ) {
    super(`${file}:${line}:${column}: ${problem}`);
  }
}
