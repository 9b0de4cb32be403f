/**
 * `paddock gates`, `paddock promote` and `paddock review` end to end: the real CLI in child
 * processes, a real repository whose own policy names the gates, sessions in the real sandbox.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GateRun, ReviewState } from '../shared/gates';
import { makeRepository, plainGit } from '../main/core/git/testing';
import { keptSession, paddock } from '../test-support/cli';
import { sandboxAvailable } from '../test-support/sandbox-host';
import { tempDir } from '../test-support/temp';

const POLICY = `version: 1
gates:
  tests:
    - name: value check
      run: grep -q good value.txt
  diffLimits:
    maxFiles: 5
`;

function agentSession(home: string, repo: string, script: string): string {
  return keptSession(home, repo, script).sessionId;
}

const describeSandboxed = sandboxAvailable ? describe : describe.skip;
if (!sandboxAvailable)
  console.warn('paddock gates CLI tests NOT RUN: bubblewrap cannot make a sandbox on this machine');

describeSandboxed('paddock gates / promote / review', () => {
  it('fails closed on an untrusted repository policy, then gates, promotes and lands the change', () => {
    const home = tempDir();
    const repo = makeRepository(tempDir(), {
      '.paddock/policy.yaml': POLICY,
      'value.txt': 'bad\n',
    });
    const id = agentSession(home, repo, 'echo good > value.txt');

    const untrusted = paddock(home, ['gates', 'run', id]);
    expect(untrusted.code).toBe(1);
    expect(untrusted.stdout).toMatch(
      /ERROR repository policy \[policy, block\] .*not trusted this version/,
    );
    expect(paddock(home, ['policy', 'trust', '--project', repo, '--yes']).code).toBe(0);

    const run = paddock(home, ['gates', 'run', id, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const gated = JSON.parse(run.stdout) as GateRun;
    expect(gated.verdict).toBe('pass');
    expect(gated.results.map((result) => `${result.name}:${result.status}`)).toEqual([
      'value check:passed',
      'secrets:passed',
      'protected paths:passed',
      'diff limits:passed',
    ]);

    const promoted = paddock(home, ['promote', id]);
    expect(promoted.code, promoted.stderr).toBe(0);
    expect(promoted.stdout).toMatch(/Landed on main \(squash\)/);
    expect(plainGit(repo, ['rev-parse', 'main^{tree}']).trim()).toBe(gated.binding.landingTree);
    expect(readFileSync(join(repo, 'value.txt'), 'utf8')).toBe('good\n');
    expect(plainGit(repo, ['log', '-1', '--format=%B', 'main'])).toContain(
      `Paddock-Session: ${id}`,
    );
    const state = JSON.parse(paddock(home, ['gates', 'show', id, '--json']).stdout) as ReviewState;
    expect(state.promoted?.after).toBe(plainGit(repo, ['rev-parse', 'main']).trim());
  }, 120_000);

  it('exits 1 on a failing gate, shows its output, and refuses to promote', () => {
    const home = tempDir();
    const repo = makeRepository(tempDir(), { 'value.txt': 'bad\n' });
    paddock(home, [
      'settings',
      'set',
      'policy.personal',
      'version: 1\ngates:\n  tests:\n    - name: value check\n      run: cat value.txt; grep -q good value.txt\n',
    ]);
    const id = agentSession(home, repo, 'echo still bad > value.txt');
    const run = paddock(home, ['gates', 'run', id]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/FAIL {2}value check \[tests, block\] failed with exit code 1/);
    expect(run.stdout).toContain('| still bad');
    const before = plainGit(repo, ['rev-parse', 'main']).trim();
    const refused = paddock(home, ['promote', id]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('the value check gate failed');
    expect(plainGit(repo, ['rev-parse', 'main']).trim()).toBe(before);
    const rejected = paddock(home, [
      'review',
      'reject',
      id,
      '--reason',
      'not good',
      '--no-send-back',
    ]);
    expect(rejected.stdout).toContain(`Rejected ${id}.`);
  }, 120_000);
});
