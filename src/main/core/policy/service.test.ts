import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test-support/temp';
import { commitFiles, makeRepository } from '../git/testing';
import { SettingsService } from '../settings';
import { AuditStore } from '../store';
import { PolicyError, PolicyService, ready } from './index';

const person = { actor: 'person' as const, actorId: 'ada' };
const POLICY = `version: 1
permissions:
  allow:
    - Bash(npm test:*)
  deny:
    - Bash(rm:*)
`;

const stores: AuditStore[] = [];
afterEach(() => stores.splice(0).forEach((store) => store.close()));

function service(files: Record<string, string> = { '.paddock/policy.yaml': POLICY }) {
  const store = AuditStore.open({ home: tempDir() });
  stores.push(store);
  const settings = new SettingsService(store);
  const repo = realpathSync(makeRepository(tempDir(), { 'README.md': '# demo\n', ...files }));
  return { store, settings, policies: new PolicyService(settings), repo };
}

const bash = (command: string) => ({ tool: 'Bash', command });

describe('PolicyService', () => {
  it('treats an untrusted repository allow as ask, and trusting that exact version makes it allow', async () => {
    await ready();
    const { store, policies, repo } = service();
    const options = { workspace: repo };
    expect((await policies.decide(repo, bash('npm test -- --watch=false'), options)).decision).toBe(
      'ask',
    );

    const { repository } = await policies.load(repo);
    expect(repository?.trusted).toBe(false);
    await policies.trust(repo, person, repository?.sha256 as string);
    expect((await policies.decide(repo, bash('npm test -- --watch=false'), options)).decision).toBe(
      'allow',
    );
    expect(store.list({ limit: 100 }).some((e) => e.kind === 'settings.changed')).toBe(true);

    // One byte changed, committed: untrusted again, with the trusted version kept for a diff.
    commitFiles(repo, { '.paddock/policy.yaml': POLICY.replace('npm test', 'npm  test') }, 'edit');
    const changed = await policies.load(repo);
    expect(changed.repository?.trusted).toBe(false);
    expect(changed.repository?.trustedBefore?.text).toBe(POLICY);
    expect((await policies.decide(repo, bash('npm test'), options)).decision).toBe('ask');
  });

  it('lets a deny win, from either policy', async () => {
    await ready();
    const { settings, policies, repo } = service();
    const { repository } = await policies.load(repo);
    await policies.trust(repo, person, repository?.sha256 as string);
    settings.set(
      'policy.personal',
      'version: 1\npermissions:\n  deny: ["Bash(npm test:*)"]\n',
      person,
    );
    expect((await policies.decide(repo, bash('npm test'), { workspace: repo })).decision).toBe(
      'deny',
    );
    expect((await policies.decide(repo, bash('rm -rf build'), { workspace: repo })).decision).toBe(
      'deny',
    );
  });

  it('reads the policy from the commit, never from the working tree', async () => {
    const { policies, repo } = service({});
    // A policy written into the checkout (by an agent, or anyone) counts only once committed.
    commitFiles(repo, {}, 'nothing');
    mkdirSync(join(repo, '.paddock'));
    writeFileSync(join(repo, '.paddock', 'policy.yaml'), POLICY);
    expect((await policies.load(repo)).repository).toBeNull();
    commitFiles(repo, {}, 'the policy');
    expect((await policies.load(repo)).repository?.text).toBe(POLICY);
  });

  it('refuses a broken policy with file, line and what was expected, and will not trust it', async () => {
    const { policies, repo } = service({
      '.paddock/policy.yaml': 'version: 1\npermissions:\n  allow:\n    - Bash(npm test\n',
    });
    const error = await policies.load(repo).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).message).toMatch(/^\.paddock\/policy\.yaml:4:\d+: /);
    await expect(policies.trust(repo, person, '0'.repeat(64))).rejects.toThrow(
      /changed since it was shown/,
    );
  });

  it('refuses to trust a version other than the one shown', async () => {
    const { policies, repo } = service();
    await expect(policies.trust(repo, person, 'f'.repeat(64))).rejects.toThrow(/changed since/);
  });
});
