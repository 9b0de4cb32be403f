/**
 * No session bus: its address points at a socket with nothing behind it. This file runs in its own
 * worker process, so libsecret's connection (made once per process) is this one's alone.
 */
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDoctor } from './index';

// Before anything loads keytar: libsecret reads the address when it first connects.
process.env.DBUS_SESSION_BUS_ADDRESS = `unix:path=${join(tmpdir(), `no-bus-${randomBytes(6).toString('hex')}`)}`;

describe('the Secret Service check with no session bus', () => {
  it('fails, within the doctor’s time, saying what to install or start', async () => {
    const started = Date.now();
    const report = await runDoctor({ platform: 'linux' });
    expect(Date.now() - started).toBeLessThan(10_000);
    const check = report.checks.find((c) => c.id === 'secret-service');
    expect(check).toMatchObject({ status: 'missing', required: true });
    expect(check?.detail).toMatch(/Failed to (open connection|connect)/);
    expect(check?.fix).toMatch(/sudo apt-get install gnome-keyring/);
    expect(check?.fix).toMatch(/dbus-run-session/);
    expect(check?.fix).toMatch(/gnome-keyring-daemon --unlock/);
    expect(report.ok).toBe(false);
  });
});
