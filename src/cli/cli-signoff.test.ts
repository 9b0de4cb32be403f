/**
 * Team sign-off end to end, with the real CLI: three people, each in a PADDOCK_HOME of their own
 * (Ada, who runs the agent; Grace and Linus, who review), identities in a real keychain, a
 * repository whose trusted policy asks for two of Grace and Linus. Reviews travel as files.
 */
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GateRun, ReviewState } from '../shared/gates';
import type { SignoffStatus } from '../shared/signoff';
import { makeRepository, plainGit } from '../main/core/git/testing';
import { keptSession, paddock } from '../test-support/cli';
import { sandboxAvailable } from '../test-support/sandbox-host';
import { useSecretService } from '../test-support/secret-service';
import { tempDir } from '../test-support/temp';

useSecretService();

const folder = () => realpathSync(tempDir());

function ok(home: string, args: string[], input?: string): string {
  const result = paddock(home, args, {}, input);
  expect(result.code, `paddock ${args.join(' ')}\n${result.stderr}`).toBe(0);
  return result.stdout;
}

function identity(home: string, name: string): string {
  ok(home, ['identity', 'create', name]);
  return ok(home, ['identity', 'show']).trim();
}

/** Ada's machine: her identity, the project with its policy (trusted), a session that changed it. */
function setUp() {
  const ada = folder();
  const grace = folder();
  const linus = folder();
  const mallory = folder();
  const keys = {
    ada: identity(ada, 'Ada'),
    grace: identity(grace, 'Grace'),
    linus: identity(linus, 'Linus'),
    mallory: identity(mallory, 'Mallory'),
  };
  const policy = [
    'version: 1',
    'signoff:',
    '  signers:',
    `    - { name: Ada, key: "${keys.ada}", role: lead }`,
    `    - { name: Grace, key: "${keys.grace}", role: lead }`,
    `    - { name: Linus, key: "${keys.linus}" }`,
    '  require:',
    '    - of: [Grace, Linus]',
    '      count: 2',
    '',
  ].join('\n');
  const repo = makeRepository(folder(), { '.paddock/policy.yaml': policy, 'value.txt': 'one\n' });
  ok(ada, ['policy', 'trust', '--project', repo, '--yes']);
  const exec = keptSession(ada, repo, 'echo two > value.txt');
  return { ada, grace, linus, mallory, repo, id: exec.sessionId, workspace: exec.workspace };
}

/** A reviewer takes in Ada's bundle and signs it; the statement comes back as a file. */
function reviewOn(home: string, bundle: string, id: string, decision = '--approve'): string {
  const bundleFile = join(home, 'change.paddock-review');
  writeFileSync(bundleFile, bundle);
  expect(ok(home, ['review', 'import', bundleFile])).toContain(`Imported the review of ${id}`);
  const out = join(home, 'statement.json');
  ok(home, ['review', 'sign', id, decision, '--out', out]);
  return out;
}

function signoff(home: string, id: string): { code: number | null; status: SignoffStatus } {
  const result = paddock(home, ['signoff', 'verify', id, '--json']);
  return { code: result.code, status: JSON.parse(result.stdout) as SignoffStatus };
}

const describeSandboxed = sandboxAvailable ? describe : describe.skip;
if (!sandboxAvailable)
  console.warn('paddock sign-off CLI tests NOT RUN: bubblewrap cannot make a sandbox here');

