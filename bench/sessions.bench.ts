/**
 * Session start on a generated 10,000-file repository: workspace plus spawn to the agent's first
 * byte, through the session manager, beside a raw `git clone --shared` plus a bare node-pty spawn
 * of the same program. Median of interleaved rounds (target: at most 1.3×).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node-pty';
import type { AgentPreset } from '../src/main/core/agents';
import type { SessionManager } from '../src/main/core/sessions';
import { testSessions } from '../src/test-support/sessions';
import { type BenchResult, percentile, progress, withTempDir } from './lib';

const FILES = 10_000;
const ROUNDS = 7;
const AGENT = ['-e', "process.stdout.write('ready\\n'); setTimeout(() => {}, 200)"];

const agentPreset: AgentPreset = {
  id: 'bench',
  name: 'bench agent',
  command: process.execPath,
  args: AGENT,
  task: { kind: 'none' },
  resume: {},
  env: {},
  homeSetup: 'none',
  bundled: false,
  install: 'node',
  builtIn: false,
};

export async function run(): Promise<BenchResult[]> {
  return withTempDir(async (dir) => {
    const repo = generateRepository(join(dir, 'repo'));
    const home = join(dir, 'home');
    const { settings, projects, sessions, close } = testSessions({ home, presets: [agentPreset] });
    const samples = { paddock: [] as number[], raw: [] as number[] };
    try {
      await projects.add(repo, { actor: 'system', actorId: 'bench' });
      // BENCH_WORKSPACES_ROOT puts both sides' checkouts elsewhere (e.g. a tmpfs) to see what the
      // filesystem, not Paddock, costs.
      const elsewhere = process.env.BENCH_WORKSPACES_ROOT;
      if (elsewhere)
        settings.set('workspaces.root', join(elsewhere, 'paddock'), {
          actor: 'system',
          actorId: 'bench',
        });
      for (let round = 0; round < ROUNDS; round++) {
        const rawRoot = process.env.BENCH_WORKSPACES_ROOT ?? dir;
        samples.raw.push(await rawStart(repo, join(rawRoot, `raw-${process.pid}-${round}`)));
        samples.paddock.push(await paddockStart(sessions, repo));
        progress(
          `session start, round ${round + 1}/${ROUNDS}: paddock ${samples.paddock.at(-1)?.toFixed(0)} ms, raw ${samples.raw.at(-1)?.toFixed(0)} ms`,
        );
      }
    } finally {
      await close();
    }
    const ratios = samples.paddock.map((value, i) => value / (samples.raw[i] as number));
    return [
      {
        name: `session start, ${FILES.toLocaleString()}-file repo (workspace + spawn → first byte)`,
        value: percentile(samples.paddock, 50),
        unit: 'ms',
        note: `median of ${ROUNDS}`,
      },
      {
        name: 'raw git clone --shared + node-pty spawn → first byte',
        value: percentile(samples.raw, 50),
        unit: 'ms',
        note: `median of ${ROUNDS}`,
      },
      {
        name: 'ratio session start / raw',
        value: percentile(ratios, 50),
        unit: '×',
        note: 'median of the rounds’ ratios; target ≤ 1.3',
      },
    ];
  });
}

function generateRepository(path: string): string {
  progress(`generating a ${FILES.toLocaleString()}-file repository ...`);
  for (let d = 0; d < 100; d++) {
    const folder = join(path, `src/module-${d}`);
    mkdirSync(folder, { recursive: true });
    for (let f = 0; f < FILES / 100; f++)
      writeFileSync(join(folder, `file-${f}.ts`), `export const value${f} = ${d * 1000 + f};\n`);
  }
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: path,
      stdio: 'ignore',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'b',
        GIT_AUTHOR_EMAIL: 'b@b',
        GIT_COMMITTER_NAME: 'b',
        GIT_COMMITTER_EMAIL: 'b@b',
      },
    });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-qm', 'generated');
  return path;
}

async function paddockStart(sessions: SessionManager, repo: string): Promise<number> {
  const started = performance.now();
  let firstByte = 0;
  const stop = sessions.onOutput(() => (firstByte ||= performance.now()));
  const session = await sessions.start(
    { project: repo, preset: 'bench' },
    { actor: 'system', actorId: 'bench' },
  );
  while (!firstByte) await new Promise((resolve) => setImmediate(resolve));
  stop();
  await sessions.waitForExit(session.id);
  await sessions.discard(session.id, { actor: 'system', actorId: 'bench' });
  return firstByte - started;
}

async function rawStart(repo: string, target: string): Promise<number> {
  const started = performance.now();
  execFileSync('git', ['clone', '-q', '--shared', repo, target], { stdio: 'ignore' });
  const pty = spawn(process.execPath, AGENT, {
    cwd: target,
    cols: 120,
    rows: 32,
    env: { PATH: process.env.PATH ?? '' },
  });
  const firstByte = await new Promise<number>((resolve) =>
    pty.onData(() => resolve(performance.now())),
  );
  await new Promise<void>((resolve) => pty.onExit(() => resolve()));
  return firstByte - started;
}
