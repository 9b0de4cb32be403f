/**
 * The pure side of the diff viewer: a `git diff` patch cut into files, and the decisions about how
 * each one is shown (symbolic link, binary, language, collapsed, how much to render). No React and
 * no DOM, so it runs once per diff and is tested in Node.
 *
 * The patch is only cut here, never parsed line by line into objects: a file's hunks are parsed
 * when the file is first rendered (see hunks.ts), so a 5,000-file diff costs one scan up front.
 */
import type { FileChange, SessionDiff } from '../../../../shared/sessions';

/** Files with more changed lines than this start collapsed. */
export const COLLAPSE_OVER_LINES = 400;
/** An expanded file renders this many changed lines at a time, then offers the next batch. */
export const RENDER_STEP_LINES = 1000;
/** Syntax highlighting tokenizes the whole hunk text: above these sizes it costs more than it helps. */
export const HIGHLIGHT_MAX_LINES = 2000;
export const HIGHLIGHT_MAX_LINE_LENGTH = 1000;

/** git's mode for a symbolic link: its blob, and so its "content" in the patch, is the target. */
const SYMLINK_MODE = '120000';

export type PartKind = 'add' | 'delete' | 'modify' | 'rename';

/** One `diff --git` section of the patch. A type change (file ↔ link) is two of them. */
export interface PatchPart {
  oldPath: string;
  newPath: string;
  kind: PartKind;
  oldMode: string | null;
  newMode: string | null;
  binary: boolean;
  /** From `similarity index`: how alike a renamed file is, in percent. */
  similarity: number | null;
  /** The hunks as text, from the first `@@` line to the section's end; '' when there are none. */
  hunks: string;
  additions: number;
  deletions: number;
  /** Lines of the hunks (headers, context and changes): what rendering them costs. */
  lines: number;
  longestLine: number;
}

/** One file as the viewer shows it: an entry of `SessionDiff.files` with its patch sections. */
export interface DiffFile {
  /** Unique within the diff, stable across a refresh of the same diff. */
  key: string;
  path: string;
  oldPath?: string;
  status: FileChange['status'];
  /** null for a binary file, as git counts it. */
  additions: number | null;
  deletions: number | null;
  parts: PatchPart[];
}

export interface SymlinkChange {
  /** The target after the change; null when the link was deleted or its target is unchanged. */
  target: string | null;
  /** The target before the change; null when the link is new or its target is unchanged. */
  previousTarget: string | null;
  /** The target (after the change) is absolute or climbs out with `..`. */
  outside: boolean;
}

// ---- Cutting the patch ----

const HEADER = 'diff --git ';

/** Cuts a `git diff` patch at each `diff --git` line. Text before the first one is ignored. */
export function splitPatch(patch: string): PatchPart[] {
  const parts: PatchPart[] = [];
  // Every line inside a hunk starts with ' ', '+', '-' or '\', so this finds headers only.
  let start = patch.startsWith(HEADER) ? 0 : nextHeader(patch, 0);
  while (start !== -1) {
    const next = nextHeader(patch, start);
    parts.push(readPart(patch, start, next === -1 ? patch.length : next));
    start = next;
  }
  return parts;
}

function nextHeader(patch: string, from: number): number {
  const at = patch.indexOf(`\n${HEADER}`, from);
  return at === -1 ? -1 : at + 1;
}

/** Where the line starting at `from` ends: its newline, or the section's end. */
function lineEnd(patch: string, from: number, end: number): number {
  const at = patch.indexOf('\n', from);
  return at === -1 || at > end ? end : at;
}