describeSandboxed('team sign-off across machines', () => {
  it('needs two of Grace and Linus, never counts the author, and verifies in a clone', () => {
    const { ada, grace, linus, mallory, repo, id } = setUp();
    const run = JSON.parse(ok(ada, ['gates', 'run', id, '--json'])) as GateRun;
    expect(run.verdict).toBe('pass');
    const bundle = ok(ada, ['review', 'export', id]);

    // Ada made the change: her own approval is recorded but does not count.
    ok(ada, ['review', 'sign', id, '--approve']);
    let verified = signoff(ada, id);
    expect(verified.code).toBe(1);
    expect(verified.status.statements[0]).toMatchObject({
      signer: { name: 'Ada' },
      counts: false,
      why: expect.stringMatching(/author/),
    });
    // Mallory's key is in no policy.
    ok(ada, ['review', 'import', reviewOn(mallory, bundle, id)]);
    // Grace alone is one of the two needed.
    ok(ada, ['review', 'import', reviewOn(grace, bundle, id)]);
    verified = signoff(ada, id);
    expect(verified.code).toBe(1);
    expect(verified.status.missing.join(' ')).toMatch(/2 of Grace, Linus \(1 given: Grace\)/);
    expect(verified.status.statements.map((s) => [s.signer.name, s.counts])).toEqual([
      ['Ada', false],
      ['Mallory', false],
      ['Grace', true],
    ]);
    expect(verified.status.statements[1]?.why).toMatch(/untrusted key/);
    const refused = paddock(ada, ['promote', id]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/the sign-offs are not complete/);

    // Linus makes two: promotion lands, and the statements go with the landed commit.
    ok(ada, ['review', 'import', reviewOn(linus, bundle, id)]);
    expect(signoff(ada, id).code).toBe(0);
    ok(ada, ['promote', id]);
    const landed = plainGit(repo, ['rev-parse', 'main']).trim();
    const noted = plainGit(repo, ['notes', '--ref=paddock', 'show', landed]).trim().split('\n');
    expect(noted.filter(Boolean)).toHaveLength(2);

    // Anyone with a clone (and its notes) checks it offline, against the committed policy.
    const clone = join(folder(), 'clone');
    plainGit(folder(), ['clone', '-q', repo, clone]);
    plainGit(clone, ['fetch', '-q', 'origin', 'refs/notes/*:refs/notes/*']);
    const stranger = folder();
    const checked = paddock(stranger, ['signoff', 'verify', '--repo', clone, '--json']);
    expect(checked.code, checked.stderr).toBe(0);
    const status = JSON.parse(checked.stdout) as SignoffStatus;
    expect(status.statements.map((s) => [s.signer.name, s.counts])).toEqual([
      ['Grace', true],
      ['Linus', true],
    ]);
    // One byte changed in the note, and it no longer verifies.
    const [first = '', second = ''] = noted.filter(Boolean);
    const forged = JSON.parse(first) as { payload: string };
    const statement = JSON.parse(Buffer.from(forged.payload, 'base64').toString()) as {
      predicate: { reason: string | null };
    };
    statement.predicate.reason = 'approved, honest';
    forged.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
    plainGit(
      clone,
      ['notes', '--ref=paddock', 'add', '-f', '-F', '-', 'HEAD'],
      `${JSON.stringify(forged)}\n${second}\n`,
    );
    const broken = paddock(stranger, ['signoff', 'verify', '--repo', clone, '--json']);
    expect(broken.code).toBe(1);
    expect((JSON.parse(broken.stdout) as SignoffStatus).statements[0]?.counts).toBe(false);
  }, 240_000);

  it('voids a sign-off when the change moves on, and refuses a forged statement', () => {
    const { ada, grace, linus, id, workspace } = setUp();
    ok(ada, ['gates', 'run', id]);
    const bundle = ok(ada, ['review', 'export', id]);
    const fromGrace = reviewOn(grace, bundle, id);
    // An altered statement: the reason changed after signing (the signature no longer holds).
    const envelope = JSON.parse(readFileSync(reviewOn(linus, bundle, id), 'utf8')) as {
      payload: string;
    };
    const text = Buffer.from(envelope.payload, 'base64')
      .toString()
      .replace('"reason":null', '"reason":"looks fine"');
    const altered = join(ada, 'altered.json');
    writeFileSync(
      altered,
      JSON.stringify({ ...envelope, payload: Buffer.from(text).toString('base64') }),
    );
    // Taken in (for the record), it is marked forged and counts for nothing.
    expect(ok(ada, ['review', 'import', altered])).toMatch(/it does not count \(forged/);
    ok(ada, ['review', 'import', fromGrace]);
    const forged = signoff(ada, id).status.statements.find((s) => s.signer.name === 'Linus');
    expect(forged).toMatchObject({ genuine: false, counts: false });

    // The agent's work changes after the sign-off: it is about another change now.
    writeFileSync(join(workspace, 'value.txt'), 'three\n');
    ok(ada, ['gates', 'run', id]);
    const state = JSON.parse(ok(ada, ['gates', 'show', id, '--json'])) as ReviewState;
    const grace_ = state.signoff.statements.find((s) => s.signer.name === 'Grace');
    expect(grace_).toMatchObject({ counts: false, why: expect.stringMatching(/another change/) });
    expect(paddock(ada, ['promote', id]).code).not.toBe(0);
  }, 240_000);

  it('backs an identity up and restores it on another machine', () => {
    const home = folder();
    const key = identity(home, 'Ada');
    const backup = join(home, 'ada.backup');
    ok(home, ['identity', 'export', '--backup', '--out', backup], 'a long enough passphrase\n');
    const elsewhere = folder();
    const wrong = paddock(elsewhere, ['identity', 'import', backup], {}, 'not the passphrase\n');
    expect(wrong.code).not.toBe(0);
    ok(elsewhere, ['identity', 'import', backup], 'a long enough passphrase\n');
    expect(ok(elsewhere, ['identity', 'show']).trim()).toBe(key);
  }, 120_000);
});
