#!/usr/bin/env node
// `npm test`: the whole suite, in the order that fails fastest, with the time each step took.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';

const steps = [
  ['lint', 'npx', ['eslint', '.', '--max-warnings', '0']],
  ['format', 'npx', ['prettier', '--check', '.']],
  ['typecheck', 'npm', ['run', 'typecheck', '--silent']],
  ['build', 'npx', ['electron-vite', 'build', '--logLevel', 'warn']],
  [
    'unit and integration (vitest)',
    'npx',
    [
      'vitest',
      'run',
      '--reporter=default',
      '--reporter=json',
      '--outputFile=test-results/vitest.json',
    ],
  ],
];
if (existsSync('e2e') && readdirSync('e2e').some((f) => f.endsWith('.spec.ts'))) {
  steps.push(['end to end (playwright, chromium)', 'npx', ['playwright', 'test']]);
}

const started = Date.now();
const timings = [];
for (const [name, command, args] of steps) {
  const stepStart = Date.now();
  console.log(`\n▶ ${name}`);
  const result = spawnSync(command, args, {
    stdio: 'inherit',
    env: { ...process.env, FORCE_COLOR: process.env.CI ? '0' : '1' },
  });
  const seconds = ((Date.now() - stepStart) / 1000).toFixed(1);
  timings.push(`${name}: ${seconds} s`);
  if (result.status !== 0) {
    console.error(`\n✗ ${name} failed (exit ${result.status ?? result.signal}) after ${seconds} s`);
    console.error(`npm test took ${((Date.now() - started) / 1000).toFixed(1)} s`);
    process.exit(1);
  }
}
console.log(`\n${timings.join('\n')}`);
console.log(countTests());
for (const line of skippedWithReasons()) console.log(line);
console.log(`npm test took ${((Date.now() - started) / 1000).toFixed(1)} s`);

/** One closing line for every runner together: "tests: N passed, N failed, N skipped". */
function countTests() {
  const read = (file) => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null);
  const vitest = read('test-results/vitest.json');
  const playwright = read('test-results/playwright.json');
  const passed =
    (vitest?.numPassedTests ?? 0) +
    (playwright?.stats.expected ?? 0) +
    (playwright?.stats.flaky ?? 0);
  const failed = (vitest?.numFailedTests ?? 0) + (playwright?.stats.unexpected ?? 0);
  const skipped =
    (vitest?.numPendingTests ?? 0) + (vitest?.numTodoTests ?? 0) + (playwright?.stats.skipped ?? 0);
  return `tests: ${passed} passed, ${failed} failed, ${skipped} skipped`;
}

/**
 * Every skipped test, so a skip is never silent: end-to-end tests with the reason they gave, and
 * unit tests skipped where this machine cannot run them (the condition is beside the test).
 */
function skippedWithReasons() {
  return [...skippedUnitTests(), ...skippedEndToEnd()];
}

function skippedUnitTests() {
  const file = 'test-results/vitest.json';
  if (!existsSync(file)) return [];
  return JSON.parse(readFileSync(file, 'utf8')).testResults.flatMap((result) =>
    result.assertionResults
      .filter((test) => ['pending', 'skipped', 'todo'].includes(test.status))
      .map(
        (test) =>
          `skipped: ${relative(process.cwd(), result.name)} › ${test.fullName}: this machine cannot run it (see the condition beside the test)`,
      ),
  );
}

function skippedEndToEnd() {
  const file = 'test-results/playwright.json';
  if (!existsSync(file)) return [];
  const lines = [];
  const visit = (suite, path) => {
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests ?? []) {
        if (test.status !== 'skipped') continue;
        const reason =
          test.annotations?.find((a) => a.type === 'skip')?.description ?? 'no reason given';
        lines.push(`skipped: ${[...path, spec.title].join(' › ')}: ${reason}`);
      }
    }
    for (const child of suite.suites ?? []) visit(child, [...path, child.title]);
  };
  for (const suite of JSON.parse(readFileSync(file, 'utf8')).suites ?? [])
    visit(suite, [suite.title]);
  return lines;
}
