/**
 * A shell command as the classifier sees it: pipelines of simple commands (words, assignments,
 * redirections), in the order bash runs them. Only plain structure is accepted (lists with `;`,
 * `&&`, `||`, newlines, pipelines, `!`, redirections, here-documents); anything else (subshells,
 * blocks, control flow, functions, background jobs, bare assignments) is refused with what it was.
 *
 * Two cross-checks keep the grammar honest, because tree-sitter is an error-tolerant grammar and
 * not bash itself: any error node refuses the command, and the text between the tokens the parser
 * saw must be blanks only. A character the parser skipped, or a line continuation that bash would
 * use to join two words the parser kept apart, makes the command unprovable.
 */
import { withSyntaxTree, type SyntaxNode } from './parser';
import { expansionProblem, wordOf, type Word } from './words';

export interface Assignment {
  readonly name: string;
  readonly value: Word;
}

export interface Redirect {
  /** `>`, `>>`, `<`, `&>`, `>&`, `<<`, `<<<`, ... */
  readonly op: string;
  readonly fd?: string;
  readonly target?: Word;
  /** Set for a here-document whose body bash would expand (`$`, backticks). */
  readonly problem?: string;
}

export interface SimpleCommand {
  readonly text: string;
  readonly start: number;
  readonly end: number;
  readonly assignments: readonly Assignment[];
  readonly words: readonly Word[];
  readonly redirects: readonly Redirect[];
}

export interface Pipeline {
  readonly commands: readonly SimpleCommand[];
  /** Joined to the pipeline before it by `&&`: it runs only if that one succeeded. */
  readonly afterAnd?: boolean;
}

export interface Script {
  readonly pipelines: readonly Pipeline[];
}

export type ScriptResult = { ok: true; script: Script } | { ok: false; problem: string };

class Unsupported extends Error {}

const SEPARATORS = new Set([';', '&&', '||', '\n']);
const COMMAND_LIKE = new Set(['command', 'redirected_statement', 'negated_command']);
const REDIRECTS = new Set(['file_redirect', 'heredoc_redirect', 'herestring_redirect']);
const CONSTRUCTS: Record<string, string> = {
  subshell: 'a subshell ( … )',
  compound_statement: 'a { … } block',
  if_statement: 'control flow (if)',
  while_statement: 'control flow (while/until)',
  for_statement: 'control flow (for)',
  c_style_for_statement: 'control flow (for)',
  case_statement: 'control flow (case)',
  function_definition: 'a function definition',
  variable_assignment: 'an assignment that changes the shell for later commands',
  declaration_command:
    'a declaration (export, declare, local, readonly) that changes shell variables',
  unset_command: 'unset, which changes shell variables',
  test_command: 'a [ … ] or [[ … ]] test',
};

/** Parses `source` into a Script, or says why it cannot be proven to be one. */
export function parseScript(source: string): ScriptResult {
  return withSyntaxTree(source, (root) => {
    if (root.hasError)
      return { ok: false, problem: 'a syntax error, or syntax the parser does not know' };
    const gap = gapProblem(root, source);
    if (gap) return { ok: false, problem: gap };
    try {
      const pipelines: Pipeline[] = [];
      statements(root, pipelines);
      pipelines.sort((a, b) => (a.commands[0]?.start ?? 0) - (b.commands[0]?.start ?? 0));
      return {
        ok: true,
        script: {
          pipelines: pipelines.map((pipeline, i) => joined(pipeline, pipelines[i - 1], source)),
        },
      };
    } catch (error) {
      if (error instanceof Unsupported) return { ok: false, problem: error.message };
      throw error;
    }
  });
}

function statements(node: SyntaxNode, out: Pipeline[]): void {
  for (const child of node.children) {
    if (!child) continue;
    if (!child.isNamed) {
      if (SEPARATORS.has(child.type)) continue;
      if (child.type === '&') throw new Unsupported('runs a command in the background (&)');
      throw new Unsupported(`unsupported shell syntax (${child.type})`);
    }
    statement(child, out);
  }
}

