/**
 * Claude Code transcripts (`~/.claude/projects/<cwd with / as ->/<session id>.jsonl`). What 2.1.197
 * really writes (fixtures/claude-code-2.1.197.jsonl, from a run against a loopback API): one line
 * per content block of an assistant message, each repeating the message's id, `requestId` and its
 * final `usage`; user lines (prompts, tool results), `attachment`, `queue-operation` and
 * `last-prompt` lines carry no usage. A resumed session's file repeats earlier messages with their
 * ids. So a call is a (message id, request id) pair, counted once.
 */
import {
  MALFORMED,
  modelName,
  optionalId,
  timestamp,
  tokenCounts,
  type Found,
  type FoundCall,
  type LineParser,
  type ParseCounts,
} from './calls';
import { isRecord, lineShape, parseObject } from './lines';

/** Only lines with this can be assistant messages: the others are shape-checked, not parsed. */
const ASSISTANT = Buffer.from('"type":"assistant"');

/** Claude Code's own stand-in messages (an API error shown as a reply): no call was made. */
const SYNTHETIC_MODEL = '<synthetic>';

export function claudeTranscript(file: string, found: Found, counts: ParseCounts): LineParser {
  // The lines of one message are written together: the call is kept open while they come, each
  // figure the largest any of them gives (an older version wrote partial output counts first).
  let open: FoundCall | null = null;
  const close = () => {
    if (open) found(open);
    open = null;
  };
  return {
    line(line, lineNo) {
      if (line.indexOf(ASSISTANT) < 0) {
        if (lineShape(line) === 'malformed') counts.malformed++;
        return;
      }
      const call = claudeCall(parseObject(line), `${file}:${lineNo}`);
      if (call === MALFORMED) counts.malformed++;
      if (call === MALFORMED || call === null) return;
      if (open?.key === call.key) {
        counts.repeats++;
        for (const kind of ['input', 'output', 'cacheWrite', 'cacheRead'] as const)
          open.tokens[kind] = Math.max(open.tokens[kind], call.tokens[kind]);
        return;
      }
      close();
      open = call;
    },
    end: close,
  };
}

/** The call an assistant line reports; null for a line that reports none. */
function claudeCall(
  entry: Record<string, unknown> | null,
  origin: string,
): FoundCall | null | typeof MALFORMED {
  if (entry === null) return MALFORMED;
  if (entry.type !== 'assistant') return null;
  const message = entry.message;
  if (!isRecord(message) || !isRecord(message.usage)) return null;
  if (message.model === SYNTHETIC_MODEL) return null;
  const usage = message.usage;
  const model = modelName(message.model);
  const messageId = optionalId(message.id);
  const requestId = optionalId(entry.requestId);
  const at = timestamp(entry.timestamp);
  const tokens = tokenCounts(
    usage.input_tokens,
    usage.output_tokens,
    usage.cache_creation_input_tokens,
    usage.cache_read_input_tokens,
  );
  if (
    model === MALFORMED ||
    messageId === MALFORMED ||
    requestId === MALFORMED ||
    at === MALFORMED ||
    tokens === MALFORMED
  )
    return MALFORMED;
  // A message is its id and the request's; an entry without either (none seen) is its place.
  const key =
    messageId !== null || requestId !== null
      ? `anthropic:${messageId ?? ''}|${requestId ?? ''}`
      : `origin:${origin}`;
  return { key, provider: 'anthropic', model, tokens, requestId, messageId, at, origin };
}
