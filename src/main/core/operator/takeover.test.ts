/**
 * The take-over's own logic against a stand-in channel (the real shell over a real sshd is in
 * service.test.ts): what the model is told the screen showed, and the lending of the terminal.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { OtherRecording, TerminalKeys } from '../sessions';
import { Takeover, type HostTerminal } from './takeover';

class FakeChannel extends EventEmitter implements HostTerminal {
  readonly stderr = new EventEmitter();
  readonly written: string[] = [];
  readonly windows: Array<[number, number]> = [];
  paused = false;
  pause() {
    this.paused = true;
  }
  resume() {
    this.paused = false;
  }
  write(data: string) {
    this.written.push(data);
  }
  setWindow(rows: number, cols: number) {
    this.windows.push([rows, cols]);
  }
  close() {
    this.emit('close');
  }
}

function recordingSpy() {
  const drawn: string[] = [];
  const lent: { keys: TerminalKeys | null; returned: boolean } = { keys: null, returned: false };
  const recording: OtherRecording = {
    write: (text) => drawn.push(text),
    lend: (keys) => {
      lent.keys = keys;
      return () => (lent.returned = true);
    },
    close: async () => undefined,
  };
  return { recording, drawn, lent };
}

describe('Takeover', () => {
  it('draws the shell, passes keys and sizes, and hands back the screen as plain text', async () => {
    const channel = new FakeChannel();
    const { recording, drawn, lent } = recordingSpy();
    let screen: string | null = null;
    const takeover = new Takeover(channel, recording, { cols: 80, rows: 24 }, (text) => {
      screen = text;
    });
    lent.keys?.write('ls\r');
    lent.keys?.resize(100, 30);
    expect(channel.written).toEqual(['ls\r']);
    expect(channel.windows).toEqual([[30, 100]]);
    // The recording behind: the host's side waits until it caught up.
    lent.keys?.hold(true);
    expect(channel.paused).toBe(true);
    lent.keys?.hold(false);
    expect(channel.paused).toBe(false);

    // Colour, a progress line redrawn with \r, a typo fixed with backspace, a split UTF-8 character.
    channel.emit('data', Buffer.from('\x1b[1;32mok\x1b[0m done\r\n'));
    channel.emit('data', Buffer.from('10%\r50%\r100%\r\nech\bho\r\n'));
    const euro = Buffer.from('€ cost\r\n');
    channel.emit('data', euro.subarray(0, 2));
    channel.stderr.emit('data', euro.subarray(2));
    expect(drawn.join('')).toContain('€ cost');

    await takeover.end();
    expect(lent.returned).toBe(true);
    expect(screen).toBe('ok done\n100%\necho\n€ cost');
  });

  it('keeps only the end of a long session for the model', async () => {
    const channel = new FakeChannel();
    const { recording } = recordingSpy();
    let screen = '';
    const takeover = new Takeover(channel, recording, { cols: 80, rows: 24 }, (text) => {
      screen = text;
    });
    for (let line = 1; line <= 5000; line += 1)
      channel.emit('data', Buffer.from(`line ${line}\r\n`));
    await takeover.end();
    const lines = screen.split('\n');
    expect(lines).toHaveLength(60);
    expect(lines.at(-1)).toBe('line 5000');
  });
});
