/**
 * Terminal escape sequences, for the redactor. A secret printed in colour, or redrawn by a TUI with
 * an escape in the middle, is still one secret on the screen: the redactor also scans the visible
 * text, with the escape sequences taken out, and maps what it finds back to stream positions.
 */

/**
 * CSI (`ESC [ … final`), OSC (`ESC ] … BEL|ST`, unterminated: to the next ESC), DCS/SOS/PM/APC
 * strings, and the short `ESC (intermediates) final` forms (charset, keypad, save cursor).
 */
const ESCAPE_SEQUENCE =
  // eslint-disable-next-line no-control-regex -- escape sequences start with the ESC control character
  /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[PX^_][^\x1b]*(?:\x1b\\)?|[ -/]*[0-~])/g;
/** The sequences worth keeping inside a redacted span: they change colours and move the cursor. */
// eslint-disable-next-line no-control-regex -- as above
const CONTROL_SEQUENCE = /\x1b\[[0-?]*[ -/]*[@-~]/g;
/**
 * Cursor movements (CUU…CHA, CUP, HVP, VPA, HPR, VPR, HPA, tabs). TUIs move the cursor over
 * blanks instead of printing spaces, so a movement reads as a space: `key:⟨CUF⟩AKIA…` is two words.
 */
// eslint-disable-next-line no-control-regex -- as above
const CURSOR_MOVEMENT = /^\x1b\[[0-?]*[ -/]*[A-HIZadef`]$/;
const ESC = '\x1b';

/** Text with its escape sequences removed, and the way back to positions in the original. */
export interface VisibleText {
  text: string;
  /** Original position of visible character `index` (`text.length` maps to the original's end). */
  toRaw(index: number): number;
  /** Visible index of the first visible character at or after original position `raw`. */
  toVisible(raw: number): number;
}

/**
 * Removes escape sequences (a cursor movement leaves a space). `removedAt[i]` is the visible index
 * where removal `i` happened; a movement's space stands for the sequence's last byte.
 */
export function stripEscapes(raw: string): VisibleText {
  const pieces: string[] = [];
  const removedAt: number[] = [];
  const removedBefore: number[] = []; // bytes removed up to and including removal i
  let last = 0;
  let visible = 0;
  let removed = 0;
  ESCAPE_SEQUENCE.lastIndex = 0;
  for (let match = ESCAPE_SEQUENCE.exec(raw); match; match = ESCAPE_SEQUENCE.exec(raw)) {
    pieces.push(raw.slice(last, match.index));
    visible += match.index - last;
    const space = CURSOR_MOVEMENT.test(match[0]);
    removed += match[0].length - (space ? 1 : 0);
    removedAt.push(visible);
    removedBefore.push(removed);
    if (space) {
      pieces.push(' ');
      visible += 1;
    }
    last = match.index + match[0].length;
  }
  pieces.push(raw.slice(last));
  const text = pieces.join('');
  const toRaw = (index: number) => index + removedUpTo(removedAt, removedBefore, index);
  return { text, toRaw, toVisible: (rawIndex) => visibleIndexOf(rawIndex, text.length, toRaw) };
}

/** Bytes removed at visible positions ≤ index (binary search over the removal list). */
function removedUpTo(removedAt: number[], removedBefore: number[], index: number): number {
  let low = 0;
  let high = removedAt.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((removedAt[mid] as number) <= index) low = mid + 1;
    else high = mid;
  }
  return low === 0 ? 0 : (removedBefore[low - 1] as number);
}

function visibleIndexOf(raw: number, length: number, toRaw: (index: number) => number): number {
  let low = 0;
  let high = length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (toRaw(mid) < raw) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Whether `text` holds an escape at or after `from`: most scans need no visible view at all. */
export function hasEscape(text: string, from: number): boolean {
  return text.indexOf(ESC, from) !== -1;
}

/** The cursor and colour sequences inside `text[start, end)`, concatenated. */
export function controlSequencesIn(text: string, start: number, end: number): string {
  const inner = text.slice(start, end);
  if (!inner.includes(ESC)) return '';
  return inner.match(CONTROL_SEQUENCE)?.join('') ?? '';
}

/**
 * Where the last `count` visible characters of `text` start, in original positions: escapes in the
 * tail must not shrink what is held back for a secret that may still be arriving.
 */
export function visibleTailStart(text: string, count: number): number {
  if (text.length <= count) return 0;
  // Escapes are short: look a generous distance back, parse only when one is there, widen if the
  // tail is nearly all escapes.
  for (let width = 2 * count; ; width *= 4) {
    const region = Math.max(0, text.length - width);
    if (text.indexOf(ESC, region) === -1) return text.length - count;
    const view = stripEscapes(text.slice(region));
    if (view.text.length > count) return region + view.toRaw(view.text.length - count);
    if (region === 0) return 0;
  }
}
