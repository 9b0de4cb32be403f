import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../shared/audit';
import { tempDir } from '../../../test-support/temp';
import { AuditStore } from '../store';
import { PayloadRedactor } from './index';
import { secretForms } from './secret-forms';

const NAME = 'STRIPE_KEY';
/** Characters that URL encoding and base64 spell differently, and one that is two bytes long. */
const VALUE = 'sk_live_Zq8xW3nVb7Rt2Ym/+K9?&=é';
const SECRET = `[secret:${NAME}]`;

/** Every spelling of VALUE a payload may carry: base64 at each alignment, standard and URL-safe. */
const spellings = {
  raw: VALUE,
  hex: Buffer.from(VALUE).toString('hex'),
  HEX: Buffer.from(VALUE).toString('hex').toUpperCase(),
  url: encodeURIComponent(VALUE),
  base64: [0, 1, 2].map((shift) => Buffer.from(`${'x'.repeat(shift)}${VALUE}`).toString('base64')),
  base64url: [0, 1, 2].map((shift) =>
    Buffer.from(`${'y'.repeat(shift)}${VALUE}!`).toString('base64url'),
  ),
};

/** A hook event carrying the secret in every spelling, in values and a key, at depth. */
function hookEvent(): JsonObject {
  return {
    tool: 'Bash',
    input: { command: `curl -H "Authorization: Bearer ${VALUE}" https://api.stripe.com` },
    output: [
      'ok',
      { url: `https://x.test/?key=${spellings.url}&y=1`, hex: [spellings.hex, spellings.HEX] },
      [spellings.base64, spellings.base64url],
    ],
    env: { [VALUE]: 'as a key', plain: 'no secret here', count: 3, flag: true, none: null },
  };
}
/** How many strings of `hookEvent()` hold the secret. */
const HOOK_EVENT_SECRETS = 11;

/** Every file under `dir` (the database, its WAL and shared memory, the blob file, backups). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile());
}

/** Which spellings of VALUE the bytes of the files under `dir` hold, and where. */
function spellingsIn(dir: string): string[] {
  return filesUnder(dir).flatMap((path) => {
    const bytes = readFileSync(path);
    return secretForms(VALUE, 4)
      .filter((form) => bytes.includes(Buffer.from(form)))
      .map((form) => `${form} in ${path}`);
  });
}

describe('PayloadRedactor', () => {
  const redactor = new PayloadRedactor([
    { name: NAME, value: VALUE },
    { name: 'OTHER', value: 'another-secret-value' },
  ]);

  it('replaces every spelling of a secret, in values and keys, at any depth, and counts them', () => {
    const payload = hookEvent();
    const before = structuredClone(payload);
    const { payload: redacted, replacements } = redactor.redact(payload);
    expect(replacements).toBe(HOOK_EVENT_SECRETS);
    expect(payload).toEqual(before);
    const text = JSON.stringify(redacted);
    // What encodes the bytes around the value stays: only the characters of the value alone go.
    const base64 = Array(3).fill(expect.stringContaining(SECRET)) as unknown[];
    for (const form of secretForms(VALUE, 4)) expect(text).not.toContain(form);
    expect(text.split(SECRET)).toHaveLength(HOOK_EVENT_SECRETS + 1);
    expect(redacted).toMatchObject({
      tool: 'Bash',
      input: { command: `curl -H "Authorization: Bearer ${SECRET}" https://api.stripe.com` },
      output: [
        'ok',
        { url: `https://x.test/?key=${SECRET}&y=1`, hex: [SECRET, SECRET] },
        [base64, base64],
      ],
      env: { [SECRET]: 'as a key', plain: 'no secret here', count: 3, flag: true, none: null },
    });
  });

  it('gives back the very payload when nothing matched', () => {
    const payload: JsonObject = {
      tool: 'Read',
      input: { file_path: '/repo/src/index.ts' },
      lines: Array.from({ length: 10_000 }, (_, i) => `line ${i}: const x = ${i};`),
      nested: [[{ deep: 'é ✓ 𝄞' }]],
    };
    expect(redactor.redact(payload)).toEqual({ payload, replacements: 0 });
    expect(redactor.redact(payload).payload).toBe(payload);
    expect(redactor.filter(payload)).toBe(payload);
    const empty = new PayloadRedactor([]);
    const withSecret = hookEvent();
    expect(empty.empty).toBe(true);
    expect(redactor.empty).toBe(false);
    expect(empty.filter(withSecret)).toBe(withSecret);
  });

  it('copies only the way to a match and shares the rest', () => {
    const untouched = { a: ['x', { b: 'y' }] };
    const payload: JsonObject = { untouched, hit: { list: ['z', `k=${VALUE}`] }, n: 1 };
    const redacted = redactor.filter(payload);
    expect(redacted).toEqual({ untouched, hit: { list: ['z', `k=${SECRET}`] }, n: 1 });
    expect(redacted.untouched).toBe(untouched);
    expect(payload.hit).toEqual({ list: ['z', `k=${VALUE}`] });
  });

  it('keeps the characters around a secret, and merges secrets that overlap', () => {
    const { payload, replacements } = redactor.redact({
      text: `é ✓ 𝄞 ${VALUE} 🎉 another-secret-value.`,
      touching: `${VALUE}another-secret-value`,
      overlapping: 'another-secret-value-secret-value',
    });
    expect(payload).toEqual({
      text: `é ✓ 𝄞 ${SECRET} 🎉 [secret:OTHER].`,
      touching: `${SECRET}[secret:OTHER]`,
      overlapping: '[secret:OTHER]-secret-value',
    });
    expect(replacements).toBe(5);
    const overlap = new PayloadRedactor([
      { name: 'A', value: 'abcdef' },
      { name: 'B', value: 'defghi' },
    ]);
    expect(overlap.redact({ s: '<abcdefghi>' })).toEqual({
      payload: { s: '<[secret:A]>' },
      replacements: 1,
    });
  });

  it('keeps a __proto__ key a key, and redacts what an object serialises to', () => {
    const parsed = JSON.parse(`{"__proto__": "${VALUE}", "at": "x"}`) as JsonObject;
    const redacted = redactor.filter(parsed);
    expect(Object.getPrototypeOf(redacted)).toBe(Object.prototype);
    expect(Object.keys(redacted)).toEqual(['__proto__', 'at']);
    expect(redacted['__proto__']).toBe(SECRET);
    const when = new Date(0);
    const odd = { when, custom: { toJSON: () => ({ token: VALUE }) } } as unknown as JsonObject;
    const out = redactor.filter(odd);
    expect(out.when).toBe(when);
    expect(out.custom).toEqual({ token: SECRET });
  });

  it('refuses a secret too short to tell from ordinary text', () => {
    expect(() => new PayloadRedactor([{ name: 'PIN', value: '123' }])).toThrow(RangeError);
  });
});

