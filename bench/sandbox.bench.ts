/**
 * What the sandbox costs a command. In one run, interleaved, median of ROUNDS:
 *   - `paddock session exec` (a command in a running session's workspace), sandboxed and not;
 *   - `paddock exec --project DIR -- true` (a one-shot session: workspace, run, discard), both ways;
 *   - a raw spawn of `true`, and raw bwrap with the session's very mounts (no preparation, no
 *     limits), to see where the time goes.
 * Target: the sandbox adds at most 15 ms at the median to a command in a running session.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { makeRepository } from '../src/main/core/git/testing';
import type { SessionManager } from '../src/main/core/sessions';
import { shellPreset } from '../src/test-support/fixtures/shell-preset';
import { testSessions } from '../src/test-support/sessions';
import { type BenchResult, percentile, progress, withTempDir } from './lib';

const ROUNDS = 40;
const person = { actor: 'person' as const, actorId: 'bench' };
const quiet = { stdout: () => undefined, stderr: () => undefined };

export async function run(): Promise<BenchResult[]> {
  return withTempDir(async (dir) => {
    const repo = join(dir, 'repo');
    mkdirSync(repo);
    makeRepository(repo, sourceFiles(200));
    const home = join(dir, 'home');
    const { sessions, close } = testSessions({
      home,
      presets: [shellPreset('idle', 'sleep 3600')],
    });
    try {
      const problem = await sessions.sandbox.problem();
      if (problem) throw new Error(`the sandbox cannot run here: ${problem}`);
      return await measure(sessions, { home, repo });
    } finally {
      await close();
    }
  });
}

async function measure(
  sessions: SessionManager,
  where: { home: string; repo: string },
): Promise<BenchResult[]> {
  const { repo } = where;
  const fenced = await sessions.start({ project: repo, preset: 'idle' }, person);
  const open = await sessions.start({ project: repo, preset: 'idle', unsandboxed: true }, person);
  const bwrapArgv = await sameMounts(sessions, fenced.id, where);
  const samples = {
    sessionExecFenced: [] as number[],
    sessionExecOpen: [] as number[],
    execFenced: [] as number[],
    execOpen: [] as number[],
    rawSpawn: [] as number[],
    rawBwrap: [] as number[],
  };
  const time = async (into: number[], work: () => Promise<unknown>) => {
    const started = performance.now();
    await work();
    into.push(performance.now() - started);
  };
  for (let round = 0; round < ROUNDS; round++) {
    await time(samples.rawSpawn, () => spawned('/bin/true', []));
    await time(samples.rawBwrap, () => spawned(bwrapArgv[0] as string, bwrapArgv.slice(1)));
    await time(samples.sessionExecOpen, () => sessions.execIn(open.id, ['true'], quiet, person));
    await time(samples.sessionExecFenced, () =>
      sessions.execIn(fenced.id, ['true'], quiet, person),
    );
    await time(samples.execOpen, () =>
      sessions.exec({ project: repo, argv: ['true'], unsandboxed: true }, quiet, person),
    );
    await time(samples.execFenced, () =>
      sessions.exec({ project: repo, argv: ['true'] }, quiet, person),
    );
    if (round % 10 === 9)
      progress(
        `sandbox, round ${round + 1}/${ROUNDS}: session exec ${median(samples.sessionExecFenced)} ms fenced, ${median(samples.sessionExecOpen)} ms open`,
      );
  }
  for (const id of [fenced.id, open.id]) sessions.stop(id, person);
  const added = samples.sessionExecFenced.map((v, i) => v - (samples.sessionExecOpen[i] as number));
  const row = (name: string, values: number[], note = `median of ${ROUNDS}`): BenchResult => ({
    name,
    value: percentile(values, 50),
    unit: 'ms',
    note,
  });
  return [
    row('session exec `true`, sandboxed', samples.sessionExecFenced),
    row('session exec `true`, unsandboxed', samples.sessionExecOpen),
    row(
      'sandbox adds to a command in a running session',
      added,
      'median of the rounds’ differences; target ≤ 15',
    ),
    row('paddock exec -- true, sandboxed (workspace + run + discard)', samples.execFenced),
    row('paddock exec -- true, unsandboxed', samples.execOpen),
    row('raw spawn of true', samples.rawSpawn),
    row('raw bwrap with the session’s mounts, true', samples.rawBwrap),
  ];
}

/** The bwrap argv a session's command gets, without Paddock's preparation, limits or records. */
async function sameMounts(
  sessions: SessionManager,
  id: string,
  where: { home: string; repo: string },
): Promise<string[]> {
  const sessionDir = join(where.home, 'sessions', id);
  const contained = await sessions.sandbox.contain({
    sessionId: id,
    sessionDir,
    workspace: sessions.get(id).workspace as string,
    sessionHome: join(sessionDir, 'home'),
    projectPath: where.repo,
    program: '/bin/true',
    env: { PATH: '/usr/bin:/bin' },
    bridges: [],
    ownTerminal: false,
    allowEnvFiles: false,
    baseCommit: sessions.get(id).baseCommit as string,
    copied: [],
  });
  const args = contained.wrapper.args;
  await contained.release();
  const start = args.findIndex((arg) => arg.endsWith('/bwrap'));
  return [...args.slice(start), '/bin/true'];
}

function spawned(file: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: 'ignore', env: { PATH: '/usr/bin:/bin' } });
    child.once('error', reject);
    child.once('close', (code) => resolve(code ?? 1));
  });
}

function median(values: number[]): string {
  return percentile(values, 50).toFixed(1);
}

function sourceFiles(count: number): Record<string, string> {
  const files: Record<string, string> = { 'README.md': '# bench\n' };
  for (let i = 0; i < count; i++) files[`src/module-${i}.ts`] = `export const value${i} = ${i};\n`;
  return files;
}