function readPart(patch: string, start: number, end: number): PatchPart {
  let at = lineEnd(patch, start, end);
  const header = new HeaderReader(patch.slice(start + HEADER.length, at));
  // Header lines, up to the first hunk.
  let hunkStart = end;
  for (let from = at + 1; from < end; from = at + 1) {
    at = lineEnd(patch, from, end);
    if (patch.startsWith('@@', from)) {
      hunkStart = from;
      break;
    }
    header.read(patch.slice(from, at));
  }
  // The hunks: counted by their first character, without building per-line strings.
  let additions = 0;
  let deletions = 0;
  let lines = 0;
  let longestLine = 0;
  for (let from = hunkStart; from < end; from = at + 1) {
    at = lineEnd(patch, from, end);
    lines++;
    longestLine = Math.max(longestLine, at - from);
    const first = patch.charCodeAt(from);
    if (first === PLUS) additions++;
    else if (first === MINUS) deletions++;
  }
  // Without its final newline, so the text splits into exactly its lines.
  const hunksEnd = end > hunkStart && patch.charCodeAt(end - 1) === NEWLINE ? end - 1 : end;
  return {
    ...header.result(),
    hunks: patch.slice(hunkStart, hunksEnd),
    additions,
    deletions,
    lines,
    longestLine,
  };
}

const PLUS = 0x2b;
const MINUS = 0x2d;
const NEWLINE = 0x0a;

/** The extended header lines of one section (see `git diff --help`, "generating patch text"). */
class HeaderReader {
  private kind: PartKind = 'modify';
  private oldMode: string | null = null;
  private newMode: string | null = null;
  private binary = false;
  private similarity: number | null = null;
  private oldPath: string | null = null;
  private newPath: string | null = null;
  private readonly fromFirstLine: [string, string];

  constructor(firstLineRest: string) {
    const paths = headerPaths(firstLineRest);
    this.fromFirstLine = [stripPrefix(paths[0]), stripPrefix(paths[1])];
  }

  read(line: string): void {
    const rest = (prefix: string) => line.slice(prefix.length);
    if (line.startsWith('new file mode ')) {
      this.kind = 'add';
      this.newMode = rest('new file mode ');
    } else if (line.startsWith('deleted file mode ')) {
      this.kind = 'delete';
      this.oldMode = rest('deleted file mode ');
    } else if (line.startsWith('old mode ')) this.oldMode = rest('old mode ');
    else if (line.startsWith('new mode ')) this.newMode = rest('new mode ');
    else if (line.startsWith('index ')) {
      // `index <old>..<new> <mode>`: the mode is there only when it did not change.
      const mode = line.split(' ')[2];
      if (mode) {
        this.oldMode ??= mode;
        this.newMode ??= mode;
      }
    } else if (line.startsWith('similarity index ')) {
      this.similarity = Number.parseInt(rest('similarity index '), 10);
    } else if (line.startsWith('rename from ')) {
      this.kind = 'rename';
      this.oldPath = unquoteGitPath(rest('rename from '));
    } else if (line.startsWith('rename to ')) {
      this.kind = 'rename';
      this.newPath = unquoteGitPath(rest('rename to '));
    } else if (line.startsWith('copy from ')) {
      // A copy is a new file, as FileChange has it.
      this.kind = 'add';
      this.oldPath = unquoteGitPath(rest('copy from '));
    } else if (line.startsWith('copy to ')) {
      this.newPath = unquoteGitPath(rest('copy to '));
    } else if (line.startsWith('--- ')) {
      this.oldPath ??= patchLinePath(rest('--- '));
    } else if (line.startsWith('+++ ')) {
      this.newPath ??= patchLinePath(rest('+++ '));
    } else if (line.startsWith('Binary files ') || line === 'GIT binary patch') {
      this.binary = true;
    }
  }

  result() {
    const [oldFromFirst, newFromFirst] = this.fromFirstLine;
    // `/dev/null` (an added or deleted file) leaves the first line's name in place.
    const oldPath = this.oldPath ?? oldFromFirst;
    const newPath = this.newPath ?? newFromFirst;
    return {
      oldPath: this.kind === 'add' && this.oldPath === null ? newPath : oldPath,
      newPath: this.kind === 'delete' && this.newPath === null ? oldPath : newPath,
      kind: this.kind,
      oldMode: this.oldMode,
      newMode: this.newMode,
      binary: this.binary,
      similarity: this.similarity,
    };
  }
}

