/**
 * Untrusted text shown whole, with every hidden character (terminal escapes, carriage returns,
 * bidi controls, zero-width characters) as a marked escape: the mark is what tells `\x1b` typed
 * by an agent from a real ESC, so it is never styled away.
 */
import { Fragment, useMemo } from 'react';
import { escapeSegments } from '../../escape-text';

interface EscapedTextProps {
  text: string;
  /** For terminal output: `\r\n` is a plain line break (a lone `\r` still shows). */
  crlfAsNewline?: boolean;
}

export function EscapedText({ text, crlfAsNewline = false }: EscapedTextProps) {
  const segments = useMemo(() => escapeSegments(text, { crlfAsNewline }), [text, crlfAsNewline]);
  return (
    <>
      {segments.map((segment, index) =>
        segment.escaped ? (
          <span
            key={index}
            className="escaped"
            title={`Hidden character: ${segment.name ?? segment.text}`}
          >
            {segment.text}
          </span>
        ) : (
          <Fragment key={index}>{segment.text}</Fragment>
        ),
      )}
    </>
  );
}
