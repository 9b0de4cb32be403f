/**
 * What a secret read costs: the broker asks the vault for a secret's real value on every model call
 * (so a rotation takes effect at once), and each ask is a keychain round trip. Here against a real
 * Secret Service: gnome-keyring on a private D-Bus session (src/test-support/keyring.ts), the vault
 * exactly as Paddock makes it (keytar, service `Paddock`) over a temp audit store and settings.
 *
 * libsecret connects once per process, to the bus DBUS_SESSION_BUS_ADDRESS names when it is first
 * used: this module points the process at the private bus before anything touches the keychain (no
 * other bench module does). When the keyring cannot be started here, the figures say so.
 */
import { performance } from 'node:perf_hooks';
import { SettingsService } from '../src/main/core/settings';
import { AuditStore } from '../src/main/core/store';
import {
  keytarKeychain,
  refuseIndexEditsOutsideVault,
  secretAccount,
  VaultService,
} from '../src/main/core/vault';
import { startSecretService, type SecretService } from '../src/test-support/keyring';
import { type BenchResult, percentile, progress, withTempDir } from './lib';

const WARM_UP = 20;
const READS = 400;
const MISSES = 100;
const MANY = 10;
const ROUNDS_MANY = 50;
const ROTATIONS = 50;

const by = { actor: 'person' as const, actorId: 'bench' };
const secret = (i: number) => `sk-bench-${i}-${'x'.repeat(40)}-${Date.now().toString(36)}`;

export async function run(): Promise<BenchResult[]> {
  let service: SecretService;
  try {
    service = await startSecretService();
  } catch (error) {
    return notMeasured(((error as Error).message.split('\n')[0] ?? '').trim());
  }
  const previous = process.env.DBUS_SESSION_BUS_ADDRESS;
  process.env.DBUS_SESSION_BUS_ADDRESS = service.address;
  try {
    return await withTempDir((home) => measure(home));
  } finally {
    if (previous === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
    else process.env.DBUS_SESSION_BUS_ADDRESS = previous;
    await service.stop();
  }
}

/** No figure at all, and why: never a number that was not measured. */
function notMeasured(why: string): BenchResult[] {
  progress(why);
  return [
    {
      name: 'vault.value (one keychain read), p50',
      value: Number.NaN,
      unit: 'ms',
      note: `not measured: ${why}`,
    },
  ];
}

async function measure(home: string): Promise<BenchResult[]> {
  const store = AuditStore.open({ home });
  try {
    const settings = new SettingsService(store, { 'vault.secrets': refuseIndexEditsOutsideVault });
    const keychain = keytarKeychain();
    const vault = new VaultService(store, settings, keychain);
    const problem = await vault.keychainProblem();
    if (problem)
      return notMeasured(`the private Secret Service started but does not answer: ${problem}`);

    await vault.set('BENCH_KEY', secret(0), { hosts: ['api.example.com'] }, by);
    // A read after a change goes to the keychain; the next ones reuse it (VALUE_REUSE_MS).
    let changed = 0;
    const reads = await timed(
      MISSES,
      () => vault.value('BENCH_KEY'),
      () => vault.set('BENCH_KEY', secret((changed += 1)), {}, by),
    );
    const reused = await timed(READS, () => vault.value('BENCH_KEY'));
    // The same read straight from the keychain: what of it is D-Bus and the keyring.
    const raw = await timed(READS, () => keychain.get(secretAccount('BENCH_KEY')));
    progress(`${MISSES} first reads, ${READS} reused and ${READS} straight from keytar`);

    for (let i = 1; i < MANY; i++)
      await vault.set(`BENCH_KEY_${i}`, secret(i), { hosts: ['api.example.com'] }, by);
    const held = (await vault.values()).size;
    if (held !== MANY) throw new Error(`vault.values() gave ${held} secrets, not ${MANY}`);
    const many = await timed(ROUNDS_MANY, () => vault.values());

    let rotation = 0;
    const rotations = await timed(ROTATIONS, () =>
      vault.set('BENCH_KEY', secret((rotation += 1)), {}, by),
    );
    progress(`${ROUNDS_MANY} reads of all ${MANY} secrets, ${WARM_UP + ROTATIONS} rotations`);

    const warm = `warm, ${READS} reads`;
    const first = `${MISSES} reads, each after a rotation`;
    return [
      {
        name: 'vault.value (one keychain read), p50',
        value: percentile(reads, 50),
        unit: 'ms',
        note: first,
      },
      {
        name: 'vault.value (one keychain read), p99',
        value: percentile(reads, 99),
        unit: 'ms',
        note: first,
      },
      {
        name: 'vault.value reused (as on every model call), p50',
        value: percentile(reused, 50),
        unit: 'ms',
        note: warm,
      },
      { name: 'keytar getPassword alone, p50', value: percentile(raw, 50), unit: 'ms', note: warm },
      {
        name: `vault.values() with ${MANY} secrets, p50`,
        value: percentile(many, 50),
        unit: 'ms',
        note: `${ROUNDS_MANY} rounds, values reused after the first`,
      },
      {
        name: 'vault.set, a rotation, p50',
        value: percentile(rotations, 50),
        unit: 'ms',
        note: `${ROTATIONS} rotations (keychain read + write, index and audit event)`,
      },
    ];
  } finally {
    store.close();
  }
}

/** Milliseconds per call of `work`, `count` times after WARM_UP untimed calls (`before` untimed). */
async function timed(
  count: number,
  work: () => Promise<unknown>,
  before?: () => Promise<unknown>,
): Promise<number[]> {
  for (let i = 0; i < WARM_UP; i++) await work();
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    await before?.();
    const started = performance.now();
    await work();
    samples.push(performance.now() - started);
  }
  return samples;
}