/** `a/x`, `"b/x\303\251"` or `/dev/null` (null) from a `---` or `+++` line. */
function patchLinePath(text: string): string | null {
  // git ends the name with a tab when it holds a space, so the end is unambiguous.
  const name = text.endsWith('\t') ? text.slice(0, -1) : text;
  if (name === '/dev/null') return null;
  return stripPrefix(unquoteGitPath(name));
}

function stripPrefix(path: string): string {
  return path.startsWith('a/') || path.startsWith('b/') ? path.slice(2) : path;
}

/**
 * The two names of `diff --git a/x b/x`. Unquoted names may hold spaces, so like `git apply` this
 * relies on both names being the same when the line is ambiguous; renames also have their own
 * `rename from/to` lines, which win.
 */
function headerPaths(rest: string): [string, string] {
  if (rest.startsWith('"')) {
    const [first, after] = readQuoted(rest);
    const second = after.trimStart();
    return [first, second.startsWith('"') ? readQuoted(second)[0] : second];
  }
  const quotedSecond = rest.indexOf(' "');
  if (quotedSecond !== -1) {
    return [rest.slice(0, quotedSecond), readQuoted(rest.slice(quotedSecond + 1))[0]];
  }
  const half = (rest.length - 1) / 2;
  if (Number.isInteger(half) && rest[half] === ' ') {
    const first = rest.slice(0, half);
    const second = rest.slice(half + 1);
    if (first.slice(2) === second.slice(2)) return [first, second];
  }
  const split = rest.indexOf(' b/');
  return split === -1 ? [rest, rest] : [rest.slice(0, split), rest.slice(split + 1)];
}

/** A name git printed: as is, or in double quotes with C escapes and octal bytes. */
export function unquoteGitPath(text: string): string {
  return text.startsWith('"') ? readQuoted(text)[0] : text;
}

const ESCAPES: Record<string, number> = {
  a: 7,
  b: 8,
  t: 9,
  n: 10,
  v: 11,
  f: 12,
  r: 13,
  '"': 34,
  '\\': 92,
};

/** Reads a quoted name at the start of `text`: the name, and the text after the closing quote. */
function readQuoted(text: string): [string, string] {
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  let index = 1;
  for (; index < text.length; index++) {
    const char = text.charAt(index);
    if (char === '"') break;
    if (char !== '\\') {
      bytes.push(...encoder.encode(char));
      continue;
    }
    const next = text.charAt(index + 1);
    const octal = /^[0-7]{3}/.exec(text.slice(index + 1, index + 4));
    if (octal) {
      bytes.push(Number.parseInt(octal[0], 8));
      index += 3;
    } else {
      bytes.push(ESCAPES[next] ?? next.charCodeAt(0));
      index += 1;
    }
  }
  // Names are bytes; git escapes each non-ASCII byte on its own, so decode them together.
  return [new TextDecoder().decode(new Uint8Array(bytes)), text.slice(index + 1)];
}

// ---- Files ----

/** The path a section is about: the new name, or the old one for a deletion. */
function partPath(part: PatchPart): string {
  return part.kind === 'delete' ? part.oldPath : part.newPath;
}

function statusOfParts(parts: PatchPart[]): FileChange['status'] {
  if (parts.length > 1) return 'T';
  const kind = parts[0]?.kind;
  if (kind === 'add') return 'A';
  if (kind === 'delete') return 'D';
  if (kind === 'rename') return 'R';
  return 'M';
}

function countOf(parts: PatchPart[], side: 'additions' | 'deletions'): number | null {
  if (parts.some((part) => part.binary)) return null;
  return parts.reduce((sum, part) => sum + part[side], 0);
}

/**
 * The files to show, in the order of `diff.files`, each with its sections of the patch. Sections
 * the list does not name are still shown after it: what the patch holds is what gets reviewed.
 */
