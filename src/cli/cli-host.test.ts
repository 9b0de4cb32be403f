import { existsSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { paddockPaths } from '../main/core/home';
import { startHeadlessHost } from '../main/server';
import { readEndpoint } from '../main/transport';
import { makeRepository } from '../main/core/git/testing';
import { paddock, paddockAsync } from '../test-support/cli';
import { isRunning } from './background';
import { tempDir } from '../test-support/temp';

describe('how the CLI reaches the core', () => {
  it('talks to the running host, which keeps the only writer lock', async () => {
    const home = tempDir();
    const host = await startHeadlessHost({ home, staticDir: null });
    const endpoint = readEndpoint(paddockPaths(home).endpoint);
    expect(endpoint).toMatchObject({
      host: 'serve',
      pid: process.pid,
      port: host.port,
      token: host.token,
    });
    expect(statSync(paddockPaths(home).endpoint).mode & 0o777).toBe(0o600);

    // The host holds the lock; an in-process CLI would be refused. It succeeds because it goes through the host.
    // (Run without blocking: the host answering it lives in this process.)
    const set = await paddockAsync(home, ['settings', 'set', 'ui.theme', 'dark']);
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    const tail = await paddockAsync(home, ['audit', 'tail', '--json', '-n', '1']);
    expect(JSON.parse(tail.stdout)).toMatchObject({
      kind: 'settings.changed',
      payload: { to: 'dark' },
    });

    await host.close();
    expect(existsSync(paddockPaths(home).endpoint)).toBe(false);
    // No host: the CLI runs the core itself and finds what the host wrote.
    expect(paddock(home, ['settings', 'set', 'ui.theme', 'light']).code).toBe(0);
    const report = JSON.parse(paddock(home, ['audit', 'verify', '--json']).stdout) as {
      ok: boolean;
      events: number;
    };
    expect(report).toMatchObject({ ok: true, events: 4 }); // host.started, settings.changed, host.stopped, settings.changed
  });

  it('ignores the endpoint of a host that died, and runs in-process', async () => {
    const home = tempDir();
    const host = await startHeadlessHost({ home, staticDir: null });
    const endpoint = readEndpoint(paddockPaths(home).endpoint);
    await host.close();
    const { writeEndpoint } = await import('../main/transport');
    writeEndpoint(paddockPaths(home).endpoint, { ...(endpoint as NonNullable<typeof endpoint>) });
    expect(paddock(home, ['settings', 'set', 'ui.theme', 'dark']).code).toBe(0);
  });

  it('starts a detached host with serve --background, which the next commands use, and stops it', () => {
    const home = tempDir();
    const started = paddock(home, ['serve', '--background']);
    expect(started.code).toBe(0);
    expect(started.stdout).toMatch(
      /serving in the background \(pid \d+\) at http:\/\/127\.0\.0\.1:\d+\/#token=/,
    );
    const endpoint = readEndpoint(paddockPaths(home).endpoint);
    expect(endpoint?.pid).not.toBe(process.pid);
    expect(paddock(home, ['settings', 'set', 'ui.theme', 'dark']).code).toBe(0);
    const stopped = paddock(home, ['stop']);
    expect(stopped.stdout).toMatch(
      new RegExp(`Stopped the Paddock host \\(pid ${endpoint?.pid}\\)`),
    );
    expect(readEndpoint(paddockPaths(home).endpoint)).toBeNull();
    // Stopped means gone, its store closed: nothing writes in the home after `stop` answers.
    expect(isRunning(endpoint?.pid ?? 0)).toBe(false);
    const kinds = paddock(home, ['audit', 'tail', '--json'])
      .stdout.trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { kind: string }).kind);
    expect(kinds).toEqual(['host.started', 'settings.changed', 'host.stopped']);
  }, 40_000);

  it('runs `paddock exec` through the running host, which keeps the only writer lock', async () => {
    const home = tempDir();
    const repo = makeRepository(tempDir(), { 'README.md': '# demo\n' });
    const host = await startHeadlessHost({ home, staticDir: null });
    const result = await paddockAsync(home, [
      'exec',
      '--project',
      repo,
      '--',
      'sh',
      '-c',
      'cat README.md; echo oops >&2; exit 3',
    ]);
    expect(result).toMatchObject({ code: 3, stdout: '# demo\n', stderr: 'oops\n' });
    const json = await paddockAsync(home, ['exec', '--project', repo, '--json', '--', 'true']);
    expect(JSON.parse(json.stdout)).toMatchObject({ exitCode: 0, kept: false });
    const tty = await paddockAsync(home, ['exec', '--project', repo, '--tty', '--', 'true']);
    expect(tty.code).toBe(125);
    expect(tty.stderr).toMatch(/--tty runs CMD in this terminal/);
    await host.close();
  });
});
