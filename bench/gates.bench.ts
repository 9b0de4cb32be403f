/**
 * What a gate run costs beyond the gate's own command, on a 10,000-file repository with a
 * 500-line diff: snapshot (Paddock's commit of the work tree), landing (target, diff hash, diff),
 * sandbox start, evidence storage, the built-in checks. The gate is `true`, so the run is almost
 * all overhead; its own cost is a plain spawn of `true`, measured alongside and subtracted.
 * Each round changes one line first, so every run makes a new snapshot. Target: at most 200 ms at
 * the median. Also: the same beside a live agent (the sandbox's spare process is warm), and the
 * review state (`gates.status`), which the review screen reads.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { makeRepository } from '../src/main/core/git/testing';
import { testGates } from '../src/test-support/gates';
import { shellPreset } from '../src/test-support/fixtures/shell-preset';
import { testSessions } from '../src/test-support/sessions';
import { type BenchResult, percentile, progress, withTempDir } from './lib';

const FILES = 10_000;
const CHANGED_FILES = 50;
const LINES_PER_FILE = 10;
const ROUNDS = 20;
const person = { actor: 'person' as const, actorId: 'bench' };
const quiet = { stdout: () => undefined, stderr: () => undefined };

export async function run(): Promise<BenchResult[]> {
  return withTempDir(async (dir) => {
    const repo = join(dir, 'repo');
    mkdirSync(repo);
    progress(`a repository of ${FILES} files ...`);
    makeRepository(repo, sourceFiles());
    const { store, settings, projects, sessions, close } = testSessions({
      home: join(dir, 'home'),
      presets: [shellPreset('idle', 'sleep 3600')],
    });
    try {
      const problem = await sessions.sandbox.problem();
      if (problem) throw new Error(`the sandbox cannot run here: ${problem}`);
      settings.set(
        'policy.personal',
        'version: 1\ngates:\n  tests:\n    - name: own command\n      run: ["true"]\n',
        person,
      );
      const gates = testGates({ store, settings, projects, sessions });
      const ended = await sessions.exec(
        { project: repo, argv: ['sh', '-c', agentWork()], keep: true },
        quiet,
        person,
      );
      const live = await sessions.start({ project: repo, preset: 'idle' }, person);
      writeFileSync(join(sessions.workspace(live.id).path, 'agent.sh'), agentWork());
      await sessions.execIn(live.id, ['sh', 'agent.sh'], quiet, person);
      const measured = {
        ended: [] as number[],
        live: [] as number[],
        status: [] as number[],
        spawn: [] as number[],
      };
      for (let round = 0; round < ROUNDS + 2; round++) {
        for (const [id, into] of [
          [ended.session.id, measured.ended],
          [live.id, measured.live],
        ] as const) {
          writeFileSync(join(sessions.workspace(id).path, 'src/m0/f0.ts'), `round ${round}\n`);
          const started = performance.now();
          const gated = await gates.run(id, person);
          const took = performance.now() - started;
          if (gated.verdict !== 'pass') throw new Error(`the gates did not pass: ${gated.verdict}`);
          if (round >= 2) into.push(took);
        }
        const statusStarted = performance.now();
        await gates.status(ended.session.id);
        if (round >= 2) measured.status.push(performance.now() - statusStarted);
        const spawnStarted = performance.now();
        await spawnTrue();
        if (round >= 2) measured.spawn.push(performance.now() - spawnStarted);
      }
      const own = percentile(measured.spawn, 50);
      const diffNote = `${FILES} files, ${CHANGED_FILES * LINES_PER_FILE}-line diff, median of ${ROUNDS}`;
      return [
        {
          name: 'gate overhead beyond its command (ended session: sandbox starts cold)',
          value: percentile(measured.ended, 50) - own,
          unit: 'ms',
          note: `target ≤ 200; ${diffNote}`,
        },
        {
          name: 'gate overhead beyond its command (beside a live agent)',
          value: percentile(measured.live, 50) - own,
          unit: 'ms',
          note: `target ≤ 200; ${diffNote}`,
        },
        {
          name: 'gate run p95 (ended session, command included)',
          value: percentile(measured.ended, 95),
          unit: 'ms',
          note: diffNote,
        },
        {
          name: 'review state (gates.status: snapshot, landing, diff, staleness)',
          value: percentile(measured.status, 50),
          unit: 'ms',
          note: diffNote,
        },
        {
          name: 'the command itself (spawn of true)',
          value: own,
          unit: 'ms',
          note: 'subtracted above',
        },
      ];
    } finally {
      await close();
    }
  });
}

/** 100 folders of 100 small files. */
function sourceFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < FILES; i++)
    files[`src/m${Math.floor(i / 100)}/f${i % 100}.ts`] = `export const v${i} = ${i};\n`;
  return files;
}

/** The agent's change: 10 lines added to each of 50 files (500 lines). */
function agentWork(): string {
  const lines = Array.from({ length: LINES_PER_FILE }, (_, i) => `// added line ${i}`).join('\\n');
  return Array.from(
    { length: CHANGED_FILES },
    (_, i) => `printf '${lines}\\n' >> src/m${i + 1}/f${i}.ts`,
  ).join('; ');
}

function spawnTrue(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('true');
    child.once('error', reject);
    child.once('close', () => resolve());
  });
}