describe('PayloadRedactor as the audit store’s payload filter', () => {
  it('keeps every spelling of a secret out of what is read back and out of every byte of the files', () => {
    const home = tempDir();
    const store = AuditStore.open({ home, checkpointEvery: 1_000_000 });
    store.setPayloadFilter(new PayloadRedactor([{ name: NAME, value: VALUE }]).filter);
    const first = store.append({
      kind: 'hook.post-tool-use',
      actor: 'agent',
      actorId: 'claude',
      sessionId: 's1',
      payload: hookEvent(),
    });
    store.appendMany([
      {
        kind: 'approval.requested',
        actor: 'agent',
        actorId: 'claude',
        sessionId: 's1',
        payload: { input: { command: `export KEY=${VALUE}` } },
      },
      { kind: 'note', actor: 'person', actorId: 'ada', payload: { text: 'nothing secret' } },
    ]);
    store.transaction(() =>
      store.append({ kind: 'x', actor: 'system', actorId: 't', payload: { [spellings.hex]: 1 } }),
    );
    store.flushIndexes();

    const events = store.list();
    expect(events.map((event) => event.payload)).toEqual([
      new PayloadRedactor([{ name: NAME, value: VALUE }]).filter(hookEvent()),
      { input: { command: `export KEY=${SECRET}` } },
      { text: 'nothing secret' },
      { [SECRET]: 1 },
    ]);
    expect(store.get(first.id)?.payload.env).toEqual({
      [SECRET]: 'as a key',
      plain: 'no secret here',
      count: 3,
      flag: true,
      none: null,
    });
    expect(store.search('Zq8xW3nVb7Rt2Ym')).toEqual([]);
    expect(store.verify()).toMatchObject({ ok: true, events: 4, sessions: 1, problems: [] });
    // While the store is open the rows are in the WAL; at close they move into the database.
    expect(filesUnder(home).some((path) => path.endsWith('.db-wal'))).toBe(true);
    expect(spellingsIn(home)).toEqual([]);
    store.close();
    expect(spellingsIn(home)).toEqual([]);

    const reader = AuditStore.open({ home, readonly: true });
    expect(reader.verify()).toMatchObject({ ok: true, events: 4 });
    expect(reader.list()).toEqual(events);
    reader.close();
  });

  it('(the check above can see a secret: without the filter, every spelling is in the files)', () => {
    const home = tempDir();
    const store = AuditStore.open({ home, checkpointEvery: 1_000_000 });
    store.append({ kind: 'x', actor: 'agent', actorId: 'claude', payload: hookEvent() });
    store.flushIndexes();
    expect(store.search('Zq8xW3nVb7Rt2Ym')).toHaveLength(1);
    const formsIn = () => new Set(spellingsIn(home).map((found) => found.split(' in ')[0]));
    expect(formsIn()).toEqual(new Set(secretForms(VALUE, 4)));
    store.close();
    expect(formsIn()).toEqual(new Set(secretForms(VALUE, 4)));
  });
});
