/**
 * A streaming redactor for terminal output: bytes in, the same bytes out with each secret replaced
 * by `[REDACTED-rule]`, and where each one was (never what).
 *
 * Secrets are the token kinds of secretlint's recommended preset (see token-rules.ts) and exact
 * values the caller knows (a vault's). Matching runs over a latin1 view of the bytes, so every
 * position is a byte offset and nothing is decoded; escape sequences are handled by also scanning
 * the visible text (ansi.ts) wherever an anchor occurs.
 *
 * Streaming: a secret may be split across chunks, so the end of the data is held back until the
 * next chunk (or `flush`) shows how it goes on:
 * - always the last 288 visible characters (more if a known value is longer): a token's anchor may
 *   be arriving, and a token may start before its anchor (an x-oauth-basic token up to 256
 *   characters before `:x-oauth-basic@`, an OpenAI key 85 before `T3BlbkFJ`);
 * - from a match that may still grow: an anchor closer to the end than its pattern's longest match.
 *   Most patterns reach < 1.5 KB. A private-key block reaches 16 KB of body, and is held until its
 *   END line (or anything not base64) arrives;
 * - never more than 64 KiB (`HOLD_CAP`). Past that the held match is redacted as far as it goes
 *   and the redactor keeps redacting what continues it (base64 lines of a key, token characters),
 *   so a very long key block costs memory once, not a leak.
 * What is held is not lost: `flush` at the end of the stream releases it, redacted.
 */
import { controlSequencesIn, hasEscape, stripEscapes, visibleTailStart } from './ansi';
import { KNOWN_VALUE_RULE, knownMatcher, type KnownSecret } from './known-secrets';
import type { KnownValues } from './known-values';
import { placeholder, TOKEN_TAIL, trimSpaceEnd, type TokenPattern } from './token-rules';
import { scanTokens, type Candidate } from './token-scan';

export interface RedactorOptions {
  /** Exact secret values (each at least 4 bytes long) to redact wherever they appear. */
  knownValues?: readonly string[];
  /**
   * The vault's secrets: each value, and its hex, URL-encoded and base64 spellings, becomes
   * `[secret:NAME]` wherever it appears.
   */
  knownSecrets?: ReadonlyArray<KnownSecret>;
}

/** One redacted secret: where it was in the original stream, and where its placeholder is. */
export interface Finding {
  /** Byte offset in the original stream. */
  offset: number;
  /** Bytes of the original stream replaced. */
  length: number;
  /** `aws`, `github`, `privatekey`, ... (secretlint's rule names), or `known-value`. */
  ruleId: string;
  /** Byte offset of the placeholder in the redacted stream. */
  redactedOffset: number;
  /** Bytes of the placeholder (and of the cursor/colour sequences kept after it). */
  redactedLength: number;
}

/** What one `write` or `flush` released. */
export interface Redacted {
  /** Redacted bytes, continuing the redacted stream. */
  data: Buffer;
  /** Original stream offset of the first byte this covers, and how many original bytes it covers. */
  offset: number;
  length: number;
  /** Redacted stream offset of `data`. */
  redactedOffset: number;
  findings: Finding[];
}

export { KNOWN_VALUE_RULE, MIN_KNOWN_VALUE_BYTES } from './known-secrets';
/** Never hold back more than this many bytes. */
export const HOLD_CAP = 64 * 1024;
/** Original bytes kept before the unreleased data, for `\b` and look-behinds. */
const CONTEXT = 64;

/** A secret span in the scanned window, as decided for release. */
interface Span {
  start: number;
  end: number;
  ruleId: string;
  /** The candidate that reaches furthest: whether and how the secret may go on after `end`. */
  last: Candidate;
}

interface Decision {
  spans: Span[];
  cut: number;
  continuing: TokenPattern | null;
}

export class Redactor {
  private window = Buffer.alloc(0);
  /** Original stream offset of `window[0]`. */
  private windowOffset = 0;
  /** Bytes at the start of `window` that were released already (context only). */
  private released = 0;
  private redactedOffset = 0;
  /** A secret cut at a bound goes on at the start of the unreleased data. */
  private continuing: TokenPattern | null = null;
  private readonly values: KnownValues | null;
  /** The rule each known value is reported under (`known-value`, or `secret:NAME`). */
  private readonly valueRules: string[];
  private readonly tail: number;