export function diffFiles(diff: SessionDiff): DiffFile[] {
  const partsByPath = new Map<string, PatchPart[]>();
  for (const part of splitPatch(diff.patch)) {
    const path = partPath(part);
    const list = partsByPath.get(path);
    if (list) list.push(part);
    else partsByPath.set(path, [part]);
  }
  const files: Omit<DiffFile, 'key'>[] = diff.files.map((change) => {
    const parts = partsByPath.get(change.path) ?? [];
    partsByPath.delete(change.path);
    return { ...change, parts };
  });
  for (const [path, parts] of partsByPath) {
    const oldPath = parts[0]?.kind === 'rename' ? parts[0].oldPath : undefined;
    files.push({
      path,
      ...(oldPath === undefined ? {} : { oldPath }),
      status: statusOfParts(parts),
      additions: countOf(parts, 'additions'),
      deletions: countOf(parts, 'deletions'),
      parts,
    });
  }
  return files.map((file, index) => ({ ...file, key: `${index}:${file.path}` }));
}

export interface DiffTotals {
  files: number;
  additions: number;
  deletions: number;
}

export function diffTotals(files: DiffFile[]): DiffTotals {
  let additions = 0;
  let deletions = 0;
  for (const file of files) {
    additions += file.additions ?? 0;
    deletions += file.deletions ?? 0;
  }
  return { files: files.length, additions, deletions };
}

/** Added plus deleted lines: 0 for a binary file. */
export function changedLines(file: DiffFile): number {
  return (file.additions ?? 0) + (file.deletions ?? 0);
}

/** A big file starts collapsed: it is rendered only when someone asks to read it. */
export function startsCollapsed(file: DiffFile): boolean {
  return changedLines(file) > COLLAPSE_OVER_LINES;
}

// ---- Symbolic links and binaries ----

export function isSymlinkPart(part: PatchPart): boolean {
  return part.oldMode === SYMLINK_MODE || part.newMode === SYMLINK_MODE;
}

/**
 * A link's change, read from its hunk as text. The target is never resolved: it names a place on
 * the agent's machine, and following it is exactly what a link out of the workspace would want.
 */
export function symlinkOf(part: PatchPart): SymlinkChange | null {
  if (!isSymlinkPart(part)) return null;
  const added: string[] = [];
  const removed: string[] = [];
  for (const line of part.hunks.split('\n')) {
    if (line.startsWith('+')) added.push(line.slice(1));
    else if (line.startsWith('-')) removed.push(line.slice(1));
  }
  // A target may hold a newline, which splits it over several lines of the hunk. A link renamed
  // without changes has no hunk at all: neither target is in the patch.
  const target =
    part.newMode === SYMLINK_MODE && part.kind !== 'delete' && added.length
      ? added.join('\n')
      : null;
  const previousTarget =
    part.oldMode === SYMLINK_MODE && part.kind !== 'add' && removed.length
      ? removed.join('\n')
      : null;
  return { target, previousTarget, outside: target !== null && pointsOutside(target) };
}

/**
 * Whether a link's target leaves the workspace, judged on the text alone: absolute, or climbing
 * with `..` anywhere (even `a/../b`, since a link cannot be checked without following it).
 */
export function pointsOutside(target: string): boolean {
  if (/^([/\\]|[A-Za-z]:)/.test(target)) return true;
  return target.split(/[/\\]/).includes('..');
}

// ---- Languages ----

/** Extensions to refractor language names; highlight.ts registers exactly these languages. */
const LANGUAGE_BY_EXTENSION = new Map<string, string>([
  ['ts', 'typescript'],
  ['mts', 'typescript'],
  ['cts', 'typescript'],
  ['tsx', 'tsx'],
  ['js', 'javascript'],
  ['mjs', 'javascript'],
  ['cjs', 'javascript'],
  ['jsx', 'jsx'],
  ['json', 'json'],
  ['jsonc', 'json'],
  ['css', 'css'],
  ['scss', 'scss'],
  ['html', 'markup'],
  ['htm', 'markup'],
  ['xml', 'markup'],
  ['svg', 'markup'],
  ['md', 'markdown'],
  ['markdown', 'markdown'],
  ['py', 'python'],
  ['go', 'go'],
  ['rs', 'rust'],
  ['java', 'java'],
  ['c', 'c'],
  ['h', 'c'],
  ['cc', 'cpp'],
  ['cpp', 'cpp'],
  ['cxx', 'cpp'],
  ['hpp', 'cpp'],
  ['yml', 'yaml'],
  ['yaml', 'yaml'],
  ['sh', 'bash'],
  ['bash', 'bash'],
  ['zsh', 'bash'],
  ['toml', 'toml'],
  ['ini', 'ini'],
  ['sql', 'sql'],
  ['rb', 'ruby'],
  ['diff', 'diff'],
  ['patch', 'diff'],
]);

