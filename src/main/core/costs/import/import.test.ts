import { appendFileSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../../shared/audit';
import { USAGE_EVENT, type UsageRecord } from '../../../../shared/costs';
import { tempDir } from '../../../../test-support/temp';
import { AuditStore } from '../../store';
import {
  claudeAssistantLines,
  claudeToolResultLine,
  codexSessionMeta,
  codexTokenCount,
  codexTurnContext,
  json,
  type ClaudeCall,
} from './fixtures/transcripts';
import { importUsage, paddockSessionSources, sourceAt, type PriceFn } from '.';

const SESSION = 'ses_0123abcd';
const context = { sessionId: '0f5e7a3c-1111-4222-8333-944455556666', cwd: '/work/project' };
/** $1 per million tokens of every kind, for the models this test knows. */
const price: PriceFn = (_provider, model, t) =>
  model.startsWith('claude-sonnet') || model === 'gpt-5-codex'
    ? {
        costUsd: (t.input + t.output + t.cacheWrite + t.cacheRead) / 1e6,
        pricedAs: model.startsWith('claude') ? 'claude-sonnet-4-5' : 'gpt-5-codex',
      }
    : null;

const stores: AuditStore[] = [];
afterEach(() => stores.splice(0).forEach((store) => store.close()));

function openStore(home: string): AuditStore {
  const store = AuditStore.open({ home, checkpointEvery: 1_000_000 });
  stores.push(store);
  return store;
}

function call(n: number, blocks = 2, model = 'claude-sonnet-4-5'): ClaudeCall {
  return {
    messageId: `msg_01Imp${String(n).padStart(6, '0')}`,
    requestId: `req_011Imp${String(n).padStart(6, '0')}`,
    model,
    input: 5,
    output: 100 * n,
    cacheWrite: 2000,
    cacheRead: 30_000,
    at: new Date(Date.UTC(2026, 10, 3, 8, 0, n)).toISOString(),
    blocks,
  };
}

function transcript(file: string, calls: ClaudeCall[]): string {
  mkdirSync(join(file, '..'), { recursive: true });
  const lines = calls.flatMap((c) => [
    ...claudeAssistantLines(context, c),
    claudeToolResultLine(
      context,
      `toolu_${c.messageId.slice(4)}_1`,
      json('ok\n'.repeat(200)),
      c.at,
    ),
  ]);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function usageEvents(store: AuditStore): AuditEvent[] {
  return store.list({ limit: 10_000 }).filter((event) => event.kind === USAGE_EVENT);
}

/** A Paddock home with one session's agent home, and the person's own ~/.claude/projects. */
function homes() {
  const paddockHome = tempDir('paddock-home-');
  const agentHome = join(paddockHome, 'sessions', SESSION, 'home');
  const person = tempDir('person-');
  return {
    paddockHome,
    sessionProjects: join(agentHome, '.claude', 'projects'),
    sessionCodex: join(agentHome, '.codex', 'sessions'),
    personProjects: join(person, '.claude', 'projects'),
    personCodex: join(person, '.codex', 'sessions'),
  };
}

describe('importUsage', () => {
  it('writes one reported cost.usage event per call, in the session whose agent home it came from', async () => {
    const h = homes();
    const inSession = transcript(join(h.sessionProjects, '-work-project', 'a.jsonl'), [
      call(1, 3),
      call(2, 1),
    ]);
    const outside = transcript(join(h.personProjects, '-home-ada-code', 'b.jsonl'), [
      call(3, 2, 'claude-mystery-9'),
    ]);
    const store = openStore(h.paddockHome);
    const sources = [
      ...paddockSessionSources(h.paddockHome),
      sourceAt('claude', h.personProjects, h.paddockHome),
    ];

    const summary = await importUsage(store, { sources, price });

    expect(summary).toMatchObject({
      files: 2,
      lines: 9,
      bytes: statSync(inSession).size + statSync(outside).size,
      calls: 3,
      added: 3,
      duplicates: 0,
      alreadyMetered: 0,
      repeats: 3,
      malformed: 0,
      longLines: 0,
      unreadable: [],
      unpriced: [{ provider: 'anthropic', model: 'claude-mystery-9', calls: 1 }],
      sessions: [],
    });
    expect(summary.sources).toEqual([
      { kind: 'claude', dir: h.sessionProjects, sessionId: SESSION, files: 1 },
      { kind: 'codex', dir: h.sessionCodex, sessionId: SESSION, files: 0 },
      { kind: 'claude', dir: h.personProjects, sessionId: null, files: 1 },
    ]);
    const events = usageEvents(store);
    expect(events.map((e) => [e.actor, e.actorId, e.sessionId])).toEqual([
      ['system', 'costs.import', SESSION],
      ['system', 'costs.import', SESSION],
      ['system', 'costs.import', null],
    ]);
    const first: UsageRecord = {
      source: 'reported',
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      tokens: { input: 5, output: 100, cacheWrite: 2000, cacheRead: 30_000 },
      costUsd: 0.032105,
      pricedAs: 'claude-sonnet-4-5',
      requestId: 'req_011Imp000001',
      messageId: 'msg_01Imp000001',
      at: '2026-11-03T08:00:01.000Z',
      latencyMs: null,
      origin: `${inSession}:1`,
    };
    expect(events[0]?.payload).toEqual(first);
    expect(events[2]?.payload).toMatchObject({ costUsd: null, pricedAs: null });
    expect(store.verify().ok).toBe(true);
  });

  it('adds nothing when the same files are imported again, and only what is new after', async () => {
    const h = homes();
    const file = transcript(join(h.sessionProjects, '-work-project', 'a.jsonl'), [
      call(1),
      call(2),
    ]);
    // A resumed Claude Code session: a new file that starts with the earlier messages.
    transcript(join(h.sessionProjects, '-work-project', 'b.jsonl'), [call(1), call(2), call(3)]);
    // The person's own Codex session, and a fork of it (its first turn copied in).
    const codex = join(h.personCodex, '2026', '11', '03');
    mkdirSync(codex, { recursive: true });
    const turn = { input: 9_000, cached: 8_000, output: 250, reasoning: 50 };
    const total = { input: 19_000, cached: 17_000, output: 290, reasoning: 50 };
    const parent = [
      codexSessionMeta('0199-parent', '2026-11-03T09:00:00Z'),
      codexTurnContext('gpt-5-codex', '2026-11-03T09:00:01Z'),
      codexTokenCount('2026-11-03T09:00:02Z', turn),
    ];
    writeFileSync(join(codex, 'rollout-a.jsonl'), `${parent.join('\n')}\n`);
    const forkFile = join(codex, 'rollout-b.jsonl');
    writeFileSync(
      forkFile,
      `${[codexSessionMeta('0199-fork', '2026-11-03T09:05:00Z', '0199-parent'), ...parent.slice(1)].join('\n')}\n`,
    );
    const store = openStore(h.paddockHome);
    const sources = [
      ...paddockSessionSources(h.paddockHome),
      sourceAt('codex', h.personCodex, h.paddockHome),
    ];

    const first = await importUsage(store, { sources, price });
    const again = await importUsage(store, { sources, price });
    appendFileSync(file, `${claudeAssistantLines(context, call(4)).join('\n')}\n`);
    appendFileSync(forkFile, `${codexTokenCount('2026-11-03T09:06:00Z', total)}\n`);
    const after = await importUsage(store, { sources, price, batchSize: 1 });

    expect(first).toMatchObject({ calls: 4, added: 4, duplicates: 0 });
    expect(again).toMatchObject({ calls: 4, added: 0, duplicates: 4 });
    expect(after).toMatchObject({ calls: 6, added: 2, duplicates: 4 });
    expect(usageEvents(store).map((e) => e.payload.messageId ?? e.payload.origin)).toEqual([
      'msg_01Imp000001',
      'msg_01Imp000002',
      'msg_01Imp000003',
      `${join(codex, 'rollout-a.jsonl')}:3`,
      'msg_01Imp000004',
      `${forkFile}:4`,
    ]);
  });

  it('lets a metered call win, and reports per session how far the transcript was off', async () => {
    const h = homes();
    transcript(join(h.sessionProjects, '-work-project', 'a.jsonl'), [call(1), call(2), call(3)]);
    const codexFile = join(h.sessionCodex, '2026', '11', '03', 'rollout-x.jsonl');
    mkdirSync(join(codexFile, '..'), { recursive: true });
    const turn = { input: 9_000, cached: 8_000, output: 250, reasoning: 50 };
    const next = { input: 10_000, cached: 9_000, output: 40, reasoning: 0 };
    const total = { input: 19_000, cached: 17_000, output: 290, reasoning: 50 };
    writeFileSync(
      codexFile,
      `${[
        codexSessionMeta('0199a1b2-0000-7000-8000-00000000000a', '2026-11-03T09:00:00Z'),
        codexTurnContext('gpt-5-codex', '2026-11-03T09:00:01Z'),
        codexTokenCount('2026-11-03T09:00:02Z', turn),
        codexTokenCount('2026-11-03T09:00:03Z', total, next),
      ].join('\n')}\n`,
    );
    const store = openStore(h.paddockHome);
    const metered = (record: Partial<UsageRecord>): UsageRecord => ({
      source: 'metered',
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      tokens: { input: 5, output: 100, cacheWrite: 2000, cacheRead: 30_000 },
      costUsd: 0.04,
      pricedAs: 'claude-sonnet-4-5',
      requestId: null,
      messageId: null,
      at: '2026-11-03T08:00:01.000Z',
      latencyMs: 900,
      ...record,
    });
    store.appendMany(
      [
        // Same request id as call 1; the broker saw 10 more output tokens than the transcript says.
        metered({
          requestId: 'req_011Imp000001',
          tokens: { input: 5, output: 110, cacheWrite: 2000, cacheRead: 30_000 },
        }),
        // Same message id as call 3 (the request id differs: the broker's own).
        metered({
          messageId: 'msg_01Imp000003',
          requestId: 'req_broker_own',
          tokens: { input: 5, output: 300, cacheWrite: 2000, cacheRead: 30_000 },
          costUsd: 0.05,
        }),
        // Codex's first turn: no ids in a session file, so the same session and token counts.
        metered({
          provider: 'openai',
          model: 'gpt-5-codex',
          tokens: { input: 1_000, output: 250, cacheWrite: 0, cacheRead: 8_000 },
          costUsd: 0.01,
        }),
      ].map((payload) => ({
        kind: USAGE_EVENT,
        actor: 'system' as const,
        actorId: 'broker',
        sessionId: SESSION,
        payload: payload as never,
      })),
    );

    const summary = await importUsage(store, {
      sources: paddockSessionSources(h.paddockHome),
      price,
    });

    expect(summary).toMatchObject({ calls: 5, added: 2, alreadyMetered: 3, duplicates: 0 });
    expect(summary.sessions).toEqual([
      {
        sessionId: SESSION,
        calls: 3,
        metered: {
          tokens: { input: 1_010, output: 660, cacheWrite: 4_000, cacheRead: 68_000 },
          costUsd: 0.1,
        },
        reported: {
          tokens: { input: 1_010, output: 650, cacheWrite: 4_000, cacheRead: 68_000 },
          costUsd: 0.07366,
        },
        difference: {
          tokens: { input: 0, output: 10, cacheWrite: 0, cacheRead: 0 },
          costUsd: 0.02634,
        },
      },
    ]);
    const added = usageEvents(store).filter((e) => e.payload.source === 'reported');
    expect(added.map((e) => [e.payload.messageId, e.payload.model])).toEqual([
      ['msg_01Imp000002', 'claude-sonnet-4-5'],
      [null, 'gpt-5-codex'],
    ]);
    expect(added[1]?.payload.tokens).toEqual({
      input: 1_000,
      output: 40,
      cacheWrite: 0,
      cacheRead: 9_000,
    });
  });

  it('skips and counts malformed lines, and passes over what is not a transcript file', async () => {
    const h = homes();
    const file = transcript(join(h.personProjects, 'p', 'a.jsonl'), [call(1)]);
    appendFileSync(
      file,
      'this is not json\n{"type":"assistant","message":{"id":"m","usage":{"in\n',
    );
    mkdirSync(join(h.personProjects, 'p', 'not-a-file.jsonl')); // a directory that looks like one
    const store = openStore(h.paddockHome);

    const summary = await importUsage(store, {
      sources: [
        sourceAt('claude', h.personProjects, h.paddockHome),
        sourceAt('claude', join(h.paddockHome, 'nowhere'), h.paddockHome),
      ],
      price,
    });

    expect(summary).toMatchObject({ files: 1, calls: 1, added: 1, malformed: 2, unreadable: [] });
  });
  it('stops at a failed write with the store’s error, keeping what it wrote before', async () => {
    const h = homes();
    transcript(join(h.personProjects, 'p', 'a.jsonl'), [call(1), call(2), call(3)]);
    const store = openStore(h.paddockHome);
    let writes = 0;
    const full = new Error('database or disk is full');
    const failing = {
      knownCalls: store.knownCalls.bind(store),
      get: store.get.bind(store),
      search: store.search.bind(store),
      list: store.list.bind(store),
      appendMany: (inputs: Parameters<AuditStore['appendMany']>[0]) => {
        if (++writes > 1) throw full;
        return store.appendMany(inputs);
      },
    };
    const sources = [sourceAt('claude', h.personProjects, h.paddockHome)];

    await expect(importUsage(failing, { sources, price, batchSize: 1 })).rejects.toBe(full);
    expect(usageEvents(store)).toHaveLength(1);
    expect(await importUsage(store, { sources, price })).toMatchObject({ added: 2, duplicates: 1 });
  });
});

describe('sourceAt', () => {
  it('gives a directory in a session agent home to that session, and any other to no session', () => {
    const home = '/data/paddock';
    expect(
      sourceAt('claude', '/data/paddock/sessions/ses_0123abcd/home/.claude/projects', home),
    ).toEqual({
      kind: 'claude',
      dir: '/data/paddock/sessions/ses_0123abcd/home/.claude/projects',
      sessionId: 'ses_0123abcd',
    });
    expect(sourceAt('codex', '/data/paddock/sessions/ses_0123abcd', home).sessionId).toBeNull();
    expect(sourceAt('codex', '/home/ada/.codex/sessions', home).sessionId).toBeNull();
    expect(
      sourceAt('claude', '/data/paddock/sessions/not-a-session/home', home).sessionId,
    ).toBeNull();
  });
});
