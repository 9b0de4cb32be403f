import type { Command } from 'commander';
import type { PaddockApi } from '../../shared/contract';
import {
  LIVE_OPERATOR_STATUSES,
  type OperatorChange,
  type OperatorRunSummary,
  type OperatorStep,
} from '../../shared/operator';
import { TERMINAL_LIMITS } from '../../shared/sessions';
import { attachTerminal, terminalSize } from '../attach';
import type { CliContext, HostLink } from '../context';
import { columns, EXIT, UsageError, withExitCode } from '../output';

/**
 * `paddock operator`: a model working on an SSH host, command by command, under the policy and the
 * inbox. `run` starts it on the Paddock host (one is started in the background when none runs, so
 * a held command can be allowed from another terminal) and follows it step by step.
 */
export function registerOperator(program: Command, context: CliContext): void {
  const operator = program
    .command('operator')
    .description('a model working on an SSH host under the policy, the inbox and the audit trail');

  operator
    .command('run')
    .description('start a run and follow it: each step’s thought, command, decision and output')
    .requiredOption('--host <name>', 'a host from `paddock ssh list`')
    .requiredOption('--goal <text>', 'what the operator should achieve there')
    .option('--max-steps <n>', 'model turns at most (default 30)')
    .option('--max-minutes <m>', 'wall-clock minutes at most, waits included (default 30)')
    .option('--max-budget <usd>', 'US dollars of model calls at most for this run')
    .option('--model <provider/model>', 'default: the operator.defaultModel setting')
    .option('--json', 'one JSON object per step, then the summary')
    .addHelpText(
      'after',
      '\nExits 0 when the model finishes, 1 when the run fails, stops or reaches a limit, 2 when it cannot start.\nA held command waits in the inbox: paddock approvals list, then paddock approvals allow ID.',
    )
    .action(
      withExitCode(async (options: RunOptions) => {
        const input = startInput(options);
        return context.withHost((api, link) =>
          follow(api, input, { json: options.json === true, lost: link.lost }, context),
        );
      }),
    );

  operator
    .command('list')
    .description('every run: status, host, turns, spend, goal')
    .option('--json', 'print as JSON')
    .action(
      withExitCode(async (options: { json?: boolean }) => {
        const runs = await context.withApi('write', (api) => api.operator.list({}));
        if (options.json) context.print(JSON.stringify(runs, null, 2));
        else if (runs.length === 0)
          context.print('No operator runs yet: paddock operator run --host NAME --goal TEXT');
        else for (const line of table(runs)) context.print(line);
        return EXIT.ok;
      }),
    );

  for (const [name, what] of [
    ['stop', 'end the run (a command running on the host is ended there)'],
    ['pause', 'hold the run before its next model call'],
    ['resume', 'let a paused run go on'],
  ] as const)
    operator
      .command(`${name} <id>`)
      .description(what)
      .action(
        withExitCode(async (id: string) => {
          const run = await context.withApi('write', (api) => api.operator[name]({ id }));
          context.print(describeRun(run));
          return EXIT.ok;
        }),
      );

  operator
    .command('takeover <id>')
    .description('a login shell on the run’s host, here; the run holds until you hand it back')
    .addHelpText(
      'after',
      '\nCtrl-] or `exit` in the shell hands the host back; the run goes on (unless it was paused before)\nand the model is told what your terminal showed last. Everything you type is recorded.',
    )
    .action(
      withExitCode(async (id: string) =>
        context.withHost((api, link) => takeOver(api, id, link, context)),
      ),
    );

  operator
    .command('note <id> <text>')
    .description('a note for the model, shown from its next turn on')
    .action(
      withExitCode(async (id: string, text: string) => {
        const run = await context.withApi('write', (api) => api.operator.note({ id, text }));
        context.print(describeRun(run));
        return EXIT.ok;
      }),
    );
}

interface RunOptions {
  host: string;
  goal: string;
  maxSteps?: string;
  maxMinutes?: string;
  maxBudget?: string;
  model?: string;
  json?: boolean;
}

type StartInput = Parameters<PaddockApi['operator']['start']>[0];

function startInput(options: RunOptions): StartInput {
  const input: StartInput = { host: options.host, goal: options.goal };
  if (options.maxSteps !== undefined)
    input.maxSteps = numberOption('--max-steps', options.maxSteps, /^\d+$/);
  if (options.maxMinutes !== undefined)
    input.maxMinutes = numberOption('--max-minutes', options.maxMinutes);
  if (options.maxBudget !== undefined)
    input.maxBudgetUsd = numberOption('--max-budget', options.maxBudget);
  if (options.model !== undefined) {
    const slash = options.model.indexOf('/');
    if (slash <= 0 || slash === options.model.length - 1)
      throw new UsageError(
        `--model is PROVIDER/MODEL, a provider from the operator.providers setting and its model id (anthropic/claude-sonnet-4-5), not "${options.model}".`,
      );
    input.provider = options.model.slice(0, slash);
    input.model = options.model.slice(slash + 1);
  }
  return input;
}

