import { describe, expect, it } from 'vitest';
import { fakeSecrets, pem } from './fixtures/fake-secrets';
import { HOLD_CAP, redact, Redactor, type Finding } from './redactor';

const AWS_KEY = 'AKIAZ7QX3M4N5P6R2T8W';

/** Writes `pieces` one by one, then flushes; returns everything released. */
function stream(redactor: Redactor, pieces: readonly (Buffer | string)[]) {
  const data: Buffer[] = [];
  const findings: Finding[] = [];
  for (const piece of [...pieces, null]) {
    const released = piece === null ? redactor.flush() : redactor.write(piece);
    data.push(released.data);
    findings.push(...released.findings);
  }
  return { data: Buffer.concat(data), findings };
}

describe('Redactor: what it redacts', () => {
  it.each(fakeSecrets().map((secret) => [secret.name, secret] as const))(
    'redacts a %s',
    (_name, { line, secret, ruleId }) => {
      const { data, findings } = redact(line);
      const output = data.toString();
      expect(output).not.toContain(secret);
      expect(output).toContain(`[REDACTED-${ruleId}]`);
      const at = Buffer.from(line).indexOf(secret);
      const covering = findings.find((f) => f.offset <= at && at < f.offset + f.length);
      expect(covering?.ruleId).toBe(ruleId);
    },
  );

  it('leaves look-alikes and examples alone', () => {
    const harmless = [
      'AKIAIOSFODNN7EXAMPLE is the key in the AWS docs',
      'postgres://user:password@localhost:5432/db and https://localhost:8080/health',
      'GET https://registry.npmjs.org/typescript 200, ssh://git@github.com/acme/app',
      'the task-list, a disk-image, ghp_short, npm_run, SG.x.y, "account": "ops"',
      '-----BEGIN PUBLIC KEY----- is not a secret',
      '_authToken=${NPM_TOKEN}',
    ].join('\n');
    expect(redact(harmless)).toEqual({ data: Buffer.from(harmless), findings: [] });
  });

  it('reports where each secret was in the original and where its placeholder is', () => {
    const line = `one ${AWS_KEY} two ghp_${'x'.repeat(36)} three`;
    const { data, findings } = redact(line);
    expect(findings.map(({ offset, length, ruleId }) => ({ offset, length, ruleId }))).toEqual([
      { offset: 4, length: 20, ruleId: 'aws' },
      { offset: 29, length: 40, ruleId: 'github' },
    ]);
    for (const finding of findings) {
      const shown = data.subarray(
        finding.redactedOffset,
        finding.redactedOffset + finding.redactedLength,
      );
      expect(shown.toString()).toBe(`[REDACTED-${finding.ruleId}]`);
    }
  });

  it('does not redact its own placeholders again', () => {
    const once = redact(
      fakeSecrets()
        .map((secret) => secret.line)
        .join('\n'),
    ).data;
    expect(redact(once).findings).toEqual([]);
  });
});

describe('Redactor: known values', () => {
  it('redacts exact values, UTF-8 and overlapping ones included', () => {
    const values = ['hunter2-vault-value', 'vault-value-ünïcode', 'p4ss'];
    const { data } = redact('a hunter2-vault-value-ünïcode b p4ss c', { knownValues: values });
    expect(data.toString()).toBe('a [REDACTED-known-value] b [REDACTED-known-value] c');
  });

  it('refuses values too short to tell from ordinary text', () => {
    expect(() => new Redactor({ knownValues: ['abc'] })).toThrow(/at least 4 bytes/);
    expect(() => new Redactor({ knownValues: ['', 'abcd'] })).not.toThrow();
  });

  it('gives another stream the same values and a state of its own', () => {
    const output = new Redactor({ knownValues: ['s3cr3t-v4lue'] });
    const input = output.newStream();
    expect(output.write('xx s3cr3t-').data.length).toBe(0);
    expect(stream(input, ['s3cr3t-v4lue']).data.toString()).toBe('[REDACTED-known-value]');
    expect(stream(output, ['v4lue']).data.toString()).toBe('xx [REDACTED-known-value]');
  });
});

