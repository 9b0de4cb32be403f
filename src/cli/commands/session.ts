import type { Command } from 'commander';
import type { PaddockApi } from '../../shared/contract';
import type { SessionRecord } from '../../shared/sessions';
import { LIVE_STATES } from '../../shared/sessions';
import { attachTerminal, terminalSize } from '../attach';
import type { CliContext, HostLink } from '../context';
import { EXIT, UsageError, withExitCode } from '../output';
import { confirm } from '../prompt';

export function registerSession(program: Command, context: CliContext): void {
  const session = program
    .command('session')
    .description('agents at work in workspaces of their own');

  session
    .command('start')
    .description('start an agent on a project in a fresh workspace')
    .requiredOption('--project <dir>', 'the repository')
    .option(
      '--agent <preset>',
      'claude, codex, gemini, aider, shell, or a custom preset (default: the project’s last)',
    )
    .option('--task <text>', 'what the agent should do')
    .option('--base <rev>', 'where the session branch starts (default: the project’s HEAD)')
    .option('--detach', 'start it and return; `paddock session attach ID` later')
    .option(
      '--unsandboxed',
      'run WITHOUT the sandbox: the agent gets your full access (recorded, and shown in red)',
    )
    .action(
      withExitCode(
        async (options: {
          project: string;
          agent: string;
          task?: string;
          base?: string;
          detach?: boolean;
          unsandboxed?: boolean;
        }) =>
          context.withHost(async (api, link) => {
            const size = terminalSize();
            const started = await api.session.start({
              project: options.project,
              preset: options.agent,
              task: options.task,
              base: options.base,
              ...(options.unsandboxed ? { unsandboxed: true } : {}),
              ...size,
            });
            if (started.sandboxProfile === 'unsandboxed')
              context.note(
                `WARNING: session ${started.id} runs without a sandbox: it can read your keys and write anywhere you can.`,
              );
            context.note(
              `Session ${started.id}: ${started.agentPreset} on branch ${started.branch} in ${started.workspace}`,
            );
            if (options.detach) {
              context.print(started.id);
              return EXIT.ok;
            }
            return attach(api, started.id, context, link);
          }),
      ),
    );

  session
    .command('list')
    .option('--json', 'print as JSON')
    .action(
      withExitCode(async (options: { json?: boolean }) => {
        const sessions = await context.withApi('write', (api) => api.session.list({}));
        if (options.json) context.print(JSON.stringify(sessions, null, 2));
        else if (sessions.length === 0)
          context.print(
            'No sessions yet: `paddock session start --project DIR --agent PRESET` starts one.',
          );
        else for (const s of sessions) context.print(describe(s));
        return EXIT.ok;
      }),
    );

  session
    .command('attach <id>')
    .description('the session’s terminal in yours (Ctrl-] detaches)')
    .action(
      withExitCode(async (id: string) =>
        context.withHost((api, link) => attach(api, id, context, link)),
      ),
    );

  for (const [name, verb] of [
    ['pause', 'pause the agent (SIGSTOP to its process group)'],
    ['resume', 'resume a paused agent'],
    ['stop', 'stop the agent (SIGTERM, then SIGKILL after a grace period)'],
  ] as const) {
    session
      .command(`${name} <id>`)
      .description(verb)
      .action(
        withExitCode(async (id: string) => {
          const result = await context.withApi('write', (api) => api.session[name]({ id }));
          context.print(describe(result));
          return EXIT.ok;
        }),
      );
  }

  session
    .command('discard <id>')
    .description('remove the session’s workspace and branch (the record stays)')
    .option('--yes', 'do not ask for confirmation')
    .action(
      withExitCode(async (id: string, options: { yes?: boolean }) => {
        if (
          !options.yes &&
          !(await confirm(
            `Discard ${id}: its workspace and branch are deleted. Type "discard" to confirm: `,
            'discard',
          ))
        ) {
          context.note('Not discarded.');
          return EXIT.failed;
        }
        const { session: discarded, bytesFreed } = await context.withApi('write', (api) =>
          api.session.discard({ id }),
        );
        context.print(`${describe(discarded)}  (freed ${formatBytes(bytesFreed)})`);
        return EXIT.ok;
      }),
    );

  session
    .command('export <id>')
    .description('the session’s terminal recording')
    .option('--cast', 'as asciicast v2 (plays in asciinema); the only format so far')
    .action(
      withExitCode(async (id: string, options: { cast?: boolean }) => {
        if (!options.cast) throw new UsageError('Say which format: --cast (asciicast v2).');
        process.stdout.write(
          await context.withApi('write', (api) => api.session.export({ id, format: 'asciicast' })),
        );
        return EXIT.ok;
      }),
    );

  session
    .command('restart <id>')
    .description(
      'start the agent again in the session’s workspace, continuing its conversation where it can',
    )
    .option('--detach', 'do not attach')
    .action(
      withExitCode(async (id: string, options: { detach?: boolean }) =>
        context.withHost(async (api, link) => {
          const restarted = await api.session.restart({ id });
          context.note(describe(restarted));
          return options.detach ? EXIT.ok : attach(api, id, context, link);
        }),
      ),
    );

  session
    .command('exec <id>')
    .description('run CMD in the session’s workspace, through the same launcher as its agent')
    .argument('<cmd...>', 'the command and its arguments, after --')
    .action(
      withExitCode(async (id: string, argv: string[]) => {
        const result = await context.withApi('write', (api) => api.session.exec({ id, argv }));
        process.stdout.write(result.stdout);
        process.stderr.write(result.stderr);
        if (result.truncated)
          context.note('paddock: output cut at 4 MiB a stream (the record has all of it).');
        return result.exitCode;
      }),
    );

  session
    .command('diff <id>')
    .description('the session’s changes against its base, committed and uncommitted')
    .option('--stat', 'only the file list')
    .option('--json', 'file list and patch as JSON')
    .action(
      withExitCode(async (id: string, options: { stat?: boolean; json?: boolean }) => {
        const diff = await context.withApi('write', (api) => api.session.diff({ id }));
        if (options.json) context.print(JSON.stringify(diff, null, 2));
        else if (options.stat)
          for (const f of diff.files)
            context.print(
              `${f.status}  ${f.oldPath ? `${f.oldPath} → ` : ''}${f.path}  +${f.additions ?? '-'} -${f.deletions ?? '-'}`,
            );
        else process.stdout.write(diff.patch);
        return EXIT.ok;
      }),
    );
}

