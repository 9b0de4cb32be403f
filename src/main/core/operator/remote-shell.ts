/**
 * The host the operator works on, as the loop sees it: one command at a time, its output capped.
 * The SSH hosts service implements it over ssh2; tests run commands locally (testing.ts).
 */
export interface RemoteRunOptions {
  timeoutMs: number;
  /** Output past this many bytes is dropped (and `truncated` set). */
  maxOutputBytes: number;
  signal?: AbortSignal;
}

export interface RemoteResult {
  /** Null when the command was ended by a signal or cut off by the timeout. */
  exitCode: number | null;
  signal: string | null;
  /** Standard output and error, interleaved as they came. */
  output: string;
  truncated: boolean;
  durationMs: number;
}

export interface RemoteShell {
  run(command: string, options: RemoteRunOptions): Promise<RemoteResult>;
}
