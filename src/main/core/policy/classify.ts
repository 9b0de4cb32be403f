/**
 * The shell command classifier: "allow" only for what it can prove read-only or workspace-local,
 * "ask" with the reason for everything else. It never answers "deny" (only rules do) and it never
 * loosens one; whatever it allows still runs inside the sandbox.
 *
 * A command is parsed by a real shell grammar (shell/), every word must be a literal, every
 * redirection must stay in the workspace, every environment assignment must be harmless, and every
 * simple command must be proven by its handler (commands/) in every directory the shell may be in
 * by then. One unproven piece makes the whole command "ask": there is no partial credit.
 *
 * The parser is WebAssembly and loads asynchronously: call `ready()` (shell/parser.ts) once at
 * start-up; until then every command is "ask".
 */
import { posix } from 'node:path';
import { handlerFor, type Proven, type Scope, type Verdict } from './commands';
import { refuse } from './commands/types';
import { pathProblem } from './paths';
import { isReady } from './shell/parser';
import { parseScript, type Assignment, type Redirect, type SimpleCommand } from './shell/script';
import type { Word } from './shell/words';

export interface ClassifyContext {
  /** The session's workspace, absolute. */
  workspace: string;
  home?: string;
  /** Test and build commands the policy names (`npm test`): allowed with any further arguments. */
  namedCommands?: readonly string[];
  /** Where the command starts; the workspace when absent. */
  cwd?: string;
}

export interface Classification {
  verdict: 'allow' | 'ask';
  reason: string;
}

/** A rule that covers a whole simple command (see decide.ts); `text` is shown in the reason. */
export type Cover<R extends { text: string }> = (argv: readonly string[]) => R | undefined;

export type Judgement<R> =
  { ok: true; reason: string; rules: readonly R[] } | { ok: false; reason: string };

const MAX_LENGTH = 10_000;
const MAX_DEPTH = 3;
/** Control characters other than tab and newline: bash and the parser may read them differently. */
const hasControl = (text: string) =>
  [...text].some((c) => c !== '\t' && c !== '\n' && (c < ' ' || c === '\x7f'));

export function classifyCommand(command: string, context: ClassifyContext): Classification {
  const judged = judgeCommand(command, context);
  return { verdict: judged.ok ? 'allow' : 'ask', reason: judged.reason };
}

/** Classifies with rules: a simple command `cover` returns a rule for counts as proven by it. */
export function judgeCommand<R extends { text: string }>(
  command: string,
  context: ClassifyContext,
  cover?: Cover<R>,
): Judgement<R> {
  const workspace = posix.resolve(context.workspace);
  const named = (context.namedCommands ?? [])
    .map((text) => text.split(/\s+/).filter(Boolean))
    .filter((words) => words.length);
  const rules: R[] = [];
  const proofs: Proven[] = [];

  const judgeScript = (
    text: string,
    cwds: readonly string[],
    depth: number,
  ): Verdict & { cwds?: readonly string[] } => {
    if (depth > MAX_DEPTH) return refuse('shells nested too deep');
    if (text.length > MAX_LENGTH) return refuse(`a command longer than ${MAX_LENGTH} characters`);
    if (hasControl(text)) return refuse('control characters in the command');
    if (!isReady()) return refuse('the shell parser is not loaded');
    const parsed = parseScript(text);
    if (!parsed.ok) return refuse(parsed.problem);
    // Where the shell may be: after `cd x`, the next command joined by && runs in x only; past any
    // other separator the cd may have failed, so the directories before it stay possible too.
    let possible = cwds;
    let current = cwds;
    const proven: Proven[] = [];
    for (const pipeline of parsed.script.pipelines) {
      if (!pipeline.afterAnd) current = possible;
      for (const [index, simple] of pipeline.commands.entries()) {
        const place = { pipeline: pipeline.commands, index };
        const verdict = judgeSimple(simple, place, scopeAt(current, depth));
        if (!verdict.ok) return verdict;
        if (verdict.cwds) {
          possible = [...new Set([...possible, ...verdict.cwds])];
          current = pipeline.commands.length === 1 ? verdict.cwds : possible;
        }
        proven.push(verdict);
      }
    }
    if (!proven.length) return refuse('an empty command');
    if (depth === 0) proofs.push(...proven);
    const kind = proven.find((p) => p.kind !== 'read-only')?.kind ?? 'read-only';
    return { ok: true, kind, label: proven.map((p) => p.label).join(', '), cwds: possible };
  };

  const scopeAt = (cwds: readonly string[], depth: number): Scope => ({
    workspace,
    ...(context.home === undefined ? {} : { home: posix.resolve(context.home) }),
    cwds,
    judgeScript: (text) => judgeScript(text, cwds, depth + 1),
    judgeWords: (words) => judgeWords(words, { pipeline: [], index: 0 }, scopeAt(cwds, depth)),
  });

  const judgeSimple = (simple: SimpleCommand, place: Place, scope: Scope): Verdict => {
    for (const assignment of simple.assignments) {
      const problem = assignmentProblem(assignment);
      if (problem) return refuse(problem);
    }
    for (const redirect of simple.redirects) {
      const problem = redirectProblem(redirect, scope);
      if (problem) return refuse(problem);
    }
    const writes = simple.redirects.filter(
      (redirect) =>
        (OUTPUT.has(redirect.op) || redirect.op === '>&') &&
        redirect.target &&
        !/^(\d+|-|\/dev\/(null|stdout|stderr))$/.test(redirect.target.value),
    );
    const written = writes.map((redirect) => redirect.target?.value).join(', ');
    if (!simple.words.length) return { ok: true, kind: 'workspace write', label: `> ${written}` };
    const verdict = judgeWords(simple.words, place, scope);
    if (!verdict.ok || !writes.length) return verdict;
    return {
      ...verdict,
      kind: verdict.kind === 'read-only' ? 'workspace write' : verdict.kind,
      label: `${verdict.label} > ${written}`,
    };
  };

  const judgeWords = (words: readonly Word[], place: Place, scope: Scope): Verdict => {
    const [name, ...args] = words;
    if (!name) return refuse('an empty command');
    if (name.problem) return refuse(`the command name is not literal: ${name.problem}`);
    const unproven = words.find((word) => word.problem);
    if (unproven) return refuse(`${name.value}: ${unproven.problem}`);
    if (name.value.includes('/') || name.glob)
      return refuse(`runs a program by path (${name.value})`);
    const argv = words.map((word) => word.value);
    const rule = cover?.(argv);
    if (rule) {
      rules.push(rule);
      return { ok: true, kind: 'rule', label: rule.text };
    }
    const namedCommand = named.find((prefix) => prefix.every((word, i) => argv[i] === word));
    if (namedCommand) return { ok: true, kind: 'named command', label: namedCommand.join(' ') };
    return handlerFor(name.value)({ name: name.value, args, ...place }, scope);
  };

  const start = context.cwd === undefined ? workspace : posix.resolve(workspace, context.cwd);
  const verdict = judgeScript(command, [start], 0);
  if (!verdict.ok) return { ok: false, reason: verdict.reason };
  return { ok: true, reason: summarize(proofs), rules };
}