  constructor(private readonly options: RedactorOptions = {}) {
    const known = knownMatcher(options.knownValues, options.knownSecrets);
    this.values = known.values;
    this.valueRules = known.rules;
    this.tail = Math.max(TOKEN_TAIL, (this.values?.maxLength ?? 0) - 1);
  }

  /** Another redactor with the same known values, for another stream (input beside output). */
  newStream(): Redactor {
    return new Redactor(this.options);
  }

  /** Bytes received but not released yet. */
  get held(): number {
    return this.window.length - this.released;
  }

  /**
   * Takes the next chunk of the stream (or several consecutive ones: one copy instead of two);
   * returns what can be released, redacted.
   */
  write(chunk: Buffer | string | readonly Uint8Array[]): Redacted {
    const chunks =
      typeof chunk === 'string'
        ? [Buffer.from(chunk, 'utf8')]
        : Array.isArray(chunk)
          ? chunk
          : [chunk];
    if (chunks.some((piece) => piece.length > 0))
      this.window = Buffer.concat([this.window, ...chunks]);
    return this.release(false);
  }

  /** The stream ended (or must be written now): releases everything held, redacted. */
  flush(): Redacted {
    return this.release(true);
  }

  private release(final: boolean): Redacted {
    const text = this.window.toString('latin1');
    const decision = this.decide(text, final);
    const result = this.emit(text, decision);
    // Nothing released: a continuation still open stays open.
    if (decision.cut > this.released || final) this.continuing = decision.continuing;
    const keep = Math.max(0, decision.cut - CONTEXT);
    this.window = this.window.subarray(keep);
    this.windowOffset += keep;
    this.released = decision.cut - keep;
    return result;
  }

  /** Finds the secrets in the unreleased text and how far it can be released. */
  private decide(text: string, final: boolean): Decision {
    const from = this.released;
    const candidates: Candidate[] = [];
    let holdFrom = final ? text.length : visibleTailStart(text, this.tail);
    const continued = this.continue(text, from, final, candidates);
    if (continued.open) holdFrom = from;
    const raw = scanTokens(text, from, final);
    candidates.push(...raw.candidates);
    holdFrom = Math.min(holdFrom, raw.undecidedFrom);
    this.values?.scanBytes(this.window, from, this.window.length, (start, end, index) =>
      candidates.push(knownValue(start, end, this.valueRules[index] ?? KNOWN_VALUE_RULE)),
    );
    // Colour or cursor codes may sit inside or around a token: look at the visible text too.
    if (raw.anchored && hasEscape(text, from))
      holdFrom = Math.min(holdFrom, this.scanVisible(text, from, final, candidates));
    return decideCut(mergeSpans(candidates), from, holdFrom, final, text.length);
  }

  /**
   * Redacts what continues a secret cut at a bound (in the visible text: a key's lines may be
   * coloured); `open` while it may still go on.
   */
  private continue(
    text: string,
    from: number,
    final: boolean,
    candidates: Candidate[],
  ): { open: boolean } {
    const pattern = this.continuing;
    if (!pattern) return { open: false };
    const view = hasEscape(text, from) ? stripEscapes(text) : null;
    const visible = view?.text ?? text;
    const visibleFrom = view ? view.toVisible(from) : from;
    pattern.continuation.lastIndex = visibleFrom;
    const length = pattern.continuation.exec(visible)?.[0].length ?? 0;
    const visibleEnd = visibleFrom + length;
    const open = !final && visibleEnd >= visible.length;
    if (length === 0) return { open };
    const trimmed = open ? visibleEnd : trimSpaceEnd(visible, visibleFrom, visibleEnd);
    const toRawEnd = (end: number) => (view ? view.toRaw(end - 1) + 1 : end);
    candidates.push({
      start: from,
      end: toRawEnd(trimmed),
      ruleId: pattern.ruleId,
      matchStart: from,
      matchEnd: toRawEnd(visibleEnd),
      pattern,
      continues: open,
    });
    return { open };
  }

  /** Scans the text with escape sequences removed; returns where undecided matches start. */
  private scanVisible(text: string, from: number, final: boolean, candidates: Candidate[]): number {
    const view = stripEscapes(text);
    const toRawEnd = (end: number) => (end === 0 ? 0 : view.toRaw(end - 1) + 1);
    const visibleFrom = view.toVisible(from);
    const scan = scanTokens(view.text, visibleFrom, final);
    for (const found of scan.candidates)
      candidates.push({
        ...found,
        start: view.toRaw(found.start),
        end: toRawEnd(found.end),
        matchStart: view.toRaw(found.matchStart),
        matchEnd: toRawEnd(found.matchEnd),
      });
    this.values?.scanText(view.text, visibleFrom, (start, end, index) =>
      candidates.push(
        knownValue(view.toRaw(start), toRawEnd(end), this.valueRules[index] ?? KNOWN_VALUE_RULE),
      ),
    );
    return scan.undecidedFrom >= view.text.length ? text.length : view.toRaw(scan.undecidedFrom);
  }