function numberOption(flag: string, text: string, shape = /^\d+(\.\d+)?$/): number {
  const value = Number(text);
  if (!shape.test(text) || !(value > 0))
    throw new UsageError(`${flag} takes a number above 0, not "${text}".`);
  return value;
}

/** Takes the run's host over in this terminal until it is handed back (Ctrl-], `exit`, the run ending). */
async function takeOver(
  api: PaddockApi,
  id: string,
  link: HostLink,
  context: CliContext,
): Promise<number> {
  const { cols = 80, rows = 24 } = terminalSize();
  const run = await api.operator.takeover({
    id,
    // A terminal too small or too large for the contract gets the nearest size it takes.
    cols: within(cols, TERMINAL_LIMITS.cols),
    rows: within(rows, TERMINAL_LIMITS.rows),
  });
  context.note(
    `You have ${run.host}'s terminal; operator run ${id} holds. Ctrl-] or \`exit\` hands it back.`,
  );
  const handedBack = (back: OperatorRunSummary) =>
    `Handed ${back.host} back: the run ${back.status === 'paused' ? 'stays paused (paddock operator resume ' + id + ')' : 'goes on'}.`;
  return attachTerminal(api, id, context, {
    lost: link.lost,
    onDetach: async () => handedBack(await api.operator.handback({ id })),
    until: (finish) =>
      api.on('operator.changed', (change) => {
        if (change.run.id !== id || change.run.takenOverBy !== null) return;
        context.note(`\r\n${handedBack(change.run)}`);
        finish(EXIT.ok);
      }),
  });
}

/** Starts the run and prints its steps as they happen, until it ends; the exit code says how. */
async function follow(
  api: PaddockApi,
  input: StartInput,
  { json, lost }: { json: boolean; lost: Promise<string> },
  context: CliContext,
): Promise<number> {
  const printer = new StepPrinter(json, context);
  let id: string | null = null;
  const early: OperatorChange[] = [];
  let settle: (run: OperatorRunSummary) => void = () => undefined;
  const ended = new Promise<OperatorRunSummary>((resolve) => (settle = resolve));
  const onChange = (change: OperatorChange) => {
    if (change.run.id !== id) return;
    printer.change(change);
    if (!LIVE_OPERATOR_STATUSES.includes(change.run.status)) settle(change.run);
  };
  // Subscribed before the start: the first steps may come before its answer does.
  const off = api.on('operator.changed', (change) => (id ? onChange(change) : early.push(change)));
  let interrupt: Interrupt | null = null;
  try {
    const started = await api.operator.start(input);
    id = started.id;
    // Before anything is printed: a person who sees the run going can Ctrl-C it.
    interrupt = stopOnInterrupt(api, id, context);
    context.note(
      `Operator run ${started.id} on ${started.host} with ${started.provider}/${started.model}: ${started.limits.maxSteps} steps, ${started.limits.maxMinutes} min at most.`,
    );
    for (const change of early.splice(0)) onChange(change);
    // Whatever was published before the subscription took hold is in the record.
    const current = await api.operator.get({ id });
    for (const step of current.steps) printer.step(step);
    if (!LIVE_OPERATOR_STATUSES.includes(current.status)) settle(current);
    const outcome = await Promise.race([
      ended,
      lost.then(
        (why) =>
          `Lost the connection to Paddock (${why}): the run goes on there while Paddock does. paddock operator list shows it.`,
      ),
      interrupt.left.then(() => `Left run ${id} running: paddock operator stop ${id} stops it.`),
    ]);
    if (typeof outcome === 'string') {
      context.note(outcome);
      return EXIT.failed;
    }
    const last = outcome;
    for (const step of (await api.operator.get({ id })).steps) printer.step(step);
    printer.summary(last);
    return last.status === 'finished' ? EXIT.ok : EXIT.failed;
  } finally {
    interrupt?.off();
    off();
  }
}

interface Interrupt {
  /** Resolves at a second Ctrl-C: the person leaves the run going. */
  left: Promise<void>;
  off(): void;
}

