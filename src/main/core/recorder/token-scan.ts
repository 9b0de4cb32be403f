/**
 * Finds secretlint-style tokens in a piece of text. One prefilter pass looks for every pattern's
 * anchor (most terminal output has none and costs only this pass); each pattern then runs, sticky,
 * only where its anchor is.
 */
import { PLACEHOLDER_PREFIX, TOKEN_PATTERNS, type TokenPattern } from './token-rules';

/** A secret found: [start, end) in the scanned text. */
export interface Candidate {
  start: number;
  end: number;
  ruleId: string;
  /** Where the whole match starts and ends (around the secret). */
  matchStart: number;
  matchEnd: number;
  /** The token pattern (null for a known value). */
  pattern: TokenPattern | null;
  /** The match stopped at its pattern's length bound with more of the secret after it. */
  continues: boolean;
}

export interface TokenScan {
  /** The secrets found, in no particular order, possibly overlapping. */
  candidates: Candidate[];
  /**
   * The earliest position a secret not yet decided could start at: an anchor too close to the end
   * of the text for its match to be complete. Text from here on must wait for more data.
   */
  undecidedFrom: number;
  /** Whether any anchor occurred (the caller then also scans the visible text). */
  anchored: boolean;
}

/** One alternation of every anchor: ~450 MB/s on coloured output, the redactor's main cost. */
const PREFILTER = new RegExp(
  [...new Set(TOKEN_PATTERNS.map((pattern) => pattern.anchor))].join('|'),
  'g',
);

/** Each distinct anchor, sticky, with the patterns it belongs to. */
const ANCHORS = [...new Set(TOKEN_PATTERNS.map((pattern) => pattern.anchor))].map((anchor) => ({
  at: new RegExp(anchor, 'y'),
  patterns: TOKEN_PATTERNS.filter((pattern) => pattern.anchor === anchor),
}));

/**
 * Scans `text` for tokens whose secret starts at or after `from` (what lies before is context for
 * look-behinds). With `final`, the text is complete: nothing is left undecided.
 */
export function scanTokens(text: string, from: number, final: boolean): TokenScan {
  const scan: TokenScan = { candidates: [], undecidedFrom: text.length, anchored: false };
  PREFILTER.lastIndex = from;
  for (let hit = PREFILTER.exec(text); hit; hit = PREFILTER.exec(text)) {
    scan.anchored = true;
    // Two anchors may start at one place (the alternation reports one): test each there.
    for (const anchor of ANCHORS) {
      anchor.at.lastIndex = hit.index;
      if (!anchor.at.test(text)) continue;
      for (const pattern of anchor.patterns)
        scanAnchor(scan, pattern, text, hit.index, from, final);
    }
    PREFILTER.lastIndex = hit.index + 1;
  }
  return scan;
}

function scanAnchor(
  scan: TokenScan,
  pattern: TokenPattern,
  text: string,
  anchor: number,
  from: number,
  final: boolean,
): void {
  let settled = false;
  for (const start of pattern.starts?.(text, anchor) ?? [anchor]) {
    const candidate = matchAt(pattern, text, start);
    if (!candidate) continue;
    if (candidate.start >= from) scan.candidates.push(candidate);
    settled ||= candidate.matchEnd < text.length;
  }
  if (final || anchor + pattern.reach < text.length) return;
  if (pattern.settlesAtMatchEnd && settled) return;
  scan.undecidedFrom = Math.min(scan.undecidedFrom, Math.max(0, anchor - pattern.lead));
}

function matchAt(pattern: TokenPattern, text: string, start: number): Candidate | null {
  pattern.pattern.lastIndex = start;
  const match = pattern.pattern.exec(text);
  const secret = match && pattern.secret(match);
  if (!match || !secret || secret[1] <= secret[0]) return null;
  // Already redacted (`_authToken=[REDACTED-npm]` scanned again): nothing left to hide.
  if (text.startsWith(PLACEHOLDER_PREFIX, secret[0])) return null;
  return {
    start: secret[0],
    end: secret[1],
    ruleId: pattern.ruleId,
    matchStart: match.index,
    matchEnd: match.index + match[0].length,
    pattern,
    continues: pattern.continues?.(match) ?? false,
  };
}
