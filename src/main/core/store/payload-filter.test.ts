import { describe, expect, it } from 'vitest';
import type { AuditEvent, JsonObject } from '../../../shared/audit';
import { tempDir } from '../../../test-support/temp';
import { AuditStore, type AppendInput } from './index';

function openStore(home = tempDir()) {
  return AuditStore.open({ home, checkpointEvery: 1_000_000 });
}

/** Stands in for the composition root's redactor: every `open sesame` becomes `[gone]`. */
const hideSesame = (payload: JsonObject): JsonObject =>
  JSON.parse(JSON.stringify(payload).replaceAll('open sesame', '[gone]')) as JsonObject;

describe('AuditStore: the payload filter', () => {
  it('hashes, writes, returns and announces what the filter returns, on every path', () => {
    const home = tempDir();
    const store = openStore(home);
    const heard: AuditEvent[] = [];
    store.onAppend((events) => heard.push(...events));
    store.setPayloadFilter(hideSesame);
    const one = store.append({
      kind: 'x.one',
      actor: 'agent',
      actorId: 'claude',
      sessionId: 's',
      payload: { said: 'open sesame', nested: [{ 'open sesame': 1 }] },
    });
    const many = store.appendMany([
      { kind: 'x.two', actor: 'system', actorId: 't', payload: { said: 'open sesame!' } },
      { kind: 'x.three', actor: 'system', actorId: 't', payload: { said: 'nothing' } },
    ]);
    const inside = store.transaction(() =>
      store.append({
        kind: 'x.four',
        actor: 'system',
        actorId: 't',
        payload: { a: 'open sesame' },
      }),
    );
    const hash = store.putBlob('content');
    const tombstone = store.dropBlob(hash, 'said open sesame', 'person', 'ada');

    expect(one.payload).toEqual({ said: '[gone]', nested: [{ '[gone]': 1 }] });
    expect(many.map((event) => event.payload.said)).toEqual(['[gone]!', 'nothing']);
    expect(inside.payload).toEqual({ a: '[gone]' });
    expect(tombstone.payload).toEqual({ hash, reason: 'said [gone]' });
    const stored = store.list();
    expect(stored).toEqual([one, ...many, inside, tombstone]);
    expect(heard).toEqual(stored);
    expect(JSON.stringify(stored)).not.toContain('open sesame');
    expect(store.verify()).toMatchObject({ ok: true, events: 5, problems: [] });
    store.close();

    const reopened = openStore(home);
    expect(reopened.verify()).toMatchObject({ ok: true, events: 5 });
    expect(reopened.get(one.seq)).toEqual(one);
    reopened.close();
  });

  it('fails the append, and its whole transaction, when the filter throws: nothing is written', () => {
    const store = openStore();
    const kept = store.append({ kind: 'x', actor: 'system', actorId: 't', sessionId: 's' });
    const heard: AuditEvent[] = [];
    store.onAppend((events) => heard.push(...events));
    store.setPayloadFilter((payload) => {
      if ('bad' in payload) throw new Error('cannot redact');
      return payload;
    });

    const bad: AppendInput = {
      kind: 'x',
      actor: 'system',
      actorId: 't',
      sessionId: 's',
      payload: { bad: 1 },
    };
    const good: AppendInput = { ...bad, payload: { ok: 1 } };
    expect(() => store.append(bad)).toThrow('cannot redact');
    expect(() => store.appendMany([good, bad])).toThrow('cannot redact');
    expect(() =>
      store.transaction(() => {
        store.append(good);
        store.append(bad);
      }),
    ).toThrow('cannot redact');

    expect(store.list()).toEqual([kept]);
    expect(store.headInfo()).toEqual({ seq: 1, hash: kept.hash });
    expect(heard).toEqual([]);
    store.setPayloadFilter(null);
    const next = store.append(bad);
    expect(next.payload).toEqual({ bad: 1 });
    expect(next.prevHash).toBe(kept.hash);
    expect(next.sessionPrevHash).toBe(kept.hash);
    expect(store.verify()).toMatchObject({ ok: true, events: 2 });
    store.close();
  });

  it('with no filter, and with one that changes nothing, the event carries the payload given', () => {
    const store = openStore();
    const payload = { tool: 'Bash', input: { command: 'ls' } };
    expect(store.append({ kind: 'x', actor: 'system', actorId: 't', payload }).payload).toBe(
      payload,
    );
    store.setPayloadFilter((given) => given);
    expect(store.append({ kind: 'x', actor: 'system', actorId: 't', payload }).payload).toBe(
      payload,
    );
    expect(store.verify().ok).toBe(true);
    store.close();
  });
});
