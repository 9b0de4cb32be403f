/**
 * The policy engine on the labeled command corpus (src/main/core/policy/fixtures): the share of
 * safe commands the classifier allows and the number of unsafe ones it allows (must be 0), beside
 * a re-implementation of Codex CLI's known-safe command rules judging the same commands; then the
 * latency of a whole `decide` (rules, then the classifier) per command, over many repetitions.
 */
import { performance } from 'node:perf_hooks';
import { codexAllows } from '../src/main/core/policy/baseline/codex';
import { loadCorpus } from '../src/main/core/policy/fixtures/corpus';
import { classifyCommand, decide, parsePolicy, ready } from '../src/main/core/policy';
import { percentile, progress, type BenchResult } from './lib';

const ROUNDS = 40;
const WARM_UP_ROUNDS = 3;

/** A personal policy of the usual size, so that rule matching is part of the measured decision. */
const PERSONAL = parsePolicy(
  [
    'version: 1',
    'permissions:',
    '  allow: [Bash(npm run format:*), Bash(cargo test:*), Read(./**)]',
    '  ask: [Bash(git push:*), Bash(npm publish:*)]',
    '  deny: [Bash(rm -rf /:*), Read(~/.ssh/**), Read(~/.aws/**), Network(*.evil.example)]',
    '',
  ].join('\n'),
  'settings:policy',
);

export async function run(): Promise<BenchResult[]> {
  await ready();
  const { context, commands } = loadCorpus();
  const safe = commands.filter((c) => c.label === 'safe');
  const unsafe = commands.filter((c) => c.label === 'unsafe');
  const allowed = (list: typeof commands, judge: (command: string) => boolean) =>
    list.filter((c) => judge(c.command));
  const ours = (command: string) => classifyCommand(command, context).verdict === 'allow';
  const safeShare = allowed(safe, ours).length / safe.length;
  const unsafeAllowed = allowed(unsafe, ours);
  const codexShare = allowed(safe, codexAllows).length / safe.length;
  const codexUnsafe = allowed(unsafe, codexAllows).length;
  for (const c of unsafeAllowed) progress(`UNSAFE ALLOWED (line ${c.line}): ${c.command}`);
  progress(`${commands.length} commands (${safe.length} safe, ${unsafe.length} unsafe)`);

  const options = { ...context, personal: PERSONAL };
  const samples: number[] = [];
  for (let round = 0; round < WARM_UP_ROUNDS + ROUNDS; round++) {
    for (const { command } of commands) {
      const started = performance.now();
      decide({ tool: 'Bash', command }, options);
      if (round >= WARM_UP_ROUNDS) samples.push((performance.now() - started) * 1000);
    }
  }
  progress(`${samples.length.toLocaleString()} decisions timed`);

  const on = `on ${commands.length} labeled commands`;
  return [
    {
      name: 'safe commands allowed',
      value: safeShare * 100,
      unit: '%',
      note: `target ≥ 85, ${on}`,
    },
    {
      name: 'unsafe commands allowed',
      value: unsafeAllowed.length,
      unit: 'commands',
      note: `must be 0, of ${unsafe.length}`,
    },
    {
      name: 'Codex rules: safe commands allowed',
      value: codexShare * 100,
      unit: '%',
      note: 'baseline, same corpus',
    },
    {
      name: 'Codex rules: unsafe commands allowed',
      value: codexUnsafe,
      unit: 'commands',
      note: `baseline, of ${unsafe.length}`,
    },
    {
      name: 'decision latency p50',
      value: percentile(samples, 50),
      unit: 'µs',
      note: `decide() on a Bash request, ${ROUNDS} rounds`,
    },
    {
      name: 'decision latency p99',
      value: percentile(samples, 99),
      unit: 'µs',
      note: `decide() on a Bash request, ${ROUNDS} rounds`,
    },
  ];
}
