/**
 * Untrusted text (what an agent asks to run, its terminal) made safe to show: every character that
 * could hide, reorder or overwrite what a person reads is replaced by a visible escape. Terminal
 * escapes could recolour or move the cursor, a carriage return could overwrite the start of a line,
 * bidi controls could show `rm -rf /` as something harmless, zero-width characters could split a
 * word a reader checks for. Nothing is ever truncated: the whole text is always returned.
 *
 * A literal backslash is left alone (a Windows path stays readable), so the plain string alone
 * cannot tell `\x1b` typed by the agent from an escaped ESC: show the segments, which mark each
 * escape, wherever that difference matters.
 */

export interface TextSegment {
  text: string;
  /** The text stands for a hidden character: style it so it cannot pass for the original. */
  escaped: boolean;
  /** What the escaped character is, for a tooltip: `ESC`, `RIGHT-TO-LEFT OVERRIDE`. */
  name?: string;
}

export interface EscapeOptions {
  /**
   * Keep `\r\n` as a plain line break. A terminal's output ends every line so, and the pair cannot
   * overwrite anything; a lone `\r` is still shown. Off by default: what an agent asks to run
   * shows every carriage return.
   */
  crlfAsNewline?: boolean;
}

const NAMES: Readonly<Record<number, string>> = {
  0x00: 'NUL',
  0x07: 'BEL (bell)',
  0x08: 'BS (backspace)',
  0x0b: 'VT (vertical tab)',
  0x0c: 'FF (form feed)',
  0x0d: 'CR (carriage return)',
  0x1b: 'ESC (starts a terminal escape)',
  0x7f: 'DEL',
  0x85: 'NEL (next line)',
  0x9b: 'CSI (starts a terminal escape)',
  0x00ad: 'SOFT HYPHEN',
  0x034f: 'COMBINING GRAPHEME JOINER',
  0x061c: 'ARABIC LETTER MARK (bidi)',
  0x180e: 'MONGOLIAN VOWEL SEPARATOR',
  0x200b: 'ZERO WIDTH SPACE',
  0x200c: 'ZERO WIDTH NON-JOINER',
  0x200d: 'ZERO WIDTH JOINER',
  0x200e: 'LEFT-TO-RIGHT MARK (bidi)',
  0x200f: 'RIGHT-TO-LEFT MARK (bidi)',
  0x2028: 'LINE SEPARATOR',
  0x2029: 'PARAGRAPH SEPARATOR',
  0x202a: 'LEFT-TO-RIGHT EMBEDDING (bidi)',
  0x202b: 'RIGHT-TO-LEFT EMBEDDING (bidi)',
  0x202c: 'POP DIRECTIONAL FORMATTING (bidi)',
  0x202d: 'LEFT-TO-RIGHT OVERRIDE (bidi)',
  0x202e: 'RIGHT-TO-LEFT OVERRIDE (bidi)',
  0x2060: 'WORD JOINER',
  0x2066: 'LEFT-TO-RIGHT ISOLATE (bidi)',
  0x2067: 'RIGHT-TO-LEFT ISOLATE (bidi)',
  0x2068: 'FIRST STRONG ISOLATE (bidi)',
  0x2069: 'POP DIRECTIONAL ISOLATE (bidi)',
  0xfeff: 'ZERO WIDTH NO-BREAK SPACE (BOM)',
};

/** Code points shown as `<U+XXXX>`: bidi controls, zero-width and other invisible characters. */
function isInvisible(code: number): boolean {
  return (
    code === 0x00ad ||
    code === 0x034f ||
    code === 0x061c ||
    code === 0x115f ||
    code === 0x1160 ||
    code === 0x17b4 ||
    code === 0x17b5 ||
    code === 0x180e ||
    (code >= 0x200b && code <= 0x200f) ||
    code === 0x2028 ||
    code === 0x2029 ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2060 && code <= 0x206f) ||
    code === 0x3164 ||
    code === 0xfeff ||
    code === 0xffa0 ||
    (code >= 0xfff9 && code <= 0xfffb) ||
    // Tag characters: invisible, and able to carry a whole hidden ASCII message.
    (code >= 0xe0000 && code <= 0xe007f) ||
    // A lone surrogate (broken UTF-16): renders as nothing or as a box, never as itself.
    (code >= 0xd800 && code <= 0xdfff)
  );
}

const hex = (code: number, width: number) => code.toString(16).padStart(width, '0');

/** The visible stand-in for one character, or null when the character may show as itself. */
export function escapeChar(char: string): string | null {
  const code = char.codePointAt(0) ?? 0;
  if (char === '\n' || char === '\t') return null;
  if (char === '\r') return '\\r';
  // C0 controls, DEL and C1 controls (C1 includes the one-byte CSI a terminal also obeys).
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return `\\x${hex(code, 2)}`;
  if (isInvisible(code)) return `<U+${hex(code, 4).toUpperCase()}>`;
  return null;
}

/**
 * The text cut into runs of plain text and single escaped characters, in order: joining every
 * segment's text gives escapeText(). Plain runs are merged, so a clean text is one segment.
 */
export function escapeSegments(input: string, options: EscapeOptions = {}): TextSegment[] {
  const segments: TextSegment[] = [];
  let plain = '';
  const endPlain = () => {
    if (plain) segments.push({ text: plain, escaped: false });
    plain = '';
  };
  // for…of walks code points, so an astral character (or a lone surrogate) is one step.
  const chars = [...input];
  for (let index = 0; index < chars.length; index++) {
    const char = chars[index] as string;
    const crlf = options.crlfAsNewline && char === '\r' && chars[index + 1] === '\n';
    const escaped = crlf ? null : escapeChar(char);
    if (escaped === null) {
      plain += char;
      continue;
    }
    endPlain();
    const name = NAMES[char.codePointAt(0) ?? -1];
    segments.push(name ? { text: escaped, escaped: true, name } : { text: escaped, escaped: true });
  }
  endPlain();
  return segments;
}

/** The whole text with every hidden character replaced by its visible escape. */
export function escapeText(input: string, options: EscapeOptions = {}): string {
  return escapeSegments(input, options)
    .map((segment) => segment.text)
    .join('');
}

/** How many characters had to be escaped: a row can warn that its text hides something. */
export function countEscaped(input: string, options: EscapeOptions = {}): number {
  return escapeSegments(input, options).filter((segment) => segment.escaped).length;
}