const LANGUAGE_BY_NAME = new Map<string, string>([
  ['dockerfile', 'docker'],
  ['containerfile', 'docker'],
  ['makefile', 'makefile'],
  ['gnumakefile', 'makefile'],
  ['.bashrc', 'bash'],
  ['.profile', 'bash'],
  ['.zshrc', 'bash'],
]);

export const HIGHLIGHT_LANGUAGES: ReadonlySet<string> = new Set([
  ...LANGUAGE_BY_EXTENSION.values(),
  ...LANGUAGE_BY_NAME.values(),
]);

/** The refractor language for a file name, or null when it is not one Paddock highlights. */
export function languageOf(path: string): string | null {
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  const byName = LANGUAGE_BY_NAME.get(name);
  if (byName) return byName;
  if (name.startsWith('dockerfile.')) return 'docker';
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return null;
  return LANGUAGE_BY_EXTENSION.get(name.slice(dot + 1)) ?? null;
}

/** The language to highlight a section in, or null for plain text (unknown, or too big to pay). */
export function highlightLanguage(part: PatchPart, path: string): string | null {
  if (part.lines > HIGHLIGHT_MAX_LINES || part.longestLine > HIGHLIGHT_MAX_LINE_LENGTH) return null;
  return languageOf(path);
}

// ---- Rendering in batches ----

interface HunkLike<Change> {
  changes: Change[];
}

/**
 * The first `limit` lines of the hunks (a hunk may be cut short), and how many lines are left
 * out: an expanded 50,000-line file renders a batch at a time instead of freezing the page.
 */
export function limitHunks<Change, Hunk extends HunkLike<Change>>(
  hunks: Hunk[],
  limit: number,
): { hunks: Hunk[]; hidden: number } {
  const shown: Hunk[] = [];
  let room = limit;
  let hidden = 0;
  for (const hunk of hunks) {
    if (room >= hunk.changes.length) {
      shown.push(hunk);
      room -= hunk.changes.length;
    } else {
      if (room > 0) shown.push({ ...hunk, changes: hunk.changes.slice(0, room) });
      hidden += hunk.changes.length - room;
      room = 0;
    }
  }
  return { hunks: shown, hidden };
}

/** Lines a hunk text will render as: for a placeholder of about the right height. */
export function renderedLines(file: DiffFile, limit: number): number {
  return file.parts.reduce((sum, part) => sum + Math.min(part.lines, limit), 0);
}

export function shortHash(commit: string): string {
  return commit.slice(0, 7);
}

/** A path the review marks, and the glob that marked it (shared/gates ProtectedChange's shape). */
export interface PathMark {
  path: string;
  pattern: string;
}

/**
 * Which files of the diff are protected, by file key → the pattern. A rename counts by either
 * name: moving a workflow out of `.github/` changes what runs outside the sandbox too.
 */
export function protectedPatterns(
  files: readonly DiffFile[],
  marks: readonly PathMark[],
): ReadonlyMap<string, string> {
  const byPath = new Map(marks.map((mark) => [mark.path, mark.pattern]));
  const byKey = new Map<string, string>();
  if (byPath.size === 0) return byKey;
  for (const file of files) {
    const pattern = byPath.get(file.path) ?? (file.oldPath && byPath.get(file.oldPath));
    if (pattern) byKey.set(file.key, pattern);
  }
  return byKey;
}
