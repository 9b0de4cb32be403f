/** What `paddock doctor` (and the Settings screen) reports about this machine. */
export type CheckStatus = 'ok' | 'warn' | 'missing';

export interface DoctorCheck {
  id: string;
  /** What the check is about, for a person. */
  title: string;
  status: CheckStatus;
  /** Whether Paddock cannot do its core job without it (sessions, sandbox, keychain, audit). */
  required: boolean;
  /** Version or what was found. */
  detail: string;
  /** What to do when it is not ok. */
  fix?: string;
}

export interface DoctorReport {
  ok: boolean;
  platform: string;
  checks: DoctorCheck[];
}
