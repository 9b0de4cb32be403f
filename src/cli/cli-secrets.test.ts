/**
 * `paddock secrets` as a person runs it, against a real Secret Service (gnome-keyring on a private
 * D-Bus session started by this file; the CLI's child processes inherit its address).
 */
import Database from 'better-sqlite3';
import keytar from 'keytar';
import { spawn as spawnPty } from 'node-pty';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { paddockPaths } from '../main/core/home';
import { startHeadlessHost } from '../main/server';
import { paddock, type CliResult } from '../test-support/cli';
import { startSecretService, useSecretService } from '../test-support/secret-service';
import { filesContaining } from '../test-support/files';
import { tempDir } from '../test-support/temp';
import type { SecretEntry } from '../shared/vault';

useSecretService();

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'src', 'cli', 'index.ts');

const secretValue = () => `sk-cli-${randomBytes(24).toString('hex')}`;
const inKeychain = (name: string) => keytar.getPassword('Paddock', `secret:${name}`);

/** The CLI in a child process without blocking this one; `onSpawn` sees it while it runs. */
function runCli(
  home: string,
  args: string[],
  options: { input?: string; env?: NodeJS.ProcessEnv; whileRunning?: (pid: number) => void } = {},
): Promise<CliResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, PADDOCK_HOME: home, ...options.env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const watcher = options.whileRunning
    ? setInterval(() => options.whileRunning?.(child.pid as number), 5)
    : null;
  child.stdin.end(options.input ?? '');
  return new Promise((resolve) =>
    child.on('close', (code) => {
      if (watcher) clearInterval(watcher);
      resolve({ code, stdout, stderr });
    }),
  );
}

/** Every vault event and the settings row, straight from the database file. */
function vaultRecords(home: string) {
  const db = new Database(paddockPaths(home).database, { readonly: true });
  try {
    return {
      events: db
        .prepare("SELECT kind, payload FROM events WHERE kind LIKE 'vault.%' ORDER BY seq")
        .all() as { kind: string; payload: string }[],
      index: db.prepare("SELECT value FROM settings WHERE key = 'vault.secrets'").get() as
        { value: string } | undefined,
    };
  } finally {
    db.close();
  }
}

