/** Team sign-off: signed statements about one change, and where it stands against the policy. */
export { pae, signEnvelope, openEnvelope, verifyEnvelope, type EnvelopeSigner } from './dsse';
export {
  changeStatement,
  gatesDigest,
  patchDigest,
  subjectName,
  type ChangeStatementInput,
} from './statement';
export { checkStatements, mergeSignoffPolicies, type CheckStatementsInput } from './requirements';
export type {
  ParseKey,
  SelfIdentity,
  SessionAuthor,
  SignoffPolicy,
  SignoffRequirement,
  SignoffSigner,
} from './trust';
export { SignoffError } from './errors';
