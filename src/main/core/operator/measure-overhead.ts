/**
 * The loop's own cost per step: everything but the model's and the host's time (the prompt, the
 * policy decision, the audit events, the bookkeeping), with a model and a shell that answer at
 * once, on a real store. Prints the median and the 90th percentile over the steps.
 *
 *   npx tsx src/main/core/operator/measure-overhead.ts [STEPS] [DIR]
 *
 * DIR is where the Paddock home is made (default: the system's temp directory); put it on the disk
 * the real home is on, since every event is written with a full sync.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApprovalService } from '../approvals';
import { parsePolicy, ready } from '../policy';
import { SettingsService } from '../settings';
import { AuditStore } from '../store';
import { remoteCommandDecider } from './decide';
import { OperatorRun } from './loop';
import type { ModelProvider, ModelReply } from './providers';
import type { RemoteShell } from './remote-shell';

const POLICY = `version: 1
permissions:
  deny: [Bash(rm:*)]
ssh:
  allow: ['Ssh(staging:systemctl status *)']
`;

async function main(): Promise<void> {
  const steps = Number(process.argv[2] ?? 50);
  const home = mkdtempSync(join(process.argv[3] ?? tmpdir(), 'paddock-overhead-'));
  await ready();
  const store = AuditStore.open({ home });
  const settings = new SettingsService(store);
  const insideAt: number[] = [];
  const marks: number[] = [];
  let inside = 0;
  const timed = async <T>(work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      inside += performance.now() - started;
    }
  };
  const provider: ModelProvider = {
    name: 'instant',
    model: 'instant',
    complete: (request) =>
      timed(async () => {
        marks.push(performance.now());
        insideAt.push(inside);
        const step = marks.length;
        return step > steps
          ? reply('finish', { summary: 'done' })
          : reply('run_command', {
              thought: `check the service, step ${step} (${request.prompt.length} characters shown)`,
              command: `systemctl status app-${step}`,
            });
      }),
  };
  const shell: RemoteShell = {
    run: () =>
      timed(async () => ({
        exitCode: 0,
        signal: null,
        output: 'active (running)\n',
        truncated: false,
        durationMs: 0,
      })),
  };
  const policy = parsePolicy(POLICY, 'policy.personal');
  const result = await new OperatorRun({
    sessionId: 'ses_overhead',
    goal: 'Check the service.',
    host: 'staging',
    limits: { maxSteps: steps + 1, maxTimeMs: 600_000, maxBudgetUsd: null },
    provider,
    shell,
    decide: remoteCommandDecider({
      policy: () => policy,
      host: 'staging',
      workspace: '/home/deploy',
    }),
    store,
    approvals: new ApprovalService(store, settings),
    by: { actor: 'person', actorId: 'bench' },
  }).run();
  store.close();
  rmSync(home, { recursive: true, force: true });
  // Step i runs from model call i to model call i+1; the model's and the shell's time are taken out.
  const overhead = marks
    .slice(1)
    .map(
      (mark, i) =>
        mark - (marks[i] as number) - ((insideAt[i + 1] as number) - (insideAt[i] as number)),
    );
  const sorted = [...overhead].sort((a, b) => a - b);
  const at = (q: number) =>
    (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number).toFixed(2);
  process.stdout.write(
    `${result.outcome} after ${result.steps} model turns; per-step overhead over ${overhead.length} steps: median ${at(0.5)} ms, p90 ${at(0.9)} ms, max ${at(1)} ms\n`,
  );
}

function reply(name: string, input: Record<string, string>): ModelReply {
  return { calls: [{ name, input }], text: '', stopReason: 'tool_use', usage: null };
}

void main();
