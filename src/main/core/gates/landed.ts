/**
 * Checking a landed commit's sign-offs in any clone of the project, offline, with nothing of
 * Paddock's but this code: the statements come from the commit's git note (refs/notes/paddock),
 * the change they must be about is recomputed from the commit itself (its first parent → its
 * tree), and who may sign is the repository's own policy at that parent, the policy the change
 * landed under.
 */
import { runGit } from '../git';
import { parseOpenSshEd25519 } from '../identity';
import { parsePolicy } from '../policy';
import { diffHashOf, readNote } from '../promotion';
import { checkStatements, openEnvelope } from '../signoff';
import type { GateBinding } from '../../../shared/gates';
import type { SignoffStatus } from '../../../shared/signoff';
import { GateError } from './errors';

const POLICY_FILE = '.paddock/policy.yaml';

export async function verifyLandedCommit(
  repository: string,
  revision = 'HEAD',
): Promise<SignoffStatus> {
  if (revision.startsWith('-')) throw new GateError(`"${revision}" is not a revision.`);
  const git = { cwd: repository };
  const [commit = '', tree = '', parent = ''] = (
    await runGit(
      ['rev-parse', `${revision}^{commit}`, `${revision}^{tree}`, `${revision}^1`],
      git,
    ).catch(() => {
      throw new GateError(
        `${repository} has no commit ${revision} with a parent to compare it with.`,
      );
    })
  )
    .trim()
    .split('\n');
  const note = await readNote(repository, commit);
  if (!note.trim())
    throw new GateError(
      `${commit.slice(0, 12)} has no sign-offs in refs/notes/paddock. A clone has them after \`git fetch origin 'refs/notes/*:refs/notes/*'\`.`,
    );
  const envelopes = note
    .split('\n')
    .filter((line) => line.trim())
    .map((line, index) => ({ envelope: parseLine(line), seq: index + 1 }));
  const policyText = await runGit(['show', `${parent}:${POLICY_FILE}`], git).catch(() => null);
  const policy = policyText
    ? parsePolicy(policyText, `${POLICY_FILE} at ${parent.slice(0, 12)}`)
    : null;
  const landed = {
    targetCommit: parent,
    landingTree: tree,
    diffHash: await diffHashOf(git, parent, tree),
  };
  return checkStatements({
    envelopes,
    binding: bindingFor(envelopes, landed),
    sessionId: sessionOf(envelopes),
    policy: policy?.signoff ?? null,
    // The author is named in the statements' session, which a clone does not have: the policy's
    // signers and the statements' own checks decide. (The author rule held when it landed.)
    author: { fingerprint: null, name: '' },
    self: null,
    parseKey: parseOpenSshEd25519,
  });
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return line;
  }
}

/** The change as the commit shows it; the branch and head are what the statements say they were. */
function bindingFor(
  envelopes: ReadonlyArray<{ envelope: unknown }>,
  landed: Pick<GateBinding, 'targetCommit' | 'landingTree' | 'diffHash'>,
): GateBinding {
  for (const { envelope } of envelopes) {
    try {
      const { change } = openEnvelope(envelope).statement.predicate;
      if (change.targetCommit === landed.targetCommit && change.landingTree === landed.landingTree)
        return { ...landed, targetBranch: change.targetBranch, headCommit: change.headCommit };
    } catch {
      // an unreadable line: listed by checkStatements, counted by nothing
    }
  }
  return { ...landed, targetBranch: '', headCommit: '' };
}

function sessionOf(envelopes: ReadonlyArray<{ envelope: unknown }>): string {
  for (const { envelope } of envelopes) {
    try {
      return openEnvelope(envelope).statement.predicate.sessionId;
    } catch {
      // keep looking
    }
  }
  return '';
}
