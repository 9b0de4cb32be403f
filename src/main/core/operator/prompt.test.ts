import { describe, expect, it } from 'vitest';
import { turnPrompt, type HistoryEntry } from './prompt';

const step = (n: number, observation: string): HistoryEntry => ({
  kind: 'step',
  step: n,
  thought: `thought ${n}`,
  command: `cmd ${n}`,
  decision: 'allowed (read-only: ls)',
  observation,
});

const prompt = (history: HistoryEntry[], lastObservation: string | null = null) =>
  turnPrompt({ goal: 'g', history, lastObservation, stepsLeft: 3, secondsLeft: 60 });

describe('turnPrompt', () => {
  it('shortens older observations and shows the last one whole, once', () => {
    const long = 'x'.repeat(5000);
    const text = prompt([step(1, long), { kind: 'note', text: 'hi' }, step(2, long)], long);
    expect(text).toContain(`observation: ${'x'.repeat(1500)}… (3500 more characters)`);
    expect(text).toContain('Note from the person: hi');
    expect(text).toContain(
      '2. thought: thought 2\n   command: cmd 2\n   decision: allowed (read-only: ls)\n   observation: (see the last observation)',
    );
    expect(text.endsWith(`Last observation:\n${long}\n\nSteps left: 3. Time left: 60 s.`)).toBe(
      true,
    );
  });

  it('leaves the oldest steps out past its size', () => {
    const history = Array.from({ length: 200 }, (_, i) => step(i + 1, 'y'.repeat(1000)));
    const text = prompt(history);
    expect(text.length).toBeLessThan(70_000);
    expect(text).toMatch(/Steps so far:\n\((\d+) earlier entries left out\)\n\d+\. thought/);
    expect(text).toContain('200. thought: thought 200');
    expect(text).not.toContain('\n1. thought');
  });
});
