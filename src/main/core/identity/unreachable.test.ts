/**
 * No keychain: the session bus address points at a socket with nothing behind it. This file runs in
 * its own worker process, so libsecret's connection (made once per process) is this one's alone.
 */
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IdentityInfo } from '../../../shared/signoff';
import { keytarKeychain } from '../vault';
import { IdentityError, IdentityService } from './index';

// Before anything loads keytar: libsecret reads the address when it first connects.
process.env.DBUS_SESSION_BUS_ADDRESS = `unix:path=${join(tmpdir(), `no-bus-${randomBytes(6).toString('hex')}`)}`;

describe('with no keychain reachable', () => {
  it('creating and signing refuse, saying what to start, and nothing is stored', async () => {
    let stored: IdentityInfo | null = null;
    const events: string[] = [];
    const service = new IdentityService({
      keychain: keytarKeychain({ service: 'Paddock-identity-test', timeoutMs: 5000 }),
      store: { get: () => stored, set: (info) => (stored = info) },
      audit: (kind) => events.push(kind),
    });
    const error = await service
      .create('Ada', { actor: 'person', actorId: 'ada' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IdentityError);
    expect((error as IdentityError).kind).toBe('keychain');
    expect((error as IdentityError).message).toMatch(
      /^No keychain is reachable: there is no D-Bus session bus .*gnome-keyring-daemon --unlock/,
    );
    expect(stored).toBeNull();
    expect(events).toEqual([]);

    stored = {
      name: 'Ada',
      publicKey:
        'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINdamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea Ada',
      fingerprint: 'SHA256:bbXpuKG6zhzdmnxq256TlqzFBzRl2f6OOg722cYNbU8',
      createdAt: '2025-01-01T00:00:00.000Z',
    };
    const signing = await service.sign(Buffer.from('x')).catch((caught: unknown) => caught);
    expect((signing as IdentityError).kind).toBe('keychain');
  });
});
