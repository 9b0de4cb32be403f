/**
 * The loop's RemoteShell over the SSH hosts service: each command on the host's pooled connection,
 * ended on the host (its process group killed) at the timeout or when the run's signal aborts.
 */
import type { SshService } from '../ssh';
import { OperatorError } from './loop';
import type { RemoteShell } from './remote-shell';

export function sshRemoteShell(ssh: Pick<SshService, 'exec'>, host: string): RemoteShell {
  return {
    async run(command, options) {
      const result = await ssh.exec(host, command, options);
      return {
        exitCode: result.exitCode,
        signal: result.timedOut ? 'the timeout' : result.aborted ? 'the run ending' : result.signal,
        output: result.output,
        truncated: result.truncated,
        durationMs: result.durationMs,
      };
    },
  };
}

/** Where commands start on the host and the remote user's home, for the policy's path rules. */
export interface RemotePlace {
  workspace: string;
  home: string;
}

const PLACE_MARKER = 'paddock-place:';

/** Asks the host once, at the start of a run (the login shell starts where every command will). */
export async function remotePlace(
  ssh: Pick<SshService, 'exec'>,
  host: string,
): Promise<RemotePlace> {
  const result = await ssh.exec(host, `printf '${PLACE_MARKER}%s\\n%s\\n' "$PWD" "$HOME"`, {
    timeoutMs: 15_000,
    maxOutputBytes: 16 * 1024,
  });
  // A login script may print first: the answer is what follows the marker.
  const [workspace, home] = result.output.split(PLACE_MARKER).at(-1)?.split('\n') ?? [];
  if (result.exitCode !== 0 || !isAbsolute(workspace) || !isAbsolute(home))
    throw new OperatorError(
      `${host} did not say where its shell starts (exit ${result.exitCode ?? result.signal ?? 'unknown'}): the operator needs a POSIX login shell there.`,
    );
  return { workspace, home };
}

function isAbsolute(path: string | undefined): path is string {
  return path !== undefined && path.startsWith('/') && !path.includes('\0');
}
