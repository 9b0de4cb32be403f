/** A sandbox that cannot start: the session does not either (fail closed). */
export class SandboxUnavailableError extends Error {
  override name = 'SandboxUnavailableError';
}
