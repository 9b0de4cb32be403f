/**
 * A baseline for the benchmark: a re-implementation of Codex CLI's `is_known_safe_command`
 * (codex-rs, command_safety/is_safe_command.rs and bash.rs), judged on the same corpus. Each corpus
 * command is taken as Codex sees a shell command, `bash -lc "<command>"`: the script is parsed with
 * the same tree-sitter grammar, accepted only if it is plain words and strings joined by `&&`,
 * `||`, `;` and `|`, and allowed if every command in it is on Codex's safe list. It is not used to
 * decide anything.
 */
import { withSyntaxTree, type SyntaxNode } from '../shell/parser';

const ALLOWED_KINDS = new Set([
  'program',
  'list',
  'pipeline',
  'command',
  'command_name',
  'word',
  'string',
  'string_content',
  'raw_string',
  'number',
  'concatenation',
]);
const ALLOWED_PUNCTUATION = new Set(['&&', '||', ';', '|', '"', "'"]);

/** Codex's verdict for a command string run as `bash -lc`. */
export function codexAllows(script: string): boolean {
  const commands = plainCommands(script);
  return commands !== undefined && commands.length > 0 && commands.every(isSafeToCallWithExec);
}

function plainCommands(script: string): string[][] | undefined {
  return withSyntaxTree(script, (root) => {
    if (root.hasError) return undefined;
    const commands: string[][] = [];
    const stack: SyntaxNode[] = [root];
    while (stack.length) {
      const node = stack.pop() as SyntaxNode;
      if (node.isNamed ? !ALLOWED_KINDS.has(node.type) : !ALLOWED_PUNCTUATION.has(node.type))
        return undefined;
      if (node.type === 'command') {
        const words = node.namedChildren.map((child) => (child ? wordText(child) : undefined));
        if (words.some((word) => word === undefined)) return undefined;
        commands.push(words as string[]);
      }
      for (const child of node.children) if (child) stack.push(child);
    }
    return commands.reverse();
  });
}

function wordText(node: SyntaxNode): string | undefined {
  switch (node.type) {
    case 'command_name':
      return node.namedChildren[0] ? wordText(node.namedChildren[0]) : undefined;
    case 'word':
    case 'number':
      return node.text;
    case 'raw_string':
      return node.text.slice(1, -1);
    case 'string':
      return node.namedChildren.every((child) => child?.type === 'string_content')
        ? node.text.slice(1, -1)
        : undefined;
    case 'concatenation': {
      const parts = node.namedChildren.map((child) => (child ? wordText(child) : undefined));
      return parts.some((part) => part === undefined) ? undefined : parts.join('');
    }
    default:
      return undefined;
  }
}

const ALWAYS_SAFE = new Set(
  'cat cd cut echo expr false grep head id ls nl paste pwd rev seq stat tail tr true uname uniq wc which whoami numfmt tac'.split(
    ' ',
  ),
);
const UNSAFE_FIND = new Set([
  '-exec',
  '-execdir',
  '-ok',
  '-okdir',
  '-delete',
  '-fls',
  '-fprint',
  '-fprint0',
  '-fprintf',
]);
const GIT_READ_ONLY = new Set(['status', 'log', 'diff', 'show', 'branch']);
const UNSAFE_GIT = new Set(['--output', '--ext-diff', '--textconv', '--exec', '--paginate']);
const GIT_GLOBAL_WITH_VALUE = new Set([
  '-C',
  '-c',
  '--config-env',
  '--exec-path',
  '--git-dir',
  '--namespace',
  '--super-prefix',
  '--work-tree',
]);
const BRANCH_READ_ONLY = new Set([
  '--list',
  '-l',
  '--show-current',
  '-a',
  '--all',
  '-r',
  '--remotes',
  '-v',
  '-vv',
  '--verbose',
]);

function isSafeToCallWithExec(command: readonly string[]): boolean {
  const [first, ...args] = command;
  const name = first?.split('/').pop();
  if (name === undefined) return false;
  if (ALWAYS_SAFE.has(name)) return true;
  switch (name) {
    case 'base64':
      return !args.some(
        (a) =>
          a === '-o' ||
          a === '--output' ||
          a.startsWith('--output=') ||
          (a.startsWith('-o') && a !== '-o'),
      );
    case 'find':
      return !args.some((a) => UNSAFE_FIND.has(a));
    case 'rg':
      return !args.some(
        (a) =>
          a === '--search-zip' ||
          a === '-z' ||
          ['--pre', '--hostname-bin'].some((o) => a === o || a.startsWith(`${o}=`)),
      );
    case 'git':
      return gitIsSafe(args);
    case 'sed':
      return command.length <= 4 && args[0] === '-n' && /^(\d+,)?\d+p$/.test(args[1] ?? '');
    default:
      return false;
  }
}

function gitIsSafe(args: readonly string[]): boolean {
  if (
    args.some(
      (a) =>
        a === '-c' ||
        a === '--config-env' ||
        (a.startsWith('-c') && a.length > 2) ||
        a.startsWith('--config-env='),
    )
  )
    return false;
  let i = 0;
  while (i < args.length && (args[i] as string).startsWith('-'))
    i += GIT_GLOBAL_WITH_VALUE.has(args[i] as string) ? 2 : 1;
  const subcommand = args[i];
  if (subcommand === undefined || !GIT_READ_ONLY.has(subcommand)) return false;
  const rest = args.slice(i + 1);
  if (rest.some((a) => UNSAFE_GIT.has(a) || a.startsWith('--output=') || a.startsWith('--exec=')))
    return false;
  if (subcommand !== 'branch') return true;
  return rest.every((a) => BRANCH_READ_ONLY.has(a) || a.startsWith('--format='));
}
