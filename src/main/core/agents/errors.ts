/** Errors of the agents service. Each message is meant to be shown to a person as it is. */

export class AgentError extends Error {
  override name = 'AgentError';
}

/** A custom preset that does not hold together, or a request a preset cannot serve. */
export class AgentPresetError extends AgentError {
  override name = 'AgentPresetError';
}

/** The program a preset runs is not installed where Paddock looks for it. */
export class AgentNotInstalledError extends AgentError {
  override name = 'AgentNotInstalledError';

  constructor(
    readonly presetId: string,
    readonly program: string,
    message: string,
  ) {
    super(message);
  }
}

/** The per-session home or the launch cannot be prepared from what was given. */
export class AgentLaunchError extends AgentError {
  override name = 'AgentLaunchError';
}
