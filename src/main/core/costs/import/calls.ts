/**
 * A model call as an agent's own files report it, before it is priced and written, and the
 * checks every figure read from those files passes: they are written by the agent (in a Paddock
 * session, by an agent Paddock does not trust), so a field of the wrong type or size makes the
 * entry malformed rather than a record.
 */
import type { ModelProvider, TokenCounts } from '../../../../shared/costs';

export interface FoundCall {
  /**
   * The call's identity within one import: a call read twice (a resumed or forked session's copy
   * of earlier turns) has the same key, and counts once.
   */
  key: string;
  provider: ModelProvider;
  model: string;
  tokens: TokenCounts;
  requestId: string | null;
  messageId: string | null;
  /** The transcript's time for the call (ISO 8601, UTC). */
  at: string;
  /** `<file>:<line>`. */
  origin: string;
}

/** How the parsers tell the importer what they read. */
export interface ParseCounts {
  malformed: number;
  repeats: number;
}

export type Found = (call: FoundCall) => void;

/** A per-file parser: fed every line, then told the file ended. */
export interface LineParser {
  line(line: Buffer, lineNo: number): void;
  end(): void;
}

/** An entry the parser could not use: counted as malformed. */
export const MALFORMED = Symbol('malformed');

const MAX_ID = 256;
const MAX_MODEL = 200;

/** A token count: a non-negative safe integer; absent is 0. */
export function count(value: unknown): number | typeof MALFORMED {
  if (value === undefined || value === null) return 0;
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : MALFORMED;
}

/** An id: absent is null; anything but a short string is malformed. */
export function optionalId(value: unknown): string | null | typeof MALFORMED {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID
    ? value
    : MALFORMED;
}

export function modelName(value: unknown): string | typeof MALFORMED {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_MODEL
    ? value
    : MALFORMED;
}

/** The line's time as ISO 8601 UTC, or malformed. */
export function timestamp(value: unknown): string | typeof MALFORMED {
  if (typeof value !== 'string' || value.length > 64) return MALFORMED;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : MALFORMED;
}

export function tokenCounts(
  input: unknown,
  output: unknown,
  cacheWrite: unknown,
  cacheRead: unknown,
): TokenCounts | typeof MALFORMED {
  const tokens = {
    input: count(input),
    output: count(output),
    cacheWrite: count(cacheWrite),
    cacheRead: count(cacheRead),
  };
  return Object.values(tokens).includes(MALFORMED) ? MALFORMED : (tokens as TokenCounts);
}
