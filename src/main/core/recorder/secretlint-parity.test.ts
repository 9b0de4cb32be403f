/**
 * The redactor against secretlint itself: on a corpus of real-format fake secrets, everything the
 * recommended preset reports must be redacted, and what the redactor finds beyond it is listed.
 */
import { lintSource } from '@secretlint/core';
import {
  creator as preset,
  rules as presetRules,
} from '@secretlint/secretlint-rule-preset-recommend';
import { describe, expect, it } from 'vitest';
import { fakeSecrets, pem } from './fixtures/fake-secrets';
import { redact, Redactor, type Finding } from './redactor';
import { PRESET_COVERAGE } from './token-rules';

const PRESET_ID = '@secretlint/secretlint-rule-preset-recommend';
const RULE_PREFIX = '@secretlint/secretlint-rule-';

interface Message {
  ruleId: string;
  range: readonly [number, number];
  data: Record<string, unknown>;
}

/** The preset as a stream would be linted: no file name, AWS key ids scanned too. */
async function secretlint(content: string): Promise<Message[]> {
  const result = await lintSource({
    source: { content, filePath: '', ext: '.txt', contentType: 'text' },
    options: {
      config: {
        rules: [
          {
            id: PRESET_ID,
            rule: preset,
            rules: [{ id: `${RULE_PREFIX}aws`, options: { enableIDScanRule: true } }],
          },
        ],
      },
    },
  });
  // secretlint counts UTF-16 code units; the redactor counts bytes.
  const bytesBefore = (index: number) => Buffer.byteLength(content.slice(0, index));
  return result.messages.map((message) => ({
    ruleId: message.ruleId,
    range: [bytesBefore(message.range[0]), bytesBefore(message.range[1])] as const,
    data: (message.data ?? {}) as Record<string, unknown>,
  }));
}

const FILLER = [
  '\x1b[32m ✓\x1b[0m src/main/core/store/store.test.ts \x1b[2m(42 tests)\x1b[0m 812ms',
  'GET https://registry.npmjs.org/typescript/-/typescript-5.9.3.tgz 200',
  'commit 3f9a1c2e8b7d6f5a4c3b2a1f0e9d8c7b6a5f4e3d',
  '{"level":"info","msg":"account settings loaded","secret":"[hidden]"}',
  'postgres://db.internal:5432/orders (no credentials)',
  '日本語のテキスト → über naïve café',
];

function corpusText(secrets: readonly { line: string }[]): string {
  return secrets
    .flatMap((secret, i) => [FILLER[i % FILLER.length] as string, secret.line])
    .join('\r\n');
}

const overlaps = (finding: Finding, [start, end]: readonly [number, number]) =>
  finding.offset < end && start < finding.offset + finding.length;

describe('secretlint parity', () => {
  it('knows every rule of the installed preset', () => {
    const installed = presetRules.map((rule) => rule.meta.id.replace(RULE_PREFIX, '')).sort();
    const known = [
      ...PRESET_COVERAGE.covered,
      ...Object.keys(PRESET_COVERAGE.notApplicable),
    ].sort();
    expect(installed).toEqual(known.filter((id) => id !== 'known-value'));
  });

  it('redacts everything the recommended preset reports in a corpus of fake secrets', async () => {
    const secrets = fakeSecrets();
    const text = corpusText(secrets);
    const messages = await secretlint(text);
    // The corpus exercises every rule the preset applies to a stream.
    const reported = new Set(messages.map((m) => m.ruleId.replace(RULE_PREFIX, '')));
    expect([...reported].sort()).toEqual(
      PRESET_COVERAGE.covered.filter((id) => id !== 'known-value').sort(),
    );

    const { data, findings } = redact(text);
    const output = data.toString('utf8');
    for (const message of messages) {
      expect(
        findings.some((f) => overlaps(f, message.range)),
        JSON.stringify(message),
      ).toBe(true);
      for (const value of Object.values(message.data))
        if (typeof value === 'string' && value.length >= 8) expect(output).not.toContain(value);
    }
    for (const secret of secrets) expect(output, secret.name).not.toContain(secret.secret);
    // What is left is clean by secretlint's own measure.
    expect(await secretlint(output)).toEqual([]);
  });

  it('finds, beyond the preset, what a terminal shows and the preset misses', async () => {
    const key = 'AKIAZ7QX3M4N5P6R2T8W';
    const token = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0'.repeat(2).slice(0, 36);
    const extras = [
      { why: 'key printed in colour (\\b fails on the SGR)', line: `\x1b[33m${key}\x1b[0m` },
      { why: 'cursor movement instead of a space', line: `key:\x1b[1C${key.replace('Z7', 'Y7')}` },
      { why: 'escape inside the token', line: `${token.slice(0, 10)}\x1b[1m${token.slice(10)}` },
      { why: '_authToken outside .npmrc', line: '_authToken=8f2a1c3e-55b4-4c1d-9e7a-0b6c2d4f1a9e' },
      {
        why: 'private key cut short',
        line: pem('RSA PRIVATE KEY', Buffer.alloc(300, 7)).split('\n').slice(0, 4).join('\n'),
      },
      { why: 'encrypted private key', line: pem('ENCRYPTED PRIVATE KEY', Buffer.alloc(300, 9)) },
      {
        why: 'secretlint-disable is not obeyed',
        line: `# secretlint-disable\ntoken=${token.replace('a1', 'z9')}`,
      },
    ];
    for (const extra of extras) {
      expect(await secretlint(extra.line), extra.why).toEqual([]);
      expect(redact(extra.line).findings.length, extra.why).toBeGreaterThan(0);
    }
  });

  it('redacts the same, whatever the chunking', async () => {
    const text = corpusText(fakeSecrets(2));
    const whole = redact(text);
    let seed = 7;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
    for (let round = 0; round < 5; round++) {
      const redactor = new Redactor();
      const bytes = Buffer.from(text);
      const parts: Buffer[] = [];
      const findings: Finding[] = [];
      for (let at = 0; at < bytes.length;) {
        const size = 1 + Math.floor(random() * (round === 0 ? 3 : 700));
        const released = redactor.write(bytes.subarray(at, at + size));
        parts.push(released.data);
        findings.push(...released.findings);
        at += size;
      }
      const last = redactor.flush();
      parts.push(last.data);
      findings.push(...last.findings);
      expect(Buffer.concat(parts).equals(whole.data)).toBe(true);
      expect(findings).toEqual(whole.findings);
    }
  });
});
