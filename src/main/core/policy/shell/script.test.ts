import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from './parser';
import { parseScript, type Script } from './script';

beforeAll(() => ready());

/** Each pipeline as the literal words of its commands (a word that is not literal shows its problem). */
function shape(source: string): string[][] | string {
  const parsed = parseScript(source);
  if (!parsed.ok) return parsed.problem;
  return (parsed.script as Script).pipelines.map((p) =>
    p.commands.map((c) =>
      [
        ...c.assignments.map((a) => `${a.name}=${a.value.value}`),
        ...c.words.map((w) => w.problem ?? w.value),
      ].join(' '),
    ),
  );
}

describe('parseScript', () => {
  it('reads pipelines and lists in the order bash runs them', () => {
    expect(shape('ls -la | grep x && cd src; cat a')).toEqual([
      ['ls -la', 'grep x'],
      ['cd src'],
      ['cat a'],
    ]);
    expect(shape('grep x f | sort | uniq && echo ok')).toEqual([
      ['grep x f', 'sort', 'uniq'],
      ['echo ok'],
    ]);
    expect(shape('! ls | wc -l')).toEqual([['ls', 'wc -l']]);
    expect(shape('ls # comment')).toEqual([['ls']]);
  });

  it('removes quotes and backslashes the way bash does', () => {
    expect(shape('l\\s \'a b\' "c\\"d" e\\ f \'g\'"h" FOO')).toEqual([['ls a b c"d e f gh FOO']]);
    expect(shape('FOO=1 BAR="x y" env')).toEqual([['FOO=1 BAR=x y env']]);
  });

  it('marks words that are not literal with what they expand', () => {
    expect(shape('echo $HOME "${X}" $(id) `id` <(ls) $((1+1)) {a,b} ~root a=~/x')).toEqual([
      [
        'echo variable expansion $HOME (reads the environment) variable expansion ${X} (reads the environment) command substitution $(id) command substitution `id` process substitution <(ls) arithmetic expansion $((1+1)) brace expansion tilde expansion ~root ~ after = or : expands to a home directory',
      ],
    ]);
  });

  it('keeps redirections and here-documents with the command they belong to', () => {
    const parsed = parseScript('cat <<EOF > out.txt 2>&1\nhello $USER\nEOF');
    expect(parsed.ok && parsed.script.pipelines[0]?.commands[0]?.redirects).toEqual([
      {
        op: '<<',
        problem: 'a here-document that expands variable expansion $USER (reads the environment)',
      },
      { op: '>', target: { raw: 'out.txt', value: 'out.txt', glob: false, tilde: false } },
      { op: '>&', fd: '2', target: { raw: '1', value: '1', glob: false, tilde: false } },
    ]);
    const quoted = parseScript("cat <<'EOF' && ls\nhello $USER\nEOF");
    expect(
      quoted.ok && quoted.script.pipelines.map((p) => p.commands[0]?.redirects.length),
    ).toEqual([1, 0]);
  });

  it.each([
    ['(ls)', 'a subshell ( … )'],
    ['{ ls; }', 'a { … } block'],
    ['if true; then ls; fi', 'control flow (if)'],
    ['for f in *; do cat $f; done', 'control flow (for)'],
    ['f() { ls; }', 'a function definition'],
    ['x=1', 'an assignment that changes the shell for later commands'],
    ['export X=1', 'a declaration (export, declare, local, readonly) that changes shell variables'],
    ['[[ -f x ]]', 'a [ … ] or [[ … ]] test'],
    ['ls &', 'runs a command in the background (&)'],
    ['ls "unterminated', 'a syntax error, or syntax the parser does not know'],
    ['a\\\nb', 'a line continuation that joins two words'],
    ['echo $"x"', 'unsupported shell syntax ($)'],
    ['ls > a b', 'a redirection with more than one target'],
  ])('refuses %j: %s', (source, problem) => {
    expect(shape(source)).toBe(problem);
  });

  it('accepts a line continuation between words, as bash does', () => {
    expect(shape('ls \\\n  -la')).toEqual([['ls -la']]);
  });
});
