/** The frames of the WebSocket protocol. Every frame is one JSON object. */
import type { CallName, ContractErrorShape, Topic } from './index';

export const PROTOCOL = 'paddock.v1';
/** The token travels as a second subprotocol: browsers cannot set headers on a WebSocket. */
export const TOKEN_PROTOCOL_PREFIX = 'paddock.token.';
/** Frames above this size are refused (the connection is closed with 1009). */
export const MAX_FRAME_BYTES = 1024 * 1024;

export type ClientFrame =
  | { type: 'call'; id: number; name: CallName; input: unknown }
  | { type: 'subscribe'; topic: Topic }
  | { type: 'unsubscribe'; topic: Topic };

export type ServerFrame =
  /** First frame on an accepted connection: the token was right. */
  | { type: 'hello'; protocol: typeof PROTOCOL }
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: ContractErrorShape }
  | { type: 'event'; topic: Topic; payload: unknown }
  /** A frame that could not be read at all (no id to answer to). */
  | { type: 'error'; error: ContractErrorShape };