describe('paddock secrets', () => {
  it('sets a secret from stdin, lists it without its value, rotates it and removes it', async () => {
    const home = tempDir();
    const value = secretValue();
    const set = paddock(
      home,
      [
        'secrets',
        'set',
        'CLI_TOKEN',
        '--host',
        'api.example.com',
        '--host',
        '*.example.org',
        '--header',
        'x-api-key: {}',
      ],
      {},
      `${value}\n`,
    );
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(
      /^Set CLI_TOKEN: sent only to api\.example\.com, \*\.example\.org, in "x-api-key: \{\}"\. The value is in the keychain; Paddock never shows it\.$/m,
    );
    // The trailing newline was stripped.
    expect(await inKeychain('CLI_TOKEN')).toBe(value);

    const list = paddock(home, ['secrets', 'list', '--json']);
    expect(list.code).toBe(0);
    const entries = JSON.parse(list.stdout) as SecretEntry[];
    expect(entries).toEqual([
      {
        name: 'CLI_TOKEN',
        hosts: ['api.example.com', '*.example.org'],
        header: 'x-api-key: {}',
        setAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        rotatedAt: null,
      },
    ]);
    const table = paddock(home, ['secrets', 'list']);
    expect(table.stdout).toMatch(/^NAME\s+HOSTS\s+HEADER\s+SET\s+ROTATED$/m);
    expect(table.stdout).toMatch(
      /^CLI_TOKEN\s+api\.example\.com,\*\.example\.org\s+x-api-key: \{\}/m,
    );

    const next = secretValue();
    const rotated = paddock(home, ['secrets', 'set', 'CLI_TOKEN'], {}, `${next}\r\n`);
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/^Rotated CLI_TOKEN: sent only to api\.example\.com/m);
    expect(await inKeychain('CLI_TOKEN')).toBe(next);
    const removed = paddock(home, ['secrets', 'rm', 'CLI_TOKEN']);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toMatch(/Removed CLI_TOKEN; its value is deleted from the keychain/);
    expect(await inKeychain('CLI_TOKEN')).toBeNull();
    expect(paddock(home, ['secrets', 'list']).stdout).toMatch(/No secrets yet/);

    const { events } = vaultRecords(home);
    expect(events.map((e) => e.kind)).toEqual([
      'vault.secret.set',
      'vault.secret.rotated',
      'vault.secret.removed',
    ]);
    expect(JSON.parse(events[0]?.payload ?? '')).toEqual({
      name: 'CLI_TOKEN',
      hosts: ['api.example.com', '*.example.org'],
      header: 'x-api-key: {}',
    });
    const db = new Database(paddockPaths(home).database, { readonly: true });
    const trail = JSON.stringify(db.prepare('SELECT * FROM events').all());
    db.close();
    expect(trail).toContain('vault.secret.rotated');
    for (const secret of [value, next]) {
      expect(trail).not.toContain(secret);
      expect(filesContaining(home, secret)).toEqual([]);
    }
  }, 60_000);

  it('refuses an empty value, a value as an argument and a bad name, and stores nothing', async () => {
    const value = secretValue();
    // Independent refusals, run side by side, each in its own home.
    const cases: Array<[string[], string, RegExp]> = [
      [['EMPTY_ONE'], '', /No value for EMPTY_ONE: type it when asked, or pipe it in/],
      [['EMPTY_TWO'], '\n', /No value for EMPTY_TWO/],
      [['ARG_ONE', value], '', /too many arguments/],
      [['lower'], value, /A secret name is an upper-case letter/],
      [['TWO_LINES'], `${value}\nmore\n`, /contains a NUL, carriage return or newline/],
      [
        ['BAD_HOST', '--host', 'https://x.example'],
        value,
        /"https:\/\/x\.example" is not a host like api\.example\.com/,
      ],
      [
        ['BAD_HEADER', '--header', 'Authorization: Bearer'],
        value,
        /The Authorization header template has no \{\}/,
      ],
    ];
    const homes = cases.map(() => tempDir());
    const results = await Promise.all(
      cases.map(([args, input], i) =>
        runCli(homes[i] as string, ['secrets', 'set', ...args], { input }),
      ),
    );
    results.forEach((result, i) => {
      const [args, , expected] = cases[i] as (typeof cases)[number];
      expect(result.code, args.join(' ')).not.toBe(0);
      expect(result.stderr, args.join(' ')).toMatch(expected);
      expect(result.stdout + result.stderr, args.join(' ')).not.toContain(value);
    });
    const missing = await runCli(homes[0] as string, ['secrets', 'rm', 'NOT_THERE']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/There is no secret named NOT_THERE/);

    for (const name of ['EMPTY_ONE', 'ARG_ONE', 'TWO_LINES', 'BAD_HOST', 'BAD_HEADER'])
      expect(await inKeychain(name)).toBeNull();
    for (const home of homes) {
      if (existsSync(paddockPaths(home).database))
        expect(vaultRecords(home)).toEqual({ events: [], index: undefined });
      expect(filesContaining(home, value)).toEqual([]);
    }
  }, 60_000);

  it('refuses a direct edit of the index through `paddock settings set`', () => {
    const home = tempDir();
    const result = paddock(home, [
      'settings',
      'set',
      'vault.secrets',
      '{"EVIL":{"hosts":["evil.example"],"header":"Authorization: Bearer {}","setAt":"x","rotatedAt":null}}',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/the vault’s index changes only with `paddock secrets set`/);
  });

  it('never puts the value in any process argv or in its own environment', async () => {
    const home = tempDir();
    const value = secretValue();
    const needle = Buffer.from(value);
    const seen = new Set<string>();
    let scans = 0;
    const result = await runCli(
      home,
      ['secrets', 'set', 'ARGV_TOKEN', '--host', 'api.example.com'],
      {
        input: value,
        whileRunning: (pid) => {
          scans++;
          for (const entry of readdirSync('/proc')) {
            if (!/^\d+$/.test(entry)) continue;
            for (const file of ['cmdline', ...(Number(entry) === pid ? ['environ'] : [])]) {
              try {
                if (readFileSync(`/proc/${entry}/${file}`).includes(needle))
                  seen.add(`/proc/${entry}/${file}`);
              } catch {
                // gone, or not ours to read
              }
            }
          }
        },
      },
    );
    expect(result.code).toBe(0);
    expect(scans).toBeGreaterThan(10);
    expect([...seen]).toEqual([]);
    expect(result.stdout + result.stderr).not.toContain(value);
    expect(await inKeychain('ARGV_TOKEN')).toBe(value);
    expect(paddock(home, ['secrets', 'rm', 'ARGV_TOKEN']).code).toBe(0);
  });

  it('asks for the value at a terminal without echoing it', async () => {
    const home = tempDir();
    const value = secretValue();
    const pty = spawnPty(
      process.execPath,
      ['--import', 'tsx', CLI, 'secrets', 'set', 'TTY_TOKEN'],
      {
        cwd: ROOT,
        env: { ...process.env, PADDOCK_HOME: home } as Record<string, string>,
        cols: 200,
        rows: 30,
      },
    );
    let screen = '';
    let typed = false;
    const exit = new Promise<number>((resolve) => {
      pty.onData((data) => {
        screen += data;
        if (!typed && screen.includes('Value for TTY_TOKEN (not shown as you type): ')) {
          typed = true;
          // As typed, with a slip corrected by backspace.
          pty.write(`${value}x\u007f\r`);
        }
      });
      pty.onExit(({ exitCode }) => resolve(exitCode));
    });
    expect(await exit).toBe(0);
    expect(screen).toMatch(/Set TTY_TOKEN: bound to no host/);
    expect(screen).not.toContain(value);
    expect(screen).not.toContain(value.slice(0, 12));
    expect(await inKeychain('TTY_TOKEN')).toBe(value);
    expect(paddock(home, ['secrets', 'rm', 'TTY_TOKEN']).code).toBe(0);
  });

  it('sends the value through a running host, which records it nowhere', async () => {
    const home = tempDir();
    const value = secretValue();
    const host = await startHeadlessHost({ home, staticDir: null });
    try {
      const set = await runCli(
        home,
        ['secrets', 'set', 'HOST_TOKEN', '--host', 'api.example.com'],
        {
          input: value,
        },
      );
      expect(set.stderr).toBe('');
      expect(set.code).toBe(0);
      expect(await inKeychain('HOST_TOKEN')).toBe(value);
      const list = await runCli(home, ['secrets', 'list', '--json']);
      expect(JSON.parse(list.stdout)).toMatchObject([{ name: 'HOST_TOKEN' }]);
      expect(list.stdout).not.toContain(value);
      expect((await runCli(home, ['secrets', 'rm', 'HOST_TOKEN'])).code).toBe(0);
    } finally {
      await host.close();
    }
    expect(await inKeychain('HOST_TOKEN')).toBeNull();
    expect(vaultRecords(home).events.map((e) => e.kind)).toEqual([
      'vault.secret.set',
      'vault.secret.removed',
    ]);
    expect(filesContaining(home, value)).toEqual([]);
  });
});