interface Place {
  pipeline: readonly SimpleCommand[];
  index: number;
}

/** `read-only: ls, grep; named command: npm test`. */
function summarize(proofs: readonly Proven[]): string {
  const byKind = new Map<string, Set<string>>();
  for (const proof of proofs) {
    const labels = byKind.get(proof.kind) ?? new Set<string>();
    labels.add(proof.label);
    byKind.set(proof.kind, labels);
  }
  return [...byKind].map(([kind, labels]) => `${kind}: ${[...labels].join(', ')}`).join('; ');
}

const HARMLESS_VARIABLES =
  /^(LANG|LANGUAGE|LC_[A-Z_]+|TZ|NO_COLOR|FORCE_COLOR|CLICOLOR|CLICOLOR_FORCE|COLUMNS|LINES|TERM|CI|NODE_ENV)$/;
const PAGER_VARIABLES = /^(PAGER|GIT_PAGER|MANPAGER)$/;

function assignmentProblem({ name, value }: Assignment): string | undefined {
  if (value.problem) return `${name}=: ${value.problem}`;
  if (HARMLESS_VARIABLES.test(name)) return undefined;
  if (PAGER_VARIABLES.test(name) && (value.value === '' || value.value === 'cat')) return undefined;
  return `sets ${name} for the command; only locale, colour and terminal variables are known to be harmless`;
}

const OUTPUT = new Set(['>', '>>', '>|', '&>', '&>>', '<>']);

function redirectProblem(redirect: Redirect, scope: Scope): string | undefined {
  if (redirect.problem) return redirect.problem;
  const { op, target } = redirect;
  if (op === '<<' || op === '<<-' || op === '>&-' || op === '<&-') return undefined;
  if (!target)
    return op === '>&' || op === '<&' ? undefined : `a ${op} redirection without a target`;
  if (op === '<<<') return target.problem;
  const describe = (problem: string | undefined) =>
    problem === undefined
      ? undefined
      : problem.startsWith('/')
        ? `redirection to ${problem}`
        : `redirection: ${problem}`;
  if (op === '<')
    return describe(pathProblem(target, 'read', scope))?.replace(
      'redirection to',
      'redirection from',
    );
  if (OUTPUT.has(op)) return describe(pathProblem(target, 'write', scope));
  if (op === '>&' || op === '<&') {
    if (/^(\d+|-)$/.test(target.value) && !target.problem) return undefined;
    return op === '>&'
      ? describe(pathProblem(target, 'write', scope))
      : `redirection <& ${target.raw}`;
  }
  return `unsupported redirection ${op}`;
}
