const PLAIN_ARG = /^[\w@%+=:,./-]+$/;

/**
 * An argv as one line a person could paste into a shell: arguments with spaces or shell
 * characters in single quotes. For reading only (a session's title, a gate's command); nothing
 * runs it.
 */
export function commandLine(argv: readonly string[]): string {
  return argv
    .map((arg) => (PLAIN_ARG.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`))
    .join(' ');
}
