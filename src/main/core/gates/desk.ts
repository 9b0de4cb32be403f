/**
 * What the two halves of a review share: the GateService (gates, landing, promotion) and the
 * ReviewSignatures (signed statements and bundles). The desk is the GateService's narrow side
 * that the signatures work through; no other service sees it.
 */
import type { Actor, AuditEvent } from '../../../shared/audit';
import type { GateBinding } from '../../../shared/gates';
import type { SessionDiff, SessionRecord } from '../../../shared/sessions';
import type { Landing } from '../promotion';
import type { KnownSecret } from '../recorder';
import type { SignoffPolicy } from '../signoff';
import type { AuditStore } from '../store';
import type { GitPerson, Workspace } from '../workspaces';
import type { GateDefinitions } from './definitions';
import type { ReviewLog } from './review-log';
import type { Signer } from './statements';

export interface By {
  actor: Actor;
  actorId: string;
}

/** What happened in a session's review (the review screen reloads; a run raises an inbox item). */
export type ReviewChange = 'run' | 'signoff' | 'rejected' | 'promoted';

/** The landing as it is now, with what applies to it: read afresh for every review action. */
export interface Current {
  session: SessionRecord;
  workspace: Workspace;
  projectPath: string;
  landing: Landing;
  diff: SessionDiff;
  gates: GateDefinitions;
  knownSecrets: KnownSecret[];
  untrusted: string | null;
  /** The sign-off section of the policies that apply (null: neither has one). */
  signoffPolicy: SignoffPolicy | null;
}

export interface ReviewDesk {
  store: AuditStore;
  log: ReviewLog;
  identity: Signer;
  person: () => GitPerson;
  current(id: string, targetBranch?: string): Promise<Current>;
  /** One review action at a time per session. */
  exclusive<T>(id: string, work: () => Promise<T>): Promise<T>;
  record(id: string, kind: string, by: By, payload: object): AuditEvent;
  changed(id: string, what: ReviewChange): void;
  /** Whether `id` is a session of this machine (else perhaps an imported review). */
  isLocal(id: string): boolean;
}

/** Why results bound to `gated` no longer describe `now` (empty when they do). */
export function staleness(gated: GateBinding, now: GateBinding): string[] {
  const reasons: string[] = [];
  if (gated.targetBranch !== now.targetBranch)
    reasons.push(`the gates ran for ${gated.targetBranch}, not ${now.targetBranch}`);
  else if (gated.targetCommit !== now.targetCommit)
    reasons.push(
      `${now.targetBranch} moved (${gated.targetCommit.slice(0, 12)} → ${now.targetCommit.slice(0, 12)})`,
    );
  if (gated.landingTree !== now.landingTree || gated.diffHash !== now.diffHash)
    reasons.push(
      gated.headCommit === now.headCommit
        ? 'what would land changed'
        : "the session's work changed since the gates ran",
    );
  return reasons;
}