export function registerGc(program: Command, context: CliContext): void {
  program
    .command('gc')
    .description('remove the workspaces discarded sessions left on disk, and say what it freed')
    .action(
      withExitCode(async () => {
        const { removed, bytesFreed } = await context.withApi('write', (api) =>
          api.sessions.gc({}),
        );
        for (const dir of removed) context.print(`removed ${dir}`);
        context.print(`Freed ${formatBytes(bytesFreed)} in ${removed.length} folder(s).`);
        return EXIT.ok;
      }),
    );
}

function describe(s: SessionRecord): string {
  const code = s.exitCode !== null ? ` (exit ${s.exitCode})` : '';
  return `${s.id}  ${s.state}${code}  ${s.agentPreset}  ${s.branch ?? ''}  ${s.task ? JSON.stringify(s.task.slice(0, 60)) : ''}`.trimEnd();
}

/** Draws the session's screen and streams its terminal here until it ends or Ctrl-] detaches. */
async function attach(
  api: PaddockApi,
  id: string,
  context: CliContext,
  link?: HostLink,
): Promise<number> {
  const session = await api.session.get({ id });
  if (!LIVE_STATES.includes(session.state)) {
    throw new UsageError(
      `Session ${id} is ${session.state}: there is no live terminal to attach to.`,
    );
  }
  context.note(`Attached to ${id}. Ctrl-] detaches; the agent keeps working.`);
  return attachTerminal(api, id, context, {
    lost: link?.lost,
    onDetach: async () =>
      `Detached from ${id}; it keeps running. \`paddock session attach ${id}\` comes back.`,
  });
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}
