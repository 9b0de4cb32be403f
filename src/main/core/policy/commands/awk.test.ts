import { describe, expect, it } from 'vitest';
import { awkProgramProblem } from './awk';

describe('awkProgramProblem', () => {
  it.each([
    '{print $1}',
    '$3 > 100 {print $1, $3}',
    'NR==1',
    '{sum += $2} END {print sum}',
    'length > 80',
    '{ printf "%-10s %s\\n", $1, $2 }',
    'BEGIN { print "a > b" }',
    '{ print (a > b ? "x" : "y") }',
    '/x>y/ {print}',
    '{ if ($1 > 5 || $2 < 3) print $0 }',
    '{ x = a / b; print x }',
  ])('reads %j as only reading and printing', (program) =>
    expect(awkProgramProblem(program)).toBeUndefined(),
  );

  it.each([
    ['BEGIN{system("id")}', 'uses system'],
    ['{print | "sh"}', 'uses |'],
    ['{ "date" | getline d }', 'uses |'],
    ['BEGIN { while ((getline line < "/etc/passwd") > 0) print line }', 'uses getline'],
    ['BEGIN{print ENVIRON["HOME"]}', 'uses ENVIRON'],
    ['@include "x"', 'uses @'],
    ['{print > "/tmp/x"}', 'writes a file (print >)'],
    ['{print $1 >> FILENAME}', 'writes a file (print >)'],
    ['{ printf("%s", $0) > "/tmp/y" }', 'writes a file (print >)'],
    ['/"/ {print $0 > "/tmp/x"} /"/', 'writes a file (print >)'],
    ['{ print "x" ', undefined],
    ['{ print "unterminated }', 'has an unterminated string'],
    ['/[/]/ {print}', 'has a / inside a bracket in a regular expression'],
  ])('refuses %j: %s', (program, problem) => expect(awkProgramProblem(program)).toBe(problem));
});