function statement(node: SyntaxNode, out: Pipeline[]): void {
  if (node.type === 'comment') return;
  if (node.type === 'list') return statements(node, out);
  if (node.type === 'pipeline') {
    const commands: SimpleCommand[] = [];
    pipelinePart(node, commands, out);
    out.push({ commands });
    return;
  }
  if (node.type === 'negated_command') {
    const inner = node.namedChildren.find((child) => child?.type !== 'comment');
    if (!inner) throw new Unsupported('an empty negation');
    return statement(inner, out);
  }
  if (COMMAND_LIKE.has(node.type)) {
    out.push({ commands: [simpleCommand(node, out)] });
    return;
  }
  throw new Unsupported(describe(node));
}

/**
 * Adds a pipeline's commands in order. The grammar reads `a | b && c` as `a | (b && c)`; bash reads
 * `(a | b) && c`: the first command of such a list still belongs to the pipeline, the rest follow it.
 */
function pipelinePart(node: SyntaxNode, commands: SimpleCommand[], out: Pipeline[]): void {
  if (COMMAND_LIKE.has(node.type)) {
    commands.push(simpleCommand(node, out));
    return;
  }
  if (node.type !== 'pipeline' && node.type !== 'list') throw new Unsupported(describe(node));
  let first = true;
  for (const child of node.children) {
    if (!child || child.type === 'comment') continue;
    if (!child.isNamed) {
      if (
        child.type === '|' ||
        child.type === '|&' ||
        (node.type === 'list' && SEPARATORS.has(child.type))
      )
        continue;
      throw new Unsupported(`unsupported shell syntax (${child.type})`);
    }
    if (node.type === 'pipeline' || first) pipelinePart(child, commands, out);
    else statement(child, out);
    first = false;
  }
}

function simpleCommand(node: SyntaxNode, out: Pipeline[]): SimpleCommand {
  if (node.type === 'negated_command') {
    const inner = node.namedChildren.find((child) => child && COMMAND_LIKE.has(child.type));
    if (!inner || node.namedChildren.length !== 1) throw new Unsupported(describe(node));
    return simpleCommand(inner, out);
  }
  if (node.type === 'redirected_statement') {
    const body = node.childForFieldName('body');
    if (body && !COMMAND_LIKE.has(body.type)) throw new Unsupported(describe(body));
    const command = body
      ? simpleCommand(body, out)
      : {
          text: node.text,
          start: node.startIndex,
          end: node.endIndex,
          assignments: [],
          words: [],
          redirects: [],
        };
    const others = node.namedChildren.filter((child) => child && child.id !== body?.id);
    if (others.some((child) => !child || !REDIRECTS.has(child.type)))
      throw new Unsupported('unsupported redirection');
    const redirects = others.flatMap((child) => (child ? redirect(child, out) : []));
    return {
      ...command,
      text: node.text,
      end: node.endIndex,
      redirects: [...command.redirects, ...redirects],
    };
  }
  const assignments: Assignment[] = [];
  const words: Word[] = [];
  const redirects: Redirect[] = [];
  let previousEnd = -1;
  for (const child of node.children) {
    if (!child) continue;
    if (REDIRECTS.has(child.type)) {
      redirects.push(...redirect(child, out));
      continue;
    }
    if (!child.isNamed) throw new Unsupported(`unsupported shell syntax (${child.type})`);
    // Two words the parser keeps apart must have a blank between them, or bash joins them.
    const between = node.text.slice(
      previousEnd - node.startIndex,
      child.startIndex - node.startIndex,
    );
    if (previousEnd !== -1 && !/[ \t\n]/.test(between.replace(/\\\n/g, '')))
      throw new Unsupported('words the parser split that bash would join');
    previousEnd = child.endIndex;
    if (child.type === 'variable_assignment') assignments.push(assignment(child));
    else if (child.type === 'command_name') {
      const name = child.namedChildren[0];
      if (!name || child.namedChildren.length !== 1)
        throw new Unsupported('an unusual command name');
      words.push(wordOf(name));
    } else words.push(wordOf(child));
  }
  return {
    text: node.text,
    start: node.startIndex,
    end: node.endIndex,
    assignments,
    words,
    redirects,
  };
}

