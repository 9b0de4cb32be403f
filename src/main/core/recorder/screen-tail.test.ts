import { Terminal } from '@xterm/headless';
import { describe, expect, it } from 'vitest';
import { ScreenTail, type Screen } from './screen-tail';

/** What a fresh terminal shows after writing the snapshot: its visible lines, trimmed. */
function visible(screen: Screen): Promise<string[]> {
  const terminal = new Terminal({ cols: screen.cols, rows: screen.rows, allowProposedApi: true });
  return new Promise((resolve) =>
    terminal.write(screen.data, () => {
      const buffer = terminal.buffer.active;
      const lines = Array.from(
        { length: screen.rows },
        (_, i) => buffer.getLine(buffer.viewportY + i)?.translateToString(true) ?? '',
      );
      terminal.dispose();
      resolve(lines.filter((line) => line.length > 0));
    }),
  );
}

describe('ScreenTail', () => {
  it('gives back the screen the output drew, colours and cursor moves included', async () => {
    const tail = new ScreenTail(40, 5);
    tail.write(Buffer.from('compiling...\r\n\x1b[32m✓\x1b[0m 12 tests\r\n'));
    tail.write(Buffer.from('progress 10%\r\x1b[2Kprogress 100%\r\n'));
    const screen = await tail.snapshot();
    expect(screen).toMatchObject({ cols: 40, rows: 5 });
    expect(screen.data).toContain('\x1b[32m');
    expect(await visible(screen)).toEqual(['compiling...', '✓ 12 tests', 'progress 100%']);
  });

  it('keeps only the last of a long output, and a full-screen program stays full-screen', async () => {
    const tail = new ScreenTail(20, 4, 4096);
    tail.write(Buffer.from('\x1b[?1049h')); // a TUI enters the alternate screen
    // Each frame clears the screen and draws again (with codes that change nothing, for size).
    const frame = (i: number) => `\x1b[H\x1b[2J${'\x1b[0m'.repeat(40)}frame ${i}`;
    for (let i = 0; i < 100; i++) tail.write(Buffer.from(frame(i)));
    const screen = await tail.snapshot();
    expect(screen.data.length).toBeLessThan(8000);
    expect(await visible(screen)).toEqual(['frame 99']);
    // Replayed inside the alternate screen, so the client's xterm is in it too.
    expect(screen.data).toContain('\x1b[?1049h');
  });

  it('follows resizes', async () => {
    const tail = new ScreenTail(80, 24);
    tail.resize(100, 30);
    tail.write(Buffer.from('hello\r\n'));
    expect(await tail.snapshot()).toMatchObject({ cols: 100, rows: 30 });
  });
});
