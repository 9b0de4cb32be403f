/**
 * The gates a landing must pass, from the policies: the person's own and the repository's as it
 * is on the target branch (never the session's copy, which the agent could have edited). Lists
 * add up; for a built-in check the stricter action of the two holds.
 */
import type { Policy } from '../policy';
import type { GateAction } from '../../../shared/gates';
import { DEFAULT_PROTECTED, type SecretAllowance } from './checks';

export interface CommandGate {
  kind: 'tests' | 'command';
  name: string;
  argv: string[];
  action: GateAction;
  timeoutMs: number;
  /** Hosts named: the command gets the session's network; none: no network at all. */
  hosts: string[];
}

export interface GateDefinitions {
  commands: CommandGate[];
  secrets: { action: GateAction; allow: SecretAllowance[] };
  protectedPaths: { action: GateAction; globs: string[] };
  diffLimits: { action: GateAction; maxFiles?: number; maxLines?: number } | null;
}

const STRICTNESS: Record<GateAction, number> = { warn: 0, 'require-signoff': 1, block: 2 };

export function gateDefinitions(policies: ReadonlyArray<Policy | null>): GateDefinitions {
  const sections = policies.flatMap((policy) => (policy?.gates ? [policy.gates] : []));
  const strictest = (actions: GateAction[], fallback: GateAction) =>
    actions.reduce((a, b) => (STRICTNESS[b] > STRICTNESS[a] ? b : a), actions[0] ?? fallback);
  const limits = sections.flatMap((gates) => (gates.diffLimits ? [gates.diffLimits] : []));
  return {
    commands: sections.flatMap((gates) => [
      ...gates.tests.map((gate) => commandGate('tests', gate)),
      ...gates.commands.map((gate) => commandGate('command', gate)),
    ]),
    secrets: {
      action: strictest(
        sections.map((gates) => gates.secrets.action),
        'block',
      ),
      allow: sections.flatMap((gates) => gates.secrets.allow),
    },
    protectedPaths: {
      action: strictest(
        sections.map((gates) => gates.protectedPaths.action),
        'require-signoff',
      ),
      globs: [...DEFAULT_PROTECTED, ...sections.flatMap((gates) => gates.protectedPaths.paths)],
    },
    diffLimits:
      limits.length === 0
        ? null
        : {
            action: strictest(
              limits.map((limit) => limit.action),
              'warn',
            ),
            maxFiles: smallest(limits.map((limit) => limit.maxFiles)),
            maxLines: smallest(limits.map((limit) => limit.maxLines)),
          },
  };
}

type PolicyGates = NonNullable<Policy['gates']>;

function commandGate(kind: CommandGate['kind'], gate: PolicyGates['tests'][number]): CommandGate {
  return {
    kind,
    name: gate.name,
    argv: typeof gate.run === 'string' ? ['sh', '-c', gate.run] : [...gate.run],
    action: gate.action,
    timeoutMs: gate.timeoutSeconds * 1000,
    hosts: gate.hosts.map((rule) => /^Network\((.*)\)$/.exec(rule.text)?.[1] ?? rule.text),
  };
}

function smallest(values: Array<number | undefined>): number | undefined {
  const given = values.filter((value): value is number => value !== undefined);
  return given.length ? Math.min(...given) : undefined;
}
