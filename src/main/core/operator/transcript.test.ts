/** The operator's transcript: what the model and the host wrote reaches the terminal only as text. */
import { describe, expect, it } from 'vitest';
import type { AuditEvent, JsonObject } from '../../../shared/audit';
import { escapeForTerminal, Transcript } from './transcript';

function event(kind: string, payload: JsonObject, blobs: string[] = []): AuditEvent {
  return {
    seq: 1,
    id: 'evt_1',
    ts: '2026-01-01T10:00:00.000Z',
    sessionId: 'ses_1',
    kind,
    actor: 'system',
    actorId: 'ssh:staging',
    payload,
    blobs,
    prevHash: '',
    sessionPrevHash: null,
    hash: '',
  };
}

describe('the operator transcript', () => {
  it('escapes every control but tab and newline, and the bidi controls', () => {
    expect(escapeForTerminal('a\tb\nc\r\x1b[2J\x07\x7f\u009b\u202e')).toBe(
      'a\tb\nc\\x0d\\x1b[2J\\x07\\x7f\\x9b\\u{202e}',
    );
  });

  it("draws the host's output as text, lines ending \\r\\n, with its exit code", () => {
    const written: string[] = [];
    const transcript = new Transcript(
      { write: (text) => written.push(text) },
      { blob: () => Buffer.from('one\r\ntwo\x1b]0;title\x07') },
    );
    transcript.apply(event('operator.command.output', { step: 1, exitCode: 2 }, ['h']));
    expect(written.join('')).toBe(
      'one\\x0d\r\ntwo\\x1b]0;title\\x07\r\n\x1b[2m[exit 2]\x1b[0m\r\n',
    );
  });
});
