/**
 * `paddock audit search`, `paddock audit export` and `paddock audit verify --export`, with the real
 * CLI: a session that printed something, found by what it printed; its export checked offline,
 * signed by the person's identity (a real keychain), and caught when one byte changes.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../shared/audit';
import { makeRepository } from '../main/core/git/testing';
import { paddock } from '../test-support/cli';
import { useSecretService } from '../test-support/secret-service';
import { tempDir } from '../test-support/temp';

useSecretService();

function ok(home: string, args: string[]): string {
  const result = paddock(home, args);
  expect(result.code, `paddock ${args.join(' ')}\n${result.stderr}`).toBe(0);
  return result.stdout;
}

function session(home: string): string {
  const repo = makeRepository(tempDir(), { 'README.md': '# demo\n' });
  const out = ok(home, [
    'exec',
    '--project',
    repo,
    '--unsandboxed',
    '--json',
    '--',
    'sh',
    '-c',
    'printf "\\033[32mquokka-7731 passed\\033[0m\\n"',
  ]);
  return (JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { sessionId: string }).sessionId;
}

const hits = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditEvent);

describe('paddock audit search / export / verify --export', () => {
  it('finds what a command printed, and narrows by session, kind and actor', () => {
    const home = tempDir();
    const id = session(home);
    const other = session(home);
    const found = hits(ok(home, ['audit', 'search', 'quokka-7731', '--json']));
    expect(new Set(found.map((event) => event.sessionId))).toEqual(new Set([id, other]));
    const mine = hits(ok(home, ['audit', 'search', 'quokka-7731', '--session', id, '--json']));
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((event) => event.sessionId === id)).toBe(true);
    const created = hits(
      ok(home, ['audit', 'search', '--kind', 'session.created', '--actor', 'person', '--json']),
    );
    expect(created.map((event) => event.sessionId).sort()).toEqual([id, other].sort());
    expect(ok(home, ['audit', 'search', 'quokka-7731', '--since', '2099-01-01', '--json'])).toBe(
      '',
    );
    expect(paddock(home, ['audit', 'search', 'x', '--actor', 'robot']).stderr).toContain(
      '--actor takes agent, person, policy, system',
    );
  });

  it('exports a session that verifies offline through its own chain, signed, and fails on one changed byte', () => {
    const home = tempDir();
    const id = session(home);
    session(home); // another session's events are in the store's chain, not in this export
    const file = join(home, 'session.jsonl');
    writeFileSync(file, ok(home, ['audit', 'export', '--session', id]));
    expect(ok(home, ['audit', 'verify', '--export', file])).toMatch(
      new RegExp(
        `verifies: \\d+ events, through the session chain of ${id}, from its first event.\\nIts digest is not signed`,
      ),
    );

    ok(home, ['identity', 'create', 'Ada']);
    const fingerprint = ok(home, ['identity', 'show', '--json']).match(
      /SHA256:[A-Za-z0-9+/]{43}/,
    )?.[0];
    writeFileSync(file, ok(home, ['audit', 'export', '--session', id]));
    // Checked by someone else, with nothing of Ada's: a fresh home.
    const elsewhere = tempDir();
    expect(ok(elsewhere, ['audit', 'verify', '--export', file])).toContain(
      `Its digest is signed by Ada (${fingerprint}).`,
    );

    const text = readFileSync(file, 'utf8');
    const altered = text.replace('quokka', 'quokkb');
    expect(altered).not.toBe(text);
    writeFileSync(file, altered);
    const broken = paddock(elsewhere, ['audit', 'verify', '--export', file]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/does NOT verify: line \d+: the digest does not match/);
    // The digest updated too, to hide it: then the event's own hash gives it away.
    const lines = altered.trimEnd().split('\n');
    const digest = JSON.parse(lines.pop() ?? '{}') as { sha256: string; signature: unknown };
    digest.sha256 = createHash('sha256')
      .update(lines.map((l) => `${l}\n`).join(''))
      .digest('hex');
    writeFileSync(file, `${lines.join('\n')}\n${JSON.stringify(digest)}\n`);
    const rehashed = paddock(elsewhere, ['audit', 'verify', '--export', file]);
    expect(rehashed.code).toBe(1);
    expect(rehashed.stdout).toMatch(/content does not match its hash \(edited\)/);
  }, 60_000);

  it('checks who signed with --signer: another key, or no signature, fails', () => {
    const home = tempDir();
    const id = session(home);
    ok(home, ['identity', 'create', 'Ada']);
    const ada =
      ok(home, ['identity', 'show', '--json']).match(/SHA256:[A-Za-z0-9+/]{43}/)?.[0] ?? '';
    const file = join(home, 'session.jsonl');
    writeFileSync(file, ok(home, ['audit', 'export', '--session', id]));
    const elsewhere = tempDir();
    expect(ok(elsewhere, ['audit', 'verify', '--export', file])).toContain(
      'Anyone can sign with a key of their own: check that this is the key you expect, or name it with --signer.',
    );
    expect(ok(elsewhere, ['audit', 'verify', '--export', file, '--signer', ada])).toContain(
      `Its digest is signed by Ada (${ada}), a signer you named.`,
    );

    // Mallory exports the same session (one could as well have edited it and re-signed it).
    const mallory = tempDir();
    const forged = join(mallory, 'forged.jsonl');
    ok(mallory, ['identity', 'create', 'Ada']);
    session(mallory);
    writeFileSync(forged, ok(mallory, ['audit', 'export']));
    expect(ok(elsewhere, ['audit', 'verify', '--export', forged])).toContain('signed by Ada (');
    const refused = paddock(elsewhere, ['audit', 'verify', '--export', forged, '--signer', ada]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(
      /does NOT verify: line \d+: the digest is signed by Ada \(SHA256:\S+\), not by the --signer given/,
    );

    const unsigned = join(elsewhere, 'unsigned.jsonl');
    session(elsewhere);
    writeFileSync(unsigned, ok(elsewhere, ['audit', 'export']));
    const bare = paddock(elsewhere, ['audit', 'verify', '--export', unsigned, '--signer', ada]);
    expect(bare.code).toBe(1);
    expect(bare.stdout).toContain('the digest is not signed, and --signer asks for a signature');
    const misused = paddock(elsewhere, ['audit', 'verify', '--signer', ada]);
    expect(misused.code).toBe(2);
    expect(misused.stderr).toContain('use it with --export FILE');
    const badKey = paddock(elsewhere, ['audit', 'verify', '--export', file, '--signer', 'ada']);
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toContain('--signer takes a key fingerprint');
  }, 90_000);

  it('exports the whole store through its chain, and a later part anchored on its first link', () => {
    const home = tempDir();
    session(home);
    const all = join(home, 'all.jsonl');
    writeFileSync(all, ok(home, ['audit', 'export']));
    expect(ok(home, ['audit', 'verify', '--export', all])).toMatch(
      /through the store’s chain, from its first event/,
    );
    const lines = readFileSync(all, 'utf8').trimEnd().split('\n');
    // From a later event on: anchored on that event's link into the events before it.
    const later = JSON.parse(lines.at(-3) ?? '{}') as AuditEvent;
    const part = join(home, 'part.jsonl');
    writeFileSync(part, ok(home, ['audit', 'export', '--since', later.ts]));
    expect(ok(home, ['audit', 'verify', '--export', part])).toMatch(
      /through the store’s chain, from event #\d+ \(anchored on its link [0-9a-f]{12}…\)/,
    );
    // A line removed from the middle, digest and all recomputed: the links give it away.
    const events = lines.slice(0, -1);
    events.splice(2, 1);
    const digest = JSON.parse(lines.at(-1) ?? '{}') as { sha256: string; events: number };
    digest.sha256 = createHash('sha256')
      .update(events.map((l) => `${l}\n`).join(''))
      .digest('hex');
    digest.events = events.length;
    writeFileSync(all, `${events.join('\n')}\n${JSON.stringify(digest)}\n`);
    expect(paddock(home, ['audit', 'verify', '--export', all]).stdout).toMatch(
      /does not follow the one before it/,
    );
  }, 60_000);
});