describe('paddock secrets without a keychain', () => {
  it('refuses with what to start when there is no session bus, and writes nothing', async () => {
    const home = tempDir();
    const value = secretValue();
    const env = { DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(home, 'no-bus')}` };
    const set = paddock(
      home,
      ['secrets', 'set', 'NO_BUS', '--host', 'api.example.com'],
      env,
      value,
    );
    expect(set.code).toBe(2);
    expect(set.stderr).toMatch(
      /^paddock: No keychain is reachable: there is no D-Bus session bus .*Run Paddock inside a desktop session, or, on a headless machine, under dbus-run-session with gnome-keyring-daemon --unlock/m,
    );
    expect(set.stderr).toMatch(/Paddock never keeps secrets in a plain file instead\./);
    expect(set.stderr).not.toContain(value);
    for (const args of [
      ['secrets', 'list'],
      ['secrets', 'list', '--json'],
      ['secrets', 'rm', 'NO_BUS'],
    ]) {
      const result = paddock(home, args, env);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(/No keychain is reachable/);
    }
    expect(vaultRecords(home)).toEqual({ events: [], index: undefined });
    expect(filesContaining(home, value)).toEqual([]);
  }, 60_000);

  it('says what to install when the bus has no Secret Service on it', async () => {
    const bare = await startSecretService({ keyring: false });
    try {
      const home = tempDir();
      const result = paddock(
        home,
        ['secrets', 'set', 'NO_SERVICE'],
        { DBUS_SESSION_BUS_ADDRESS: bare.address },
        secretValue(),
      );
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /No keychain is reachable: nothing provides the Secret Service \(org\.freedesktop\.secrets\) on the D-Bus session bus .*sudo apt-get install gnome-keyring/,
      );
      expect(vaultRecords(home)).toEqual({ events: [], index: undefined });
    } finally {
      await bare.stop();
    }
  });
});