describe('Redactor: streaming', () => {
  it('catches a secret split at any byte', () => {
    const line = `key=${AWS_KEY} v=open-sesame-1234 ✓ 日本 \x1b[31mred\x1b[0m`;
    const options = { knownValues: ['open-sesame-1234'] };
    const whole = redact(line, options);
    const bytes = Buffer.from(line);
    for (let split = 0; split <= bytes.length; split++) {
      const parts = [bytes.subarray(0, split), bytes.subarray(split)];
      expect(stream(new Redactor(options), parts)).toEqual(whole);
    }
    expect(whole.data.toString()).toBe(
      'key=[REDACTED-aws] v=[REDACTED-known-value] ✓ 日本 \x1b[31mred\x1b[0m',
    );
  });

  it('passes clean output through byte for byte, invalid UTF-8 included, holding back only a tail', () => {
    const bytes = Buffer.concat(
      Array.from({ length: 2000 }, (_, i) =>
        Buffer.from(
          `\x1b[3${i % 8}mline ${i}\x1b[0m https://example.com/${i} \xff\xfe\r\n`,
          'latin1',
        ),
      ),
    );
    const redactor = new Redactor();
    const released: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += 1000)
      released.push(redactor.write(bytes.subarray(at, at + 1000)).data);
    expect(redactor.held).toBeLessThan(1000 + 400);
    released.push(redactor.flush().data);
    expect(Buffer.concat(released).equals(bytes)).toBe(true);
  });
});

describe('Redactor: terminal escape sequences', () => {
  it('sees a secret the way the screen shows it', () => {
    const token = `ghp_${'k'.repeat(36)}`;
    const cases = {
      colour: `\x1b[1;33m${AWS_KEY}\x1b[0m`,
      'cursor movement as a space': `id:\x1b[2C${AWS_KEY}`,
      'escape inside': `${token.slice(0, 9)}\x1b[4m${token.slice(9)}\x1b[24m`,
    };
    for (const [why, line] of Object.entries(cases)) {
      const output = redact(line).data.toString();
      expect(output, why).toMatch(/\[REDACTED-(aws|github)\]/);
      expect(output, why).not.toMatch(/KIAZ7QX|kkkkkkkk/);
    }
  });

  it('keeps colour and cursor codes from inside a redacted span, after its placeholder', () => {
    const line = `${AWS_KEY.slice(0, 8)}\x1b[31m${AWS_KEY.slice(8)} rest`;
    expect(redact(line).data.toString()).toBe('[REDACTED-aws]\x1b[31m rest');
  });
});

describe('Redactor: private keys', () => {
  const body = (bytes: number) => Buffer.alloc(bytes, 0x5a);

  it('redacts a block whole, END line included, and a block cut short', () => {
    const block = pem('OPENSSH PRIVATE KEY', body(600));
    expect(redact(`$ cat id\r\n${block}\r\n$ `).data.toString()).toBe(
      '$ cat id\r\n[REDACTED-privatekey]\r\n$ ',
    );
    const cut = block.split('\n').slice(0, 5).join('\r\n');
    expect(redact(`${cut}\r\n$ ls`).data.toString()).toBe('[REDACTED-privatekey]\r\n$ ls');
  });

  it('redacts a body longer than the pattern bound, in pieces', () => {
    const block = pem('PGP PRIVATE KEY BLOCK', body(40_000));
    const { data, findings } = redact(`${block}\nnext`);
    expect(findings.length).toBeGreaterThan(1);
    expect(data.toString()).toMatch(/^(\[REDACTED-privatekey\])+\nnext$/);
  });

  it('holds a key block as it streams, up to the hold cap, and never releases its body', () => {
    const block = pem('RSA PRIVATE KEY', body(150_000)).split('\n');
    const redactor = new Redactor();
    const released: Buffer[] = [];
    let mostHeld = 0;
    for (const line of block.slice(0, -1)) {
      released.push(redactor.write(`\x1b[32m${line}\x1b[0m\r\n`).data);
      mostHeld = Math.max(mostHeld, redactor.held);
    }
    // No END line: the block ends at the first line that cannot be base64.
    released.push(redactor.write('$ done\r\n').data, redactor.flush().data);
    expect(mostHeld).toBeLessThanOrEqual(HOLD_CAP + 200);
    const output = Buffer.concat(released).toString();
    expect(output).not.toMatch(/WlpaWlpa/);
    expect(output).toMatch(/\[REDACTED-privatekey\][^]*\r\n\$ done\r\n$/);
  });
});
