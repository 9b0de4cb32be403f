/**
 * A real headless host (the built `paddock serve`) on a temporary
 * PADDOCK_HOME, and Debian's Chromium driven by Playwright with the flags this machine needs.
 */
import { chromium, type Browser } from 'playwright';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..');
export const CLI = join(ROOT, 'bin', 'paddock.js');
export const CHROMIUM = process.env.PADDOCK_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Host {
  home: string;
  url: string;
  port: number;
  process: ChildProcessWithoutNullStreams;
  /** Runs the built CLI against this host's home (`input` on its stdin). */
  cli(args: string[], input?: string): { code: number | null; stdout: string; stderr: string };
  stop(): Promise<void>;
}

/** Starts `paddock serve` and resolves once it prints its URL. */
export async function startHost(
  home = mkdtempSync(join(tmpdir(), 'paddock-e2e-')),
  env: NodeJS.ProcessEnv = {},
): Promise<Host> {
  if (!existsSync(join(ROOT, 'out', 'main', 'cli.js')))
    throw new Error('Build first: npm run build');
  const child = spawn(process.execPath, [CLI, 'serve'], {
    env: { ...process.env, ...env, PADDOCK_HOME: home },
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`paddock serve did not start: ${output}`)),
      20_000,
    );
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /serving at (http:\/\/\S+)/.exec(output);
      if (!match?.[1]) return;
      clearTimeout(timer);
      resolve(match[1]);
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`paddock serve exited ${code}: ${output}`));
    });
  });
  return {
    home,
    url,
    port: Number(new URL(url).port),
    process: child,
    cli: (args, input) => {
      const result = spawnSync(process.execPath, [CLI, ...args], {
        env: { ...process.env, ...env, PADDOCK_HOME: home },
        ...(input === undefined ? {} : { input }),
        encoding: 'utf8',
        timeout: 30_000,
      });
      return { code: result.status, stdout: result.stdout, stderr: result.stderr };
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Chromium with a fresh profile, and HOME/XDG pointed at a temp dir (it writes ~/.config regardless). */
export async function launchChromium(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'paddock-chromium-'));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Playwright gives every launch a fresh, temporary user-data dir of its own.
    args: CHROMIUM_ARGS,
    env: {
      ...process.env,
      HOME: profile,
      XDG_CONFIG_HOME: join(profile, 'config'),
      XDG_CACHE_HOME: join(profile, 'cache'),
    },
  });
  return {
    browser,
    close: async () => {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Reads the endpoint file the host wrote. */
export function endpointOf(home: string): { port: number; token: string; pid: number } {
  return JSON.parse(readFileSync(join(home, 'run', 'endpoint.json'), 'utf8')) as {
    port: number;
    token: string;
    pid: number;
  };
}
