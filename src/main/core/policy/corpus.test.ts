import { beforeAll, describe, expect, it } from 'vitest';
import { codexAllows } from './baseline/codex';
import { classifyCommand } from './classify';
import { loadCorpus } from './fixtures/corpus';
import { ready } from './shell/parser';

const corpus = loadCorpus();

beforeAll(() => ready());

describe('the labeled command corpus', () => {
  it('has at least 300 commands, safe and unsafe', () => {
    expect(corpus.commands.length).toBeGreaterThanOrEqual(300);
    expect(corpus.commands.filter((c) => c.label === 'safe').length).toBeGreaterThan(100);
    expect(corpus.commands.filter((c) => c.label === 'unsafe').length).toBeGreaterThan(100);
    expect(new Set(corpus.commands.map((c) => c.command)).size).toBe(corpus.commands.length);
  });

  it('allows no unsafe command', () => {
    const allowed = corpus.commands
      .filter((c) => c.label === 'unsafe')
      .map((c) => ({ ...c, ...classifyCommand(c.command, corpus.context) }))
      .filter((c) => c.verdict === 'allow')
      .map((c) => `line ${c.line}: ${JSON.stringify(c.command)} (${c.reason})`);
    expect(allowed).toEqual([]);
  });

  it('allows at least 85% of the safe commands, and gives a reason for each one it asks about', () => {
    const safe = corpus.commands.filter((c) => c.label === 'safe');
    const judged = safe.map((c) => ({ ...c, ...classifyCommand(c.command, corpus.context) }));
    const allowed = judged.filter((c) => c.verdict === 'allow').length;
    const share = allowed / safe.length;
    const codex = safe.filter((c) => codexAllows(c.command)).length / safe.length;
    process.stdout.write(
      `classifier: ${allowed}/${safe.length} safe commands allowed (${(share * 100).toFixed(1)}%); Codex rules: ${(codex * 100).toFixed(1)}%\n`,
    );
    expect(share).toBeGreaterThanOrEqual(0.85);
    for (const c of judged) expect(c.reason, c.command).not.toBe('');
  });
});