  /** Builds the released bytes: original bytes between spans, a placeholder for each span. */
  private emit(text: string, { spans, cut }: Decision): Redacted {
    const from = this.released;
    const pieces: Buffer[] = [];
    const findings: Finding[] = [];
    let position = from;
    let redacted = this.redactedOffset;
    for (const span of spans) {
      pieces.push(this.window.subarray(position, span.start));
      redacted += span.start - position;
      const replacement = Buffer.from(
        placeholder(span.ruleId) + controlSequencesIn(text, span.start, span.end),
        'latin1',
      );
      pieces.push(replacement);
      findings.push({
        offset: this.windowOffset + span.start,
        length: span.end - span.start,
        ruleId: span.ruleId,
        redactedOffset: redacted,
        redactedLength: replacement.length,
      });
      redacted += replacement.length;
      position = span.end;
    }
    pieces.push(this.window.subarray(position, cut));
    const data = pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces);
    const result: Redacted = {
      data,
      offset: this.windowOffset + from,
      length: cut - from,
      redactedOffset: this.redactedOffset,
      findings,
    };
    this.redactedOffset += data.length;
    return result;
  }
}

function knownValue(start: number, end: number, ruleId: string): Candidate {
  return {
    start,
    end,
    ruleId,
    matchStart: start,
    matchEnd: end,
    pattern: null,
    continues: false,
  };
}

/** Overlapping secrets (two rules, or raw and visible scans of one) become one span. */
function mergeSpans(candidates: readonly Candidate[]): Span[] {
  const sorted = [...candidates].sort((a, b) => a.start - b.start || b.end - a.end);
  const spans: Span[] = [];
  for (const candidate of sorted) {
    const previous = spans.at(-1);
    if (!previous || candidate.start >= previous.end) {
      spans.push({
        start: candidate.start,
        end: candidate.end,
        ruleId: candidate.ruleId,
        last: candidate,
      });
    } else if (
      candidate.end > previous.end ||
      (candidate.end === previous.end && candidate.continues)
    ) {
      previous.end = candidate.end;
      previous.last = candidate;
    }
  }
  return spans;
}

/**
 * How far to release: up to `holdFrom`, but never through part of a secret. Past the hold cap,
 * a secret in the way is released whole and whatever continues it is redacted next time.
 */
function decideCut(
  spans: readonly Span[],
  from: number,
  holdFrom: number,
  final: boolean,
  length: number,
): Decision {
  if (final) return { spans: [...spans], cut: length, continuing: null };
  let cut = Math.max(from, holdFrom);
  const crossing = spans.find((span) => span.start < cut && cut < span.end);
  if (crossing) cut = crossing.start;
  let continuing: TokenPattern | null = null;
  if (length - cut > HOLD_CAP) {
    cut = length - HOLD_CAP;
    const forced = spans.find((span) => span.start < cut && cut < span.end);
    if (forced) {
      cut = forced.end;
      // Still growing when the cap hit: whatever continues it is redacted next time.
      if (forced.last.matchEnd >= length) continuing = forced.last.pattern;
    }
  }
  let released = spans.filter((span) => span.start >= from && span.end <= cut);
  // A secret cut at its pattern's bound: release up to its end and continue it from there.
  const cutShort = released.find((span) => span.last.continues);
  if (cutShort) {
    cut = cutShort.end;
    released = released.filter((span) => span.end <= cut);
    continuing = cutShort.last.pattern;
  }
  return { spans: released, cut, continuing };
}

/** Redacts a whole text or buffer at once (a log, a diff): the stream of one chunk. */
export function redact(
  input: Buffer | string,
  options: RedactorOptions = {},
): { data: Buffer; findings: Finding[] } {
  const redactor = new Redactor(options);
  const first = redactor.write(input);
  const rest = redactor.flush();
  return {
    data: Buffer.concat([first.data, rest.data]),
    findings: [...first.findings, ...rest.findings],
  };
}
