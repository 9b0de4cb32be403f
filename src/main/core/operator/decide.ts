/**
 * How the operator's commands are decided: exactly as a local agent's Bash command (the person's
 * deny, ask and allow rules, then the classifier), with the policy's `ssh` rules for this host
 * added to the same lists. An `Ssh(host:words)` rule becomes a Bash rule with those words for
 * this host only, so it gets the Bash rules' parse-aware matching (every simple command of the
 * line must be covered; a deny hits a command behind `sudo`, `xargs` or `bash -c` too) and the
 * decision names the Ssh rule.
 *
 * One difference, because the remote host has no sandbox: the classifier's "workspace write"
 * allowance (a command that only writes under the working directory) asks there instead. And a
 * person can keep their local Bash allows off the hosts (`ssh: {bashAllows: false}`).
 */
import {
  decide,
  type Decision,
  type LocatedRule,
  type PermissionList,
  type Policy,
} from '../policy';

export type CommandDecider = (command: string) => Decision;

export interface RemoteDecisionOptions {
  /** The person's policy (read again on each decision, so an edit counts at the next command). */
  policy: () => Policy | null;
  /** The host's name as Paddock knows it (`paddock ssh add NAME`). */
  host: string;
  /** The directory commands start in on the host, absolute. */
  workspace: string;
  /** The remote user's home, for `~` in paths. */
  home?: string;
}

const LISTS: readonly PermissionList[] = ['allow', 'ask', 'deny'];

export function remoteCommandDecider(options: RemoteDecisionOptions): CommandDecider {
  let seen: { policy: Policy | null; merged: Policy | undefined } | null = null;
  const merged = (): Policy | undefined => {
    const policy = options.policy();
    if (seen?.policy !== policy)
      seen = { policy, merged: policy ? withHostRules(policy, options.host) : undefined };
    return seen.merged;
  };
  return (command) => {
    const decision = decide(
      { tool: 'Bash', command },
      {
        personal: merged(),
        workspace: options.workspace,
        ...(options.home === undefined ? {} : { home: options.home }),
      },
    );
    if (decision.decision === 'allow' && /(^|; )workspace write: /.test(decision.reason))
      return {
        decision: 'ask',
        reason: `a remote host has no sandbox, so only rules and read-only commands are allowed without asking (${decision.reason})`,
        source: 'classifier',
      };
    return decision;
  };
}

/**
 * The policy with the host's Ssh rules added to its permission lists as Bash rules; without the
 * local allow rules when the `ssh` section says `bashAllows: false`.
 */
function withHostRules(policy: Policy, host: string): Policy {
  const local = (list: PermissionList) =>
    list === 'allow' && policy.ssh?.bashAllows === false ? [] : policy.permissions[list];
  const lists = Object.fromEntries(
    LISTS.map((list) => [
      list,
      [...local(list), ...(policy.ssh?.[list] ?? []).flatMap((rule) => asBash(rule, host))],
    ]),
  ) as Record<PermissionList, LocatedRule[]>;
  return { ...policy, permissions: lists };
}

function asBash(rule: LocatedRule, host: string): LocatedRule[] {
  const matcher = rule.matcher;
  if (matcher?.kind !== 'ssh' || (matcher.host !== '*' && matcher.host !== host)) return [];
  const { text, file, line } = rule;
  return [
    { text, file, line, tool: 'Bash', ...(matcher.command ? { matcher: matcher.command } : {}) },
  ];
}
