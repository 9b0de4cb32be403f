/**
 * Terminal recording: a streaming secret redactor, the recorder that writes a session's terminal
 * into the audit store, and the asciicast export. See terminal-recorder.ts for the event formats
 * and redactor.ts / token-rules.ts for what is redacted and how. The vault's secrets are also
 * taken out of audit payloads (payload-redaction.ts), by the same matcher.
 */
export {
  Redactor,
  redact,
  KNOWN_VALUE_RULE,
  type Finding,
  type Redacted,
  type RedactorOptions,
} from './redactor';
export { PayloadRedactor, type PayloadRedaction } from './payload-redaction';
export type { KnownSecret } from './known-secrets';
export { TerminalRecorder, type TerminalRecorderOptions } from './terminal-recorder';
export { RecordingThread, RECORDING_VERSION } from './recording-thread';
export type { Frame, StreamName } from './stream-recorder';
export { exportAsciicast, recordedTail } from './asciicast';
export type { Screen } from './screen-tail';
export { stripEscapes } from './ansi';