function assignment(node: SyntaxNode): Assignment {
  const name = node.childForFieldName('name');
  if (!name || name.type !== 'variable_name')
    throw new Unsupported('an assignment to an array element');
  const value = node.childForFieldName('value');
  if (value?.type === 'array') throw new Unsupported('an array assignment');
  const empty: Word = { raw: '', value: '', glob: false, tilde: false };
  return { name: name.text, value: value ? wordOf(value) : empty };
}

/** One redirection; a here-document also yields the redirections written after `<<EOF`. */
function redirect(node: SyntaxNode, out: Pipeline[]): Redirect[] {
  const fd = node.children.find((child) => child?.type === 'file_descriptor')?.text;
  const op = node.children.find((child) => child && !child.isNamed)?.type ?? '';
  const withFd = (value: Redirect): Redirect => (fd === undefined ? value : { ...value, fd });
  if (node.type === 'heredoc_redirect') {
    const [document, ...more] = hereDocument(node, op, out);
    return [withFd(document as Redirect), ...more];
  }
  const targets = node.namedChildren.filter((child) => child && child.type !== 'file_descriptor');
  if (targets.length > 1) throw new Unsupported('a redirection with more than one target');
  const [target] = targets;
  return [withFd(target ? { op, target: wordOf(target) } : { op })];
}

function hereDocument(node: SyntaxNode, op: string, out: Pipeline[]): Redirect[] {
  let expands = true;
  let problem: string | undefined;
  const more: Redirect[] = [];
  for (const child of node.namedChildren) {
    if (!child) continue;
    if (child.type === 'heredoc_start') expands = !/['"\\]/.test(child.text);
    else if (REDIRECTS.has(child.type)) more.push(...redirect(child, out));
    else if (child.type === 'heredoc_body') {
      const inner = child.namedChildren.find((part) => part?.type !== 'heredoc_content');
      if (expands && (inner || /[$`]/.test(child.text)))
        problem = `a here-document that expands ${inner ? expansionProblem(inner) : '$ or backticks'}`;
    } else if (child.type === 'heredoc_end' || child.type === 'file_descriptor') continue;
    // The rest of the line after `<<EOF` (`| grep x`, `&& ls`) belongs to the statement.
    else if (child.type === 'pipeline' || child.type === 'list' || COMMAND_LIKE.has(child.type))
      statement(child, out);
    else throw new Unsupported(describe(child));
  }
  return [problem === undefined ? { op } : { op, problem }, ...more];
}

/** Marks a pipeline that only `&&` separates from the one before (nothing else in between). */
function joined(pipeline: Pipeline, previous: Pipeline | undefined, source: string): Pipeline {
  const end = previous?.commands.at(-1)?.end;
  const start = pipeline.commands[0]?.start;
  if (end === undefined || start === undefined) return pipeline;
  const between = source
    .slice(end, start)
    .replace(/\\\n/g, '')
    .replace(/[ \t\n]/g, '');
  return between === '&&' ? { ...pipeline, afterAnd: true } : pipeline;
}

function describe(node: SyntaxNode): string {
  return CONSTRUCTS[node.type] ?? `unsupported shell syntax (${node.type})`;
}

/** The text between tokens must be blanks; otherwise the parser and bash read different commands. */
function gapProblem(root: SyntaxNode, source: string): string | undefined {
  const leaves: SyntaxNode[] = [];
  const visit = (node: SyntaxNode) => {
    // A here-document body is text with pieces in it: one token for this check.
    if (node.childCount === 0 || node.type === 'heredoc_body') {
      if (node.endIndex > node.startIndex) leaves.push(node);
      return;
    }
    for (const child of node.children) if (child) visit(child);
  };
  visit(root);
  leaves.sort((a, b) => a.startIndex - b.startIndex);
  let position = 0;
  for (const leaf of [...leaves, undefined]) {
    const start = leaf ? leaf.startIndex : source.length;
    if (start < position) return 'overlapping tokens';
    const gap = source.slice(position, start);
    const joined = gap.replace(/\\\n/g, '');
    if (!/^[ \t\n]*$/.test(joined))
      return `text the parser skipped: ${JSON.stringify(joined.trim().slice(0, 20))}`;
    if (leaf && position > 0 && gap !== joined && joined === '')
      return 'a line continuation that joins two words';
    if (leaf) position = leaf.endIndex;
  }
  return undefined;
}
