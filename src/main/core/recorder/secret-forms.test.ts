import { describe, expect, it } from 'vitest';
import { redact, Redactor } from './redactor';
import { secretForms } from './secret-forms';

const VALUE = 'sk-ant-api03-Zq7/Ke+9xW_vault-value';
const SECRETS = [{ name: 'ANTHROPIC_KEY', value: VALUE }];

/** Every spelling of the value that must not survive redaction. */
const leaks = (text: string) =>
  [
    VALUE,
    Buffer.from(VALUE).toString('hex'),
    Buffer.from(VALUE).toString('hex').toUpperCase(),
    encodeURIComponent(VALUE),
  ].filter((form) => text.includes(form));

describe('vault secrets in a recording', () => {
  it('become [secret:NAME], in every spelling', () => {
    const text = [
      `export KEY=${VALUE}`,
      `hex ${Buffer.from(VALUE).toString('hex')} HEX ${Buffer.from(VALUE).toString('hex').toUpperCase()}`,
      `url https://x.test/?key=${encodeURIComponent(VALUE)}`,
    ].join('\n');
    const output = redact(text, { knownSecrets: SECRETS }).data.toString();
    expect(leaks(output)).toEqual([]);
    expect(output.match(/\[secret:ANTHROPIC_KEY\]/g)).toHaveLength(4);
  });

  it('are found inside longer base64, whatever their offset in it', () => {
    for (const prefix of ['', 'a', 'ab', 'Authorization: Bearer ']) {
      for (const suffix of ['', 'z', '\n{"more":true}']) {
        const blob = Buffer.from(`${prefix}${VALUE}${suffix}`);
        for (const encoded of [blob.toString('base64'), blob.toString('base64url')]) {
          const output = redact(`token ${encoded} end`, { knownSecrets: SECRETS }).data.toString();
          expect(output, `${prefix}|${suffix}`).toContain('[secret:ANTHROPIC_KEY]');
          // What is left cannot be decoded back to the value.
          const rest = output.replace(/\[secret:ANTHROPIC_KEY\]/, '');
          expect(Buffer.from(rest, 'base64').toString('latin1')).not.toContain(VALUE);
        }
      }
    }
  });

  it('are redacted across chunk bounds too', () => {
    const redactor = new Redactor({ knownSecrets: SECRETS });
    const text = `a ${VALUE} b`;
    const pieces = [...text].map((char) => redactor.write(char).data);
    pieces.push(redactor.flush().data);
    expect(Buffer.concat(pieces).toString()).toBe('a [secret:ANTHROPIC_KEY] b');
  });

  it('refuses a value too short to be told from ordinary text', () => {
    expect(() => new Redactor({ knownSecrets: [{ name: 'PIN', value: 'abc' }] })).toThrow(
      /at least 4 bytes/,
    );
  });

  it('lists the spellings once each', () => {
    const forms = secretForms('abcd', 4);
    expect(new Set(forms).size).toBe(forms.length);
    expect(forms).toContain('61626364');
    // The last character of 'YWJjZA' also encodes whatever follows the value.
    expect(forms).toContain('YWJjZ');
  });
});
