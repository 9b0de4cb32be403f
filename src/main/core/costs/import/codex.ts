/**
 * Codex CLI session files (`~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl`), as openai/codex
 * (codex-rs) writes them: `{"timestamp", "type", "payload"}` a line; the first is `session_meta`
 * (`id`, and `forked_from_id` for a fork), `turn_context` names the `model`, and an `event_msg`
 * of payload type `token_count` carries `info.total_token_usage` (the running total) and
 * `info.last_token_usage`.
 *
 * A call is a rise of the running total, never a `token_count` line as such. In codex-rs a
 * `token_count` is sent again unchanged whenever rate limits arrive (`update_rate_limits` →
 * `send_token_count_event`), `last_token_usage` is also set to figures no call used (the context
 * estimate, `fill_to_context_window`), a resumed session appends to its file with the total
 * restored from the last `token_count` (`last_token_info_from_rollout`), and a fork starts a new
 * file with the parent's lines copied in. So: usage = this total − the previous one, by kind. A
 * total below the previous one was reset (`fill_to_context_window` zeroes every kind; a version
 * that did not restore totals on resume starts from zero): counted from zero. And a call is known
 * by its running total within its fork family, so a fork's copy of its parent's turns counts once.
 */
import {
  count,
  MALFORMED,
  modelName,
  timestamp,
  type Found,
  type LineParser,
  type ParseCounts,
} from './calls';
import { isRecord, lineShape, parseObject, readLines, type LineCounts } from './lines';

const TOKEN_COUNT = Buffer.from('"token_count"');
const TURN_CONTEXT = Buffer.from('"type":"turn_context"');
const UNKNOWN_MODEL = 'unknown';
const KINDS = ['input', 'cached', 'output', 'reasoning'] as const;

/** Running totals by kind, in Codex's sense: input includes cached input, output includes reasoning. */
interface Totals {
  input: number;
  cached: number;
  output: number;
  reasoning: number;
}

/**
 * @param family what the turns of this file's fork family are known by (see `codexFamilies`): the
 *   running total after a turn is unique within it.
 */
export function codexRollout(
  file: string,
  family: string,
  found: Found,
  counts: ParseCounts,
): LineParser {
  let model = UNKNOWN_MODEL;
  let previous: Totals | null = null;
  return {
    line(line, lineNo) {
      const usage = line.indexOf(TOKEN_COUNT) >= 0;
      if (!usage && line.indexOf(TURN_CONTEXT) < 0) {
        if (lineShape(line) === 'malformed') counts.malformed++;
        return;
      }
      const entry = parseObject(line);
      const payload = entry?.payload;
      if (!entry || !isRecord(payload)) {
        counts.malformed++;
        return;
      }
      if (entry.type === 'turn_context') {
        const named = modelName(payload.model);
        if (named === MALFORMED) counts.malformed++;
        else model = named;
        return;
      }
      if (entry.type !== 'event_msg' || payload.type !== 'token_count') return;
      if (payload.info === null || payload.info === undefined) return; // rate limits only
      const totals = isRecord(payload.info) ? readTotals(payload.info.total_token_usage) : null;
      const at = timestamp(entry.timestamp);
      if (totals === null || at === MALFORMED) {
        counts.malformed++;
        return;
      }
      const used = rise(previous, totals);
      previous = totals;
      if (used === null) {
        counts.repeats++; // the same total sent again
        return;
      }
      found({
        key: `codex:${family}:${totals.input}/${totals.cached}/${totals.output}/${totals.reasoning}`,
        provider: 'openai',
        model,
        // OpenAI's input includes the cached part; the record's input does not.
        tokens: {
          input: Math.max(0, used.input - used.cached),
          output: used.output,
          cacheWrite: 0,
          cacheRead: used.cached,
        },
        requestId: null,
        messageId: null,
        at,
        origin: `${file}:${lineNo}`,
      });
    },
    end() {},
  };
}

function readTotals(value: unknown): Totals | null {
  if (!isRecord(value)) return null;
  const totals = {
    input: count(value.input_tokens),
    cached: count(value.cached_input_tokens),
    output: count(value.output_tokens),
    reasoning: count(value.reasoning_output_tokens),
  };
  return Object.values(totals).includes(MALFORMED) ? null : (totals as Totals);
}

/** What a call added to the running total; null when nothing was added (a count sent again). */
function rise(previous: Totals | null, now: Totals): Totals | null {
  const used: Totals =
    previous === null || KINDS.some((kind) => now[kind] < previous[kind])
      ? now
      : {
          input: now.input - previous.input,
          cached: now.cached - previous.cached,
          output: now.output - previous.output,
          reasoning: now.reasoning - previous.reasoning,
        };
  return KINDS.some((kind) => used[kind] > 0) ? used : null;
}

/** A session file's `session_meta`: its id and the id of the session it was forked from. */
export interface CodexSessionMeta {
  id: string;
  forkedFrom: string | null;
}

/** The first line's `session_meta`, or null (an older file, or not a session file). */
export async function readCodexMeta(file: string): Promise<CodexSessionMeta | null> {
  let meta: CodexSessionMeta | null = null;
  const counts: LineCounts = { lines: 0, bytes: 0, longLines: 0 };
  await readLines(
    file,
    (line) => {
      const entry = parseObject(line);
      const payload = entry?.payload;
      if (entry?.type === 'session_meta' && isRecord(payload) && typeof payload.id === 'string')
        meta = {
          id: payload.id,
          forkedFrom: typeof payload.forked_from_id === 'string' ? payload.forked_from_id : null,
        };
      return false;
    },
    counts,
  );
  return meta;
}

/**
 * Each file's fork family: the id of the session at the root of its `forked_from_id` chain (as far
 * as the files read show it), or the file itself when it has no `session_meta`.
 */
export function codexFamilies(
  metas: ReadonlyMap<string, CodexSessionMeta | null>,
): Map<string, string> {
  const parentOf = new Map<string, string | null>();
  for (const meta of metas.values()) if (meta) parentOf.set(meta.id, meta.forkedFrom);
  const rootOf = (id: string): string => {
    const visited = new Set<string>();
    let current = id;
    while (!visited.has(current)) {
      visited.add(current);
      const parent = parentOf.get(current);
      if (!parent) return current; // a root, or a parent whose file was not read
      current = parent;
    }
    return current; // a cycle (the files are written by the agent): stop where it closes
  };
  const families = new Map<string, string>();
  for (const [file, meta] of metas) families.set(file, meta ? rootOf(meta.id) : `file:${file}`);
  return families;
}
