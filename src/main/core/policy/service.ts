/**
 * Which policy counts for a project, and the person's trust in it.
 *
 * - The repository's `.paddock/policy.yaml` is read from a commit (a session's base), never from a
 *   working tree the agent can write: a change the agent makes counts only once it has landed.
 * - The person's own policy is the setting `policy.personal`, in the same form.
 * - A repository's policy is trusted for exactly the version the person has seen and accepted
 *   (its SHA-256, kept with its text in the setting `policy.trusted`, so a changed file shows as a
 *   diff to what was trusted). Until then its allows are asks, and its workspace set-up (which
 *   copies files and runs a command) does not run.
 */
import { createHash } from 'node:crypto';
import type { Actor } from '../../../shared/audit';
import { runGit } from '../git';
import { decide, type Decision, type PermissionRequest } from './decide';
import { parsePolicy } from './load';
import type { Policy } from './schema';

export const POLICY_FILE = '.paddock/policy.yaml';

/** A policy that cannot be read or trusted (not a mistake inside it: that is a PolicyError). */
export class PolicyServiceError extends Error {
  override readonly name = 'PolicyServiceError';
}
/** A policy file larger than this is refused rather than parsed. */
const MAX_POLICY_BYTES = 256 * 1024;

export interface TrustRecord {
  sha256: string;
  text: string;
  trustedAt: string;
}

/** What the policy service needs of the settings (the SettingsService). */
export interface PolicySettings {
  get(key: 'policy.personal'): string;
  get(key: 'policy.trusted'): Record<string, TrustRecord>;
  set(key: 'policy.trusted', value: unknown, by: { actor: Actor; actorId: string }): unknown;
}

export interface RepositoryPolicy {
  policy: Policy;
  text: string;
  sha256: string;
  /** Whether the person trusts exactly this version. */
  trusted: boolean;
  /** The version the person trusted before, if another. */
  trustedBefore: TrustRecord | null;
}

export interface ProjectPolicy {
  personal: Policy | null;
  repository: RepositoryPolicy | null;
}

/** A full commit id: what it names never changes, so what was read at it can be kept. */
const COMMIT_ID = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

export class PolicyService {
  /** The policy file's text by project and commit id: every tool call asks, two git runs each. */
  private readonly committed = new Map<string, string | null>();

  constructor(private readonly settings: PolicySettings) {}

  /** The person's policy and the project's at `commit` (default HEAD). A broken one throws. */
  async load(projectPath: string, commit = 'HEAD'): Promise<ProjectPolicy> {
    const text = await this.readAt(projectPath, commit);
    return {
      personal: this.personal(),
      repository: text === null ? null : this.judge(projectPath, text),
    };
  }

  /** The decision for one request in the project at `commit`. */
  async decide(
    projectPath: string,
    request: PermissionRequest,
    options: { workspace: string; commit?: string; home?: string },
  ): Promise<Decision> {
    const { personal, repository } = await this.load(projectPath, options.commit);
    return decide(request, {
      personal: personal ?? undefined,
      repository: repository
        ? { policy: repository.policy, trusted: repository.trusted }
        : undefined,
      workspace: options.workspace,
      home: options.home,
    });
  }

  /**
   * Trusts the project's policy as it is at HEAD, if it is still the version the person was shown
   * (`expected`, its SHA-256): a file that changed in between is not trusted unseen.
   */
  async trust(projectPath: string, by: { actor: Actor; actorId: string }, expected: string) {
    const text = await readCommitted(projectPath, 'HEAD');
    if (text === null)
      throw new PolicyServiceError(
        `${projectPath} has no ${POLICY_FILE}: there is nothing to trust.`,
      );
    if (sha256(text) !== expected)
      throw new PolicyServiceError(
        `${projectPath}'s ${POLICY_FILE} changed since it was shown (it is now ${sha256(text).slice(0, 12)}…). Look at it again before trusting it.`,
      );
    parsePolicy(text, POLICY_FILE); // a broken policy cannot be trusted
    const record: TrustRecord = { sha256: sha256(text), text, trustedAt: new Date().toISOString() };
    this.settings.set(
      'policy.trusted',
      { ...this.settings.get('policy.trusted'), [projectPath]: record },
      by,
    );
    return record;
  }

  /** Forgets the trust in a project's policy (its allows are asks again). */
  untrust(projectPath: string, by: { actor: Actor; actorId: string }): boolean {
    const trusted = this.settings.get('policy.trusted');
    if (!(projectPath in trusted)) return false;
    const kept = Object.entries(trusted).filter(([path]) => path !== projectPath);
    this.settings.set('policy.trusted', Object.fromEntries(kept), by);
    return true;
  }

  private async readAt(projectPath: string, commit: string): Promise<string | null> {
    if (!COMMIT_ID.test(commit)) return readCommitted(projectPath, commit);
    const key = `${projectPath}\0${commit}`;
    const known = this.committed.get(key);
    if (known !== undefined) return known;
    const text = await readCommitted(projectPath, commit);
    this.committed.set(key, text);
    return text;
  }

  /** The person's own policy (the `policy.personal` setting), or null when none is set. */
  personal(): Policy | null {
    const text = this.settings.get('policy.personal');
    return text.trim() ? parsePolicy(text, 'your policy (setting policy.personal)') : null;
  }

  private judge(projectPath: string, text: string): RepositoryPolicy {
    const policy = parsePolicy(text, POLICY_FILE);
    const digest = sha256(text);
    const record = this.settings.get('policy.trusted')[projectPath] ?? null;
    const trusted = record?.sha256 === digest;
    return { policy, text, sha256: digest, trusted, trustedBefore: trusted ? null : record };
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The policy file's text at `commit`, or null when that commit has none. */
async function readCommitted(projectPath: string, commit: string): Promise<string | null> {
  if (commit.startsWith('-')) throw new PolicyServiceError(`"${commit}" is not a commit.`);
  const listing = await runGit(['ls-tree', '-l', '--end-of-options', commit, '--', POLICY_FILE], {
    cwd: projectPath,
  });
  const match = /^(\d+) blob ([0-9a-f]+)\s+(\d+)\t/.exec(listing);
  if (!match) return null;
  const [, mode, blob, size] = match;
  if (mode === '120000')
    throw new PolicyServiceError(
      `${POLICY_FILE} is a symbolic link at ${commit}; a policy must be a file.`,
    );
  if (Number(size) > MAX_POLICY_BYTES)
    throw new PolicyServiceError(
      `${POLICY_FILE} is ${size} bytes at ${commit}; at most ${MAX_POLICY_BYTES} are read.`,
    );
  return runGit(['cat-file', 'blob', blob as string], { cwd: projectPath });
}
