/** What clients see of the policy: decisions, the rules in force, and trust. */

export type PolicyDecision = 'allow' | 'ask' | 'deny';

/** One shell command judged (`paddock policy check`). */
export interface CommandDecision {
  command: string;
  decision: PolicyDecision;
  /** The rule or the classifier's reason that decided it. */
  reason: string;
  rule?: string;
  source?: 'personal' | 'repository' | 'classifier' | 'default';
}

export interface PolicyRuleView {
  list: PolicyDecision;
  rule: string;
  source: 'personal' | 'repository';
  /** `file:line` where it is written. */
  at: string;
  /** What it does now (a repository allow is an ask until the file is trusted). */
  effective: PolicyDecision;
}

export interface PolicyView {
  project: string;
  rules: PolicyRuleView[];
  personal: boolean;
  /** The repository's policy at HEAD, if it has one. */
  repository: {
    sha256: string;
    text: string;
    trusted: boolean;
    /** The version trusted before, when this one is not (to show the difference). */
    trustedBefore: { sha256: string; text: string; trustedAt: string } | null;
    workspace: { copy: string[]; setup: string | null } | null;
  } | null;
}
