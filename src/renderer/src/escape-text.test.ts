import { describe, expect, it } from 'vitest';
import { countEscaped, escapeChar, escapeSegments, escapeText } from './escape-text';

describe('escapeText', () => {
  it('leaves ordinary text, newlines, tabs, backslashes and non-Latin scripts alone', () => {
    const text = 'npm install left-pad\n\tcd C:\\src && echo "héllo" 日本語 مرحبا 🙂';
    expect(escapeText(text)).toBe(text);
    expect(escapeSegments(text)).toEqual([{ text, escaped: false }]);
  });

  it('shows terminal escapes as \\x1b and keeps the rest of the sequence readable', () => {
    expect(escapeText('\x1b[2K\x1b[1Gls')).toBe('\\x1b[2K\\x1b[1Gls');
  });

  it('shows every C0 control except newline and tab, DEL and C1 controls', () => {
    expect(escapeText('a\x00b\x07c\x08d\x7fe\x85f\x9bg')).toBe(
      'a\\x00b\\x07c\\x08d\\x7fe\\x85f\\x9bg',
    );
    for (let code = 0; code < 0x20; code++) {
      const char = String.fromCharCode(code);
      if (char === '\n' || char === '\t') expect(escapeChar(char)).toBeNull();
      else expect(escapeChar(char)).not.toBeNull();
    }
    for (let code = 0x7f; code <= 0x9f; code++)
      expect(escapeChar(String.fromCharCode(code))).toBe(`\\x${code.toString(16)}`);
  });

  it('shows a carriage return as \\r, so it cannot overwrite the start of a line', () => {
    expect(escapeText('rm -rf ~\recho safe')).toBe('rm -rf ~\\recho safe');
    expect(escapeText('a\r\nb')).toBe('a\\r\nb');
  });

  it('keeps CRLF as a line break when asked (terminal output), but never a lone CR', () => {
    expect(escapeText('one\r\ntwo\rthree\r', { crlfAsNewline: true })).toBe(
      'one\r\ntwo\\rthree\\r',
    );
  });

  it('shows bidi controls by code point', () => {
    const bidi = [
      0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0x200e, 0x200f,
      0x061c,
    ];
    for (const code of bidi) {
      const expected = `<U+${code.toString(16).toUpperCase().padStart(4, '0')}>`;
      expect(escapeText(`a${String.fromCodePoint(code)}b`)).toBe(`a${expected}b`);
    }
    // The classic trojan-source disguise: the reader would see `ls # txt.exe` reversed.
    expect(escapeText('ls \u202Eexe.txt')).toBe('ls <U+202E>exe.txt');
  });

  it('shows zero-width characters', () => {
    expect(escapeText('cu\u200Brl \u200Cx\u200Dy\u2060z\uFEFF')).toBe(
      'cu<U+200B>rl <U+200C>x<U+200D>y<U+2060>z<U+FEFF>',
    );
  });

  it('shows other invisible characters: tag characters, line separators, lone surrogates', () => {
    expect(escapeText('a\u{E0041}\u{E0042}b')).toBe('a<U+E0041><U+E0042>b');
    expect(escapeText('a\u2028b\u2029c\u00ADd')).toBe('a<U+2028>b<U+2029>c<U+00AD>d');
    expect(escapeText('x\uD800y')).toBe('x<U+D800>y');
  });

  it('never truncates', () => {
    const long = `${'a'.repeat(100_000)}\x1b${'b'.repeat(100_000)}`;
    const escaped = escapeText(long);
    expect(escaped.length).toBe(200_000 + 4);
    expect(escaped.endsWith('b'.repeat(100_000))).toBe(true);
  });
});

describe('escapeSegments', () => {
  it('splits plain runs from escaped characters, in order, naming the known ones', () => {
    expect(escapeSegments('\x1b[31mred\u202Eevil\r')).toEqual([
      { text: '\\x1b', escaped: true, name: 'ESC (starts a terminal escape)' },
      { text: '[31mred', escaped: false },
      { text: '<U+202E>', escaped: true, name: 'RIGHT-TO-LEFT OVERRIDE (bidi)' },
      { text: 'evil', escaped: false },
      { text: '\\r', escaped: true, name: 'CR (carriage return)' },
    ]);
  });

  it('gives one segment per escaped character, so each can be shown as its own badge', () => {
    expect(escapeSegments('\x00\x01')).toEqual([
      { text: '\\x00', escaped: true, name: 'NUL' },
      { text: '\\x01', escaped: true },
    ]);
  });

  it('returns nothing for an empty text', () => {
    expect(escapeSegments('')).toEqual([]);
  });

  it('joins back into escapeText, and counts what it escaped', () => {
    const text = 'a\x1bb\u200Bc\r\nd';
    expect(
      escapeSegments(text)
        .map((segment) => segment.text)
        .join(''),
    ).toBe(escapeText(text));
    expect(countEscaped(text)).toBe(3);
    expect(countEscaped(text, { crlfAsNewline: true })).toBe(2);
    expect(countEscaped('plain')).toBe(0);
  });
});
