/** Watching a sandbox's limits: the control group's counters, and disk use (which rlimits cannot see). */
import { execFile } from 'node:child_process';
import type { BreachCounts, SessionCgroup } from './cgroup';
import type { SandboxSpec } from './spec';

export function watchLimits(
  cgroup: SessionCgroup | null,
  before: BreachCounts,
  spec: SandboxSpec,
  onBreach: (why: string) => void,
  every: { breach: number; disk: number },
): { timers: NodeJS.Timeout[]; report: (why: string | null) => void } {
  let reported = false;
  const report = (why: string | null) => {
    if (!why || reported) return;
    reported = true;
    onBreach(why);
    cgroup?.killAll();
  };
  const timers: NodeJS.Timeout[] = [];
  if (cgroup) timers.push(setInterval(() => report(cgroup.breach(before)), every.breach));
  timers.push(
    setInterval(
      () => void diskBreach([spec.workspace, spec.tmpDir], spec.limits.diskMiB).then(report),
      every.disk,
    ),
  );
  for (const timer of timers) timer.unref();
  return { timers, report };
}

/** `du` walks the tree in C, off Paddock's thread; hard links are counted once. */
function diskBreach(dirs: readonly string[], limitMiB: number): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('du', ['-sck', '--', ...dirs], { timeout: 60_000 }, (_error, stdout) => {
      const total = /(\d+)\s+total\s*$/.exec(stdout);
      // du exits 1 on a file it cannot read, and still counts the rest.
      if (!total) return resolve(null);
      const usedMiB = Number(total[1]) / 1024;
      resolve(usedMiB > limitMiB ? `its workspace and temp files grew past ${limitMiB} MiB` : null);
    });
  });
}
