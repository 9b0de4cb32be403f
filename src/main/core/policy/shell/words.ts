/**
 * Shell words to literal strings. A word is proven literal only when every piece is a plain word
 * or a quoted string without expansions; its value is then exactly what bash would pass to the
 * program (quotes removed, backslashes applied), so `l\s` is `ls` and `'git' 'push'` is
 * `git push`. Anything else (variables, substitutions, brace expansion, `$'…'`) carries a problem
 * instead, and the classifier asks.
 *
 * The text of each piece is decoded here again, character by character, rather than trusting the
 * grammar's node kinds alone: if the parser and bash ever disagree about a character, the word is
 * refused, not misread.
 */
import type { SyntaxNode } from './parser';

export interface Word {
  /** The source text. */
  readonly raw: string;
  /** The value bash passes on, when the word is a plain literal. */
  readonly value: string;
  /** Why the word is not a plain literal, if it is not. */
  readonly problem?: string;
  /** Has an unquoted `*`, `?` or `[`: bash would expand it against the file system. */
  readonly glob: boolean;
  /** Starts with an unquoted `~`. */
  readonly tilde: boolean;
}

/** Characters with their quoting: unquoted ones are the only ones bash gives meaning to. */
interface Piece {
  text: string;
  unquoted: boolean[];
  problem?: string;
}

const UNQUOTED_FORBIDDEN = new Set([...'$`\'";&|<>() \t\n']);
const GLOB = new Set(['*', '?', '[']);

export function wordOf(node: SyntaxNode): Word {
  const piece = pieceOf(node);
  const raw = node.text;
  const glob = piece.unquoted.some((free, i) => free && GLOB.has(piece.text[i] as string));
  const tilde = piece.text.startsWith('~') && piece.unquoted[0] === true;
  // `~` and `~/…` are the person's home; `~user`, `~+` and `~-` expand to other directories.
  const otherTilde =
    tilde && !/^~(\/|$)/.test(piece.text)
      ? `tilde expansion ${piece.text.split('/')[0]}`
      : undefined;
  const problem = piece.problem ?? otherTilde ?? braceOrTildeProblem(piece);
  return problem === undefined
    ? { raw, value: piece.text, glob, tilde }
    : { raw, value: piece.text, problem, glob, tilde };
}

function pieceOf(node: SyntaxNode): Piece {
  switch (node.type) {
    case 'word':
    case 'number':
      return unquoted(node.text);
    case 'raw_string':
      return quoted(node.text.slice(1, -1));
    case 'string': {
      const inner = node.namedChildren.find((child) => child?.type !== 'string_content');
      if (inner) return { ...quoted(''), problem: expansionProblem(inner) };
      return doubleQuoted(node.text.slice(1, -1));
    }
    case 'concatenation': {
      const parts = node.children.map((child) => (child ? pieceOf(child) : unsupported('?')));
      return {
        text: parts.map((p) => p.text).join(''),
        unquoted: parts.flatMap((p) => p.unquoted),
        ...firstProblem(parts),
      };
    }
    default:
      return { ...quoted(''), problem: expansionProblem(node) };
  }
}

function firstProblem(parts: Piece[]): { problem?: string } {
  const problem = parts.find((p) => p.problem)?.problem;
  return problem === undefined ? {} : { problem };
}

function unquoted(text: string): Piece {
  let value = '';
  const flags: boolean[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\\') {
      const next = text[i + 1];
      if (next === undefined) return { ...quoted(value), problem: 'a word ends with a backslash' };
      i++;
      if (next === '\n') continue;
      value += next;
      flags.push(false);
      continue;
    }
    if (UNQUOTED_FORBIDDEN.has(c))
      return { ...quoted(value), problem: `unexpected ${JSON.stringify(c)} in a word` };
    value += c;
    flags.push(true);
  }
  return { text: value, unquoted: flags };
}

function quoted(text: string): Piece {
  return { text, unquoted: new Array<boolean>(text.length).fill(false) };
}

/** Inside double quotes only `$`, backtick, `"`, `\` and newline are special. */
function doubleQuoted(text: string): Piece {
  let value = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '$' || c === '`')
      return { ...quoted(value), problem: `unexpected ${c} in a quoted string` };
    if (c === '\\' && i + 1 < text.length && '$`"\\\n'.includes(text[i + 1] as string)) {
      i++;
      if (text[i] !== '\n') value += text[i];
      continue;
    }
    value += c;
  }
  return quoted(value);
}

function unsupported(type: string): Piece {
  return { ...quoted(''), problem: `unsupported shell syntax (${type})` };
}

/** `{a,b}` and `{1..3}` multiply words; `~` after `=` or `:` expands to a home directory. */
function braceOrTildeProblem(piece: Piece): string | undefined {
  const chars = piece.text.split('');
  let open = -1;
  for (let i = 0; i < chars.length; i++) {
    if (!piece.unquoted[i]) continue;
    const c = chars[i];
    if (c === '{') open = i;
    else if (c === '}' && open !== -1) {
      const inside = chars.slice(open + 1, i);
      const unquotedAt = (j: number) => piece.unquoted[open + 1 + j];
      if (inside.some((ch, j) => ch === ',' && unquotedAt(j)) || /\.\./.test(inside.join('')))
        return 'brace expansion';
    } else if (c === '~' && i > 0 && (chars[i - 1] === '=' || chars[i - 1] === ':'))
      return '~ after = or : expands to a home directory';
  }
  return undefined;
}

/** A specific reason for a piece of a word that is not literal. */
export function expansionProblem(node: SyntaxNode): string {
  const text = node.text.length > 40 ? `${node.text.slice(0, 37)}...` : node.text;
  switch (node.type) {
    case 'simple_expansion':
    case 'expansion':
      return `variable expansion ${text} (reads the environment)`;
    case 'command_substitution':
      return `command substitution ${text}`;
    case 'process_substitution':
      return `process substitution ${text}`;
    case 'arithmetic_expansion':
      return `arithmetic expansion ${text}`;
    case 'ansi_c_string':
    case 'translated_string':
      return `${text.slice(0, 2)}…' quoting`;
    case 'brace_expression':
      return 'brace expansion';
    default:
      return `unsupported shell syntax (${node.type})`;
  }
}
