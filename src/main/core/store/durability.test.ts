import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test-support/temp';
import { AuditStore } from './index';

const fixture = join(__dirname, 'fixtures', 'append-until-killed.ts');

/** Starts the child, waits for `acks` acknowledgements, kills it with SIGKILL mid-write. */
async function killAfter(home: string, acks: number, batch: number): Promise<Map<number, string>> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, home, String(batch)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const acknowledged = new Map<number, string>();
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, signal) => resolve(signal)),
  );
  for await (const line of createInterface({ input: child.stdout })) {
    const [, seq, id] = line.split(' ');
    acknowledged.set(Number(seq), id as string);
    if (acknowledged.size === acks) child.kill('SIGKILL');
  }
  expect(await exited).toBe('SIGKILL');
  return acknowledged;
}

describe('durability', () => {
  it.each([
    ['one by one', 1],
    ['in batches of 25', 25],
  ])(
    'loses no acknowledged event when the writer is killed with SIGKILL (%s)',
    async (_label, batch) => {
      const home = tempDir();
      const acknowledged = await killAfter(home, 400, batch);
      expect(acknowledged.size).toBeGreaterThanOrEqual(400);
      // The dead writer's lock is stale; a new writer takes over and finds every acknowledged event.
      const store = AuditStore.open({ home });
      for (const [seq, id] of acknowledged) expect(store.get(seq)?.id).toBe(id);
      const report = store.verify();
      expect(report.problems).toEqual([]);
      expect(report.events).toBeGreaterThanOrEqual(acknowledged.size);
      // The search index, filled after commit, catches up with what the killed writer left unindexed.
      expect(store.search('test.write', 1)[0]?.seq).toBe(store.headInfo().seq);
      store.close();
    },
    30_000,
  );
});
