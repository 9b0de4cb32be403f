import { describe, expect, it } from 'vitest';
import { parsePolicy, policyDigest } from './load';
import { PolicyError } from './errors';

const FILE = '.paddock/policy.yaml';

/** The PolicyError parsePolicy throws for `text`. */
function failure(text: string): PolicyError {
  try {
    parsePolicy(text, FILE);
  } catch (error) {
    if (error instanceof PolicyError) return error;
    throw error;
  }
  throw new Error('expected a PolicyError');
}

describe('parsePolicy', () => {
  it('reads the sandbox section: .env files masked unless it says allow', () => {
    expect(parsePolicy('version: 1\nsandbox:\n  envFiles: allow\n', FILE).sandbox).toEqual({
      envFiles: 'allow',
    });
    expect(parsePolicy('version: 1\nsandbox: {}\n', FILE).sandbox).toEqual({ envFiles: 'mask' });
    expect(parsePolicy('version: 1\n', FILE).sandbox).toBeUndefined();
  });

  it('reads spending limits in dollars', () => {
    const policy = parsePolicy('version: 1\nbudgets:\n  session: 5\n  day: 12.5\n', 'p.yaml');
    expect(policy.budgets).toEqual({ session: 5, day: 12.5 });
    expect(parsePolicy('version: 1\n', 'p.yaml').budgets).toBeUndefined();
  });

  it('reads a full policy, keeping where every rule was written', () => {
    const text = [
      'version: 1',
      'permissions:',
      '  allow:',
      '    - Bash(npm test:*)',
      '    - Read(./src/**)',
      '  ask: [WebFetch(domain:docs.python.org)]',
      '  deny:',
      '    - Network(*.evil.example:443)',
      'workspace:',
      '  copy: [.env.example, fixtures]',
      '  setup: [npm, ci]',
      '  setupTimeoutSeconds: 600',
      '',
    ].join('\n');
    const policy = parsePolicy(text, FILE);
    expect(policy.version).toBe(1);
    expect(policy.permissions.allow.map((r) => [r.text, r.file, r.line])).toEqual([
      ['Bash(npm test:*)', FILE, 4],
      ['Read(./src/**)', FILE, 5],
    ]);
    expect(policy.permissions.ask[0]?.line).toBe(6);
    expect(policy.permissions.deny[0]).toMatchObject({ tool: 'Network', line: 8 });
    expect(policy.workspace).toEqual({
      copy: ['.env.example', 'fixtures'],
      setup: ['npm', 'ci'],
      setupTimeoutSeconds: 600,
    });
    expect(policy.source).toEqual({ file: FILE, digest: policyDigest(text) });
  });

  it('gives empty permission lists and no workspace section when they are left out', () => {
    const policy = parsePolicy('version: 1\n', FILE);
    expect(policy.permissions).toEqual({ allow: [], ask: [], deny: [] });
    expect(policy.workspace).toBeUndefined();
  });

  it('names file, line, column, path and what was expected for a bad rule', () => {
    const error = failure(
      'version: 1\npermissions:\n  allow:\n    - Read(./src/**)\n    - Bash(npm test\n',
    );
    expect(error).toMatchObject({ file: FILE, line: 5, column: 7 });
    expect(error.message).toBe(
      `${FILE}:5:7: permissions.allow[1]: expected a rule like Bash(npm test:*), got "Bash(npm test" (missing the closing ))`,
    );
  });

  it.each([
    [
      'version: 1\npermissions:\n  deny: [Read(../secrets)]\n',
      3,
      'permissions.deny[0]: expected a rule like Read(./src/**), got "Read(../secrets)" (.. may not appear in a path rule)',
    ],
    [
      'version: 1\npermissions:\n  ask:\n    - 42\n',
      4,
      'permissions.ask[0]: expected a rule like Bash(npm test:*), got 42',
    ],
    [
      'version: 1\npermissions:\n  allow: Bash(ls)\n',
      3,
      'permissions.allow: expected a list of rules, got "Bash(ls)"',
    ],
    [
      'version: 1\npermissions: [Bash]\n',
      2,
      'permissions: expected a mapping with allow, ask and/or deny lists, got a list',
    ],
    [
      'version: 1\npermissions:\n  alow: []\n',
      3,
      'permissions: unknown key "alow"; known keys: allow, ask, deny',
    ],
    [
      'version: 1\nworkspace:\n  copy: [/etc/passwd]\n',
      3,
      'workspace.copy[0]: expected a path relative to the repository, got an absolute or home path',
    ],
    [
      'version: 1\nworkspace:\n  copy:\n    - ok\n    - a/../../x\n',
      5,
      'workspace.copy[1]: expected a path inside the repository, got one that leaves it with ..',
    ],
    [
      'version: 1\nworkspace:\n  copy: ["config/*.local"]\n',
      3,
      'workspace.copy[0]: expected a file or folder to copy; patterns are not supported here',
    ],
    [
      'version: 1\nworkspace:\n  setup: 12\n',
      3,
      'workspace.setup: expected a command: a string, or a list of program and arguments, got 12',
    ],
    [
      'version: 1\nworkspace:\n  setupTimeoutSeconds: 1.5\n',
      3,
      'workspace.setupTimeoutSeconds: expected a whole number of seconds, got 1.5',
    ],
    [
      'version: 1\nworkspace:\n  setupTimeoutSeconds: "10"\n',
      3,
      'workspace.setupTimeoutSeconds: expected a number of seconds, got "10"',
    ],
    ['version: 1\nsandbox:\n  envFiles: yes\n', 3, 'sandbox.envFiles: expected mask or allow'],
    [
      'version: 1\nworkspace:\n  cpy: []\n',
      3,
      'workspace: unknown key "cpy"; known keys: copy, setup, setupTimeoutSeconds',
    ],
    [
      'version: 1\nbudgets:\n  session: 0\n',
      3,
      'budgets.session: expected an amount above 0 (leave the limit out for none)',
    ],
    [
      'version: 1\nbudgets:\n  weekly: 5\n',
      3,
      'budgets: unknown key "weekly"; known keys: session, project, day',
    ],
    [
      'version: 1\npermisions: {}\n',
      2,
      'unknown section "permisions"; known sections: version, permissions, workspace, sandbox, network, budgets, gates, signoff, ssh',
    ],
    [
      'version: 1\nssh:\n  allow: [Bash(ls)]\n',
      3,
      'ssh.allow[0]: expected a rule like Ssh(staging:systemctl status *)',
    ],
    [
      'version: 1\npermissions:\n  deny: [Ssh(staging)]\n',
      3,
      'permissions.deny[0]: Ssh rules belong in the ssh section',
    ],
    [
      'version: 1\ngates:\n  tests:\n    - name: unit\n      run: npm test\n      action: stop\n',
      6,
      'gates.tests[0].action: expected block, warn or require-signoff',
    ],
    [
      'version: 1\nsignoff:\n  require:\n    - role: lead\n      of: [Ada]\n',
      4,
      'signoff.require[0]: a requirement names either a role or a list of signers (of), not both',
    ],
    [
      'version: 1\nsignoff:\n  signers:\n    - name: Ada\n      key: ssh-rsa AAAAB3Nza\n',
      5,
      'signoff.signers[0].key: expected an Ed25519 public key like ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA… name',
    ],
    [
      'version: 1\ngates:\n  secrets:\n    allow:\n      - reason: fixtures\n',
      5,
      'gates.secrets.allow[0]: an allowance names a path glob, a rule id, or both',
    ],
  ])('refuses %j at line %i', (text, line, problem) => {
    const error = failure(text);
    expect(error.line).toBe(line);
    expect(error.problem).toBe(problem);
  });

  it('checks the version: required, and only the supported one', () => {
    expect(failure('permissions: {}\n')).toMatchObject({
      line: 1,
      problem: 'missing version: this Paddock reads policy version 1; add "version: 1" at the top',
    });
    expect(failure('# policy\nversion: 2\n')).toMatchObject({
      line: 2,
      column: 10,
      problem: 'version: unsupported version 2; this Paddock reads policy version 1',
    });
    expect(failure('version: "1"\n').problem).toMatch(/unsupported version "1"/);
  });

  it('refuses empty files, non-mappings and broken YAML with a line number', () => {
    expect(failure('').problem).toMatch(/^the policy is empty/);
    expect(failure('# only a comment\n').problem).toMatch(/^the policy is empty/);
    expect(failure('- Bash\n- Read\n').problem).toBe(
      'expected a mapping at the top of the policy, got a list',
    );
    expect(failure('version: 1\npermissions:\n  allow: [Bash(ls)\n')).toMatchObject({ line: 4 });
    expect(failure('version: 1\nversion: 1\n')).toMatchObject({
      line: 2,
      problem: 'invalid YAML: Map keys must be unique',
    });
    expect(failure('version: 1\npermissions: !!binary aGVsbG8=\n').problem).toMatch(
      /Unresolved tag/,
    );
    expect(failure('version: 1\n---\nversion: 1\n').problem).toMatch(/^invalid YAML/);
  });

  it('counts the remaining problems after the first one', () => {
    expect(failure('version: 1\npermissions:\n  allow: [Bash(, Read(/x)]\n').problem).toMatch(
      /\(and 1 more\)$/,
    );
  });

  it('refuses alias bombs and oversized files', () => {
    const bomb = [
      'version: 1',
      'a: &a [x, x, x, x, x, x, x, x, x]',
      ...Array.from(
        { length: 8 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`,
      ),
    ].join('\n');
    expect(failure(bomb).problem).toMatch(/invalid YAML|alias/i);
    expect(failure(`version: 1\n# ${'x'.repeat(1024 * 1024)}\n`).problem).toBe(
      'the policy is larger than 1 MiB',
    );
  });

  it('digests the exact text, so a changed file is a new version to trust', () => {
    expect(policyDigest('version: 1\n')).toMatch(/^[0-9a-f]{64}$/);
    expect(policyDigest('version: 1\n')).not.toBe(policyDigest('version: 1\n\n'));
  });
});
