/**
 * A session that prints a vault secret is recorded with `[secret:NAME]` only: its terminal
 * recording, and the output of a command run in it, in the value's plain and encoded spellings.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeRepository } from '../git/testing';
import { shellPreset } from '../../../test-support/fixtures/shell-preset';
import { testSessions } from '../../../test-support/sessions';
import { tempDir } from '../../../test-support/temp';

const person = { actor: 'person' as const, actorId: 'ada' };
const VALUE = 'ghp_vaultValue0123456789abcdefABCDEF';
const PRINT = `printf '%s\\n' "$V"; printf '%s' "$V" | base64; printf '%s' "$V" | od -An -tx1 | tr -d ' \\n'; echo`;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function recordedText(
  store: ReturnType<typeof testSessions>['store'],
  sessionId: string,
  kind: string,
) {
  return store
    .list({ sessionId, limit: 10_000 })
    .filter((event) => event.kind === kind)
    .flatMap((event) => event.blobs.map((hash) => store.getBlob(hash)?.toString('utf8') ?? ''))
    .join('');
}

describe('vault secrets in a session', () => {
  it('are recorded as [secret:NAME], never in any spelling', async () => {
    const home = tempDir();
    const project = join(home, 'project');
    mkdirSync(project);
    makeRepository(project, { 'README.md': '# app\n' });
    const preset = shellPreset('prints', `V=${VALUE}; ${PRINT}`);
    const { sessions, store, close } = testSessions({
      home: join(home, 'paddock'),
      presets: [preset],
      knownSecrets: async () => [{ name: 'GITHUB_TOKEN', value: VALUE }],
    });
    cleanups.push(close);
    const session = await sessions.start({ project, preset: 'prints' }, person);
    await sessions.waitForExit(session.id);
    await sessions.execIn(
      session.id,
      ['/bin/sh', '-c', `V=${VALUE}; ${PRINT}`],
      { stdout: () => undefined, stderr: () => undefined },
      person,
    );
    const spellings = [
      VALUE,
      Buffer.from(VALUE).toString('base64').slice(0, 40),
      Buffer.from(VALUE).toString('hex'),
    ];
    for (const kind of ['terminal.output', 'session.exec']) {
      const text = recordedText(store, session.id, kind);
      expect(text, kind).toContain('[secret:GITHUB_TOKEN]');
      for (const spelling of spellings)
        expect(text, `${kind}: ${spelling}`).not.toContain(spelling);
    }
  });

  it('refuse a session whose vault cannot be read', async () => {
    const home = tempDir();
    const project = join(home, 'project');
    mkdirSync(project);
    makeRepository(project, { 'README.md': '# app\n' });
    const { sessions, close } = testSessions({
      home: join(home, 'paddock'),
      presets: [shellPreset('idle', 'true')],
      knownSecrets: async () => {
        throw new Error('No Secret Service is running on the session bus.');
      },
    });
    cleanups.push(close);
    await expect(sessions.start({ project, preset: 'idle' }, person)).rejects.toThrow(
      /cannot be read to keep them out of the recording: No Secret Service/,
    );
  });
});
