import Database from 'better-sqlite3';
import { unlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AuditStore } from '../main/core/store';
import { paddockPaths } from '../main/core/home';
import { paddock, paddockProcess } from '../test-support/cli';
import { tempDir } from '../test-support/temp';
import type { DoctorReport } from '../shared/doctor';
import { version } from '../../package.json';

describe('paddock CLI', () => {
  it('prints its version and help', () => {
    const home = tempDir();
    expect(paddock(home, ['--version']).stdout.trim()).toBe(version);
    const help = paddock(home, ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/doctor/);
    expect(help.stdout).toMatch(/audit/);
  });

  it('doctor reports each check with a fix for what is missing, and records that it ran', () => {
    const home = tempDir();
    const result = paddock(home, ['doctor', '--json']);
    const report = JSON.parse(result.stdout) as DoctorReport;
    expect(result.code).toBe(report.ok ? 0 : 1);
    expect(report.checks.map((c) => c.id)).toEqual(
      expect.arrayContaining([
        'node',
        'git',
        'bubblewrap',
        'secret-service',
        'chromium',
        'agent:claude',
      ]),
    );
    for (const check of report.checks) if (check.status !== 'ok') expect(check.fix).toBeTruthy();
    // A PATH without the agent CLIs: each is reported missing, with how to install it.
    const bare = JSON.parse(
      paddock(home, ['doctor', '--json'], { PATH: '/nonexistent' }).stdout,
    ) as DoctorReport;
    expect(bare.checks.find((c) => c.id === 'git')).toMatchObject({
      status: 'missing',
      fix: expect.stringMatching(/apt-get install git/),
    });
    const tail = JSON.parse(paddock(home, ['audit', 'tail', '--json', '-n', '1']).stdout) as {
      kind: string;
      payload: DoctorReport;
    };
    expect(tail.kind).toBe('doctor.ran');
    expect(tail.payload.checks.find((c) => c.id === 'git')?.status).toBe('missing');
  });

  it('audit verify exits 0 on an intact chain and 1 with the first broken link when tampered', () => {
    const home = tempDir();
    expect(paddock(home, ['audit', 'verify']).stdout).toMatch(/nothing to verify/);
    for (const theme of ['dark', 'light', 'system'])
      expect(paddock(home, ['settings', 'set', 'ui.theme', theme]).code).toBe(0);
    const intact = paddock(home, ['audit', 'verify']);
    expect(intact.code).toBe(0);
    expect(intact.stdout).toMatch(/chain holds: 3 events/);

    const db = new Database(paddockPaths(home).database);
    db.exec('DROP TRIGGER events_refuse_update');
    db.exec(
      `UPDATE events SET payload = '{"key":"ui.theme","from":"dark","to":"neon"}' WHERE seq = 2`,
    );
    db.close();
    const broken = paddock(home, ['audit', 'verify']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/First broken link: edited at event #2/);
    const json = JSON.parse(paddock(home, ['audit', 'verify', '--json']).stdout) as {
      ok: boolean;
      problems: { kind: string; seq: number }[];
    };
    expect(json).toMatchObject({ ok: false, problems: [{ kind: 'edited', seq: 2 }] });
  });

  it('audit verify notices a database removed from under its checkpoint', () => {
    const home = tempDir();
    paddock(home, ['settings', 'set', 'ui.theme', 'dark']);
    for (const suffix of ['', '-wal', '-shm']) {
      try {
        unlinkSync(paddockPaths(home).database + suffix);
      } catch {
        // WAL files are gone after a clean close
      }
    }
    const result = paddock(home, ['audit', 'verify']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/is gone, but its checkpoint is still there/);
  });

  it('refuses to write while another process holds the store, saying which', () => {
    const home = tempDir();
    const holder = AuditStore.open({ home, lockCommand: 'paddock serve' });
    const result = paddock(home, ['settings', 'set', 'ui.theme', 'dark']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(`Another Paddock process \\(pid ${process.pid}, \`paddock serve\``),
    );
    // Reading needs no lock.
    expect(paddock(home, ['audit', 'verify']).code).toBe(0);
    holder.close();
  });

  it('audit tail --follow prints events written by another process as they land', async () => {
    const home = tempDir();
    const writer = AuditStore.open({ home });
    writer.append({ kind: 'before.follow', actor: 'system', actorId: 'test' });
    const tail = paddockProcess(home, ['audit', 'tail', '--follow', '--json']);
    const seen: string[] = [];
    let buffered = '';
    const arrived = new Promise<void>((resolve) => {
      tail.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) seen.push((JSON.parse(line) as { kind: string }).kind);
        if (seen.includes('before.follow') && seen.length === 1)
          writer.append({ kind: 'during.follow', actor: 'system', actorId: 'test' });
        if (seen.includes('during.follow')) resolve();
      });
    });
    await arrived;
    tail.kill();
    writer.close();
    expect(seen).toEqual(['before.follow', 'during.follow']);
  }, 20_000);

  it('refuses bad input with a clear message and exit code 2', () => {
    const home = tempDir();
    const unknown = paddock(home, ['settings', 'set', 'ui.colour', 'red']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown setting "ui.colour"/);
    expect(paddock(home, ['audit', 'tail', '-n', 'many']).stderr).toMatch(
      /--lines takes a whole number/,
    );
    expect(paddock(home, ['no-such-command']).code).toBe(2);
  });
});