/** Ctrl-C stops the run (its end is then printed as any other); a second one leaves it going. */
function stopOnInterrupt(api: PaddockApi, id: string, context: CliContext): Interrupt {
  let leave: () => void = () => undefined;
  const left = new Promise<void>((resolve) => (leave = resolve));
  let stopping = false;
  const onSigint = () => {
    if (stopping) return leave();
    stopping = true;
    context.note(`Stopping run ${id} (Ctrl-C again leaves it running)…`);
    api.operator.stop({ id }).catch((error: unknown) => {
      context.note(`Could not stop run ${id}: ${(error as Error).message}`);
      leave();
    });
  };
  process.on('SIGINT', onSigint);
  return { left, off: () => process.off('SIGINT', onSigint) };
}

/** Prints each part of a step once, as it becomes known (with --json: each step once, whole). */
class StepPrinter {
  private readonly shown = new Map<number, { proposed: boolean; decided: boolean; ran: boolean }>();
  private waitingOn: string | null = null;

  constructor(
    private readonly json: boolean,
    private readonly context: CliContext,
  ) {}

  change(change: OperatorChange): void {
    if (change.step) this.step(change.step);
    const waiting = change.run.status === 'waiting' ? change.run.waitingOn : null;
    if (waiting && waiting !== this.waitingOn)
      this.context.note(
        `    waiting in the inbox: paddock approvals allow ${waiting} (or deny ${waiting})`,
      );
    this.waitingOn = waiting;
  }

  step(step: OperatorStep): void {
    const shown = this.shown.get(step.step) ?? { proposed: false, decided: false, ran: false };
    this.shown.set(step.step, shown);
    const complete = step.decision !== null && (!step.decision.allow || step.output !== null);
    if (this.json) {
      if (complete && !shown.ran) this.context.print(JSON.stringify({ type: 'step', ...step }));
      shown.ran ||= complete;
      return;
    }
    if (!shown.proposed && step.command) {
      shown.proposed = true;
      this.context.print(`[${step.step}] ${oneLine(step.thought)}`);
      this.context.print(`    $ ${oneLine(step.command)}`);
    }
    if (!shown.decided && step.decision) {
      shown.decided = true;
      const { allow, actor, actorId, reason } = step.decision;
      this.context.print(
        `    ${allow ? 'allowed' : 'NOT RUN'} by ${actor} ${actorId}: ${oneLine(reason)}`,
      );
    }
    if (!shown.ran && step.output) {
      shown.ran = true;
      this.output(step);
    }
  }

  summary(run: OperatorRunSummary): void {
    if (this.json) {
      this.context.print(JSON.stringify({ type: 'summary', ...run }));
      return;
    }
    this.context.print(`${run.status}: ${run.reason ?? ''}`);
    if (run.summary) this.context.print(run.summary);
    this.context.print(
      `${run.turns} model turn${run.turns === 1 ? '' : 's'}, $${run.spentUsd.toFixed(4)}; the record: paddock audit search --session ${run.id} --kind operator.`,
    );
  }

  private output(step: OperatorStep): void {
    const output = step.output as NonNullable<OperatorStep['output']>;
    const status =
      output.exitCode !== null ? `exit ${output.exitCode}` : `ended by ${output.signal ?? '?'}`;
    this.context.print(`    ${status} in ${Math.round(output.durationMs)} ms`);
    const lines = output.excerpt.split('\n').filter((line, i, all) => i < all.length - 1 || line);
    for (const line of lines.slice(0, 20)) this.context.print(`    | ${printable(line)}`);
    if (lines.length > 20 || output.truncated)
      this.context.print(`    | … (the whole output is in the record)`);
  }
}

/** Control characters shown escaped: a host's output must not drive this terminal. */
function printable(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    const control = (code < 0x20 && char !== '\t') || (code >= 0x7f && code <= 0x9f);
    out += control ? `\\u${code.toString(16).padStart(4, '0')}` : char;
  }
  return out;
}

const oneLine = (text: string): string => printable(text.replace(/\s*\n\s*/g, ' ⏎ '));

function describeRun(run: OperatorRunSummary): string {
  return `${run.id}  ${run.status}  ${run.host}  ${run.turns}/${run.limits.maxSteps} turns  ${oneLine(run.goal)}`;
}

function table(runs: OperatorRunSummary[]): string[] {
  return columns([
    ['ID', 'STATUS', 'HOST', 'TURNS', 'SPENT', 'STARTED', 'GOAL'],
    ...runs.map((run) => [
      run.id,
      run.status,
      run.host,
      `${run.turns}/${run.limits.maxSteps}`,
      `$${run.spentUsd.toFixed(4)}`,
      run.startedAt.replace('T', ' ').slice(0, 19),
      oneLine(run.goal).slice(0, 60),
    ]),
  ]);
}

function within(value: number, { min, max }: { min: number; max: number }): number {
  return Math.min(Math.max(value, min), max);
}
