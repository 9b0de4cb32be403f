import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type Server } from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSessionCa, type SessionCa } from './ca';
import { canonicalHost } from './hostname';

const run = promisify(execFile);

let ca: SessionCa;
let dir: string;

beforeAll(async () => {
  ca = await createSessionCa('test-session');
  dir = mkdtempSync(join(tmpdir(), 'paddock-ca-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function hasBinary(name: string): Promise<boolean> {
  try {
    await run(name, ['--version']);
    return true;
  } catch {
    try {
      await run(name, ['version']);
      return true;
    } catch {
      return false;
    }
  }
}

/** A loopback TLS server presenting the leaf for `host`, answering one line per connection. */
async function leafServer(host: string): Promise<{ server: Server; port: number }> {
  const leaf = await ca.leafFor(host);
  const server = createServer({ cert: leaf.cert, key: leaf.key }, (socket) => {
    socket.on('error', () => undefined);
    socket.end('HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nleaf!\n');
  });
  server.on('tlsClientError', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port };
}

function handshake(port: number, options: { servername?: string; ca?: string[] }): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ...options }, () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

describe('createSessionCa: the CA certificate', () => {
  it('is a self-signed P-256 CA with the session label, valid from an hour ago for 30 days', () => {
    const cert = new X509Certificate(ca.certPem);
    expect(cert.ca).toBe(true);
    expect(cert.subject).toBe('CN=Paddock session CA (test-session)');
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const from = Date.parse(cert.validFrom);
    const to = Date.parse(cert.validTo);
    expect(Date.now() - from).toBeGreaterThan(59 * 60 * 1000);
    expect(to - from).toBeGreaterThanOrEqual(30 * 24 * 3600 * 1000);
  });

  it('cuts a long label so the CN stays within 64 characters', async () => {
    const long = await createSessionCa('x'.repeat(100));
    const subject = new X509Certificate(long.certPem).subject;
    expect(subject).toMatch(/^CN=Paddock session CA \(x+\)$/);
    expect(subject.length - 'CN='.length).toBe(64);
  });

  it('has a random positive 16-byte serial per CA', async () => {
    const other = await createSessionCa('test-session');
    const serials = [ca.certPem, other.certPem].map((pem) => new X509Certificate(pem).serialNumber);
    expect(serials[0]).not.toBe(serials[1]);
    for (const serial of serials) {
      expect(serial).toMatch(/^[4-7][0-9A-F]{31}$/);
    }
  });
});

describe('createSessionCa: leaves', () => {
  it('issues a leaf for a name that the CA signed, with the name in the SAN', async () => {
    const leaf = new X509Certificate((await ca.leafFor('api.example.test')).cert);
    const root = new X509Certificate(ca.certPem);
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIssued(root)).toBe(true);
    expect(leaf.verify(root.publicKey)).toBe(true);
    expect(leaf.subject).toBe('CN=api.example.test');
    expect(leaf.subjectAltName).toBe('DNS:api.example.test');
    expect(leaf.checkHost('api.example.test')).toBe('api.example.test');
    expect(leaf.checkHost('other.example.test')).toBeUndefined();
    expect(leaf.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
  });

  it.each([
    ['IPv4', '192.0.2.7', '192.0.2.7', 'IP Address:192.0.2.7'],
    ['IPv6', '[2001:db8::1]', '2001:db8::1', 'IP Address:2001:DB8:0:0:0:0:0:1'],
  ])('issues an %s leaf with an iPAddress SAN', async (_family, input, ip, san) => {
    const leaf = new X509Certificate((await ca.leafFor(input)).cert);
    expect(leaf.checkIP(ip)).toBe(ip);
    expect(leaf.subjectAltName).toBe(san);
    expect(leaf.checkIP('192.0.2.8')).toBeUndefined();
  });

  it('caches by canonical host and shares one promise between concurrent callers', async () => {
    const [a, b] = [ca.leafFor('cache.test'), ca.leafFor('CACHE.test.')];
    expect(a).toBe(b);
    expect(await ca.leafFor(canonicalHost('cache.test') as never)).toBe(await a);
  });

  it('makes a cached leaf again when it is within a day of expiring', async () => {
    const first = await ca.leafFor('renew.test');
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 5 * 24 * 3600 * 1000);
      expect(await ca.leafFor('renew.test')).toBe(first);
      vi.setSystemTime(Date.now() + 1.5 * 24 * 3600 * 1000);
      const renewed = await ca.leafFor('renew.test');
      expect(renewed).not.toBe(first);
      expect(Date.parse(new X509Certificate(renewed.cert).validTo)).toBeGreaterThan(Date.now());
    } finally {
      vi.useRealTimers();
    }
  });

  it('uses one key for every leaf of a CA, and a different one for another CA', async () => {
    const other = await createSessionCa('other');
    expect((await ca.leafFor('a.test')).key).toBe((await ca.leafFor('b.test')).key);
    expect((await other.leafFor('a.test')).key).not.toBe((await ca.leafFor('a.test')).key);
  });

  it('names a host longer than a CN may be only in a critical SAN', async () => {
    const host = `${'a'.repeat(60)}.${'b'.repeat(60)}.test`;
    const leaf = new X509Certificate((await ca.leafFor(host)).cert);
    expect(leaf.subject).toBeFalsy();
    expect(leaf.checkHost(host)).toBe(host);
  });

  it('rejects an invalid host', async () => {
    await expect(ca.leafFor('evil.test\0.good.test')).rejects.toThrow(/invalid host/);
  });

  it('makes a leaf on a cache miss in about a millisecond', async () => {
    for (let i = 0; i < 50; i += 1) await ca.leafFor(`warm${i}.test`);
    const count = 200;
    const started = performance.now();
    for (let i = 0; i < count; i += 1) await ca.leafFor(`timing${i}.test`);
    const perLeaf = (performance.now() - started) / count;
    console.warn(`leafFor cache miss: ${perLeaf.toFixed(3)} ms`);
    expect(perLeaf).toBeLessThan(20);
  });
});

describe('createSessionCa: real TLS clients', () => {
  it('a Node client trusting the CA completes a handshake; one without it fails', async () => {
    const { server, port } = await leafServer('tls.test');
    try {
      await handshake(port, { servername: 'tls.test', ca: [ca.certPem] });
      await expect(handshake(port, { servername: 'tls.test' })).rejects.toThrow();
      await expect(handshake(port, { servername: 'other.test', ca: [ca.certPem] })).rejects.toThrow(
        /altnames|Hostname/i,
      );
    } finally {
      server.close();
    }
  });

  it('a client trusting another session CA fails', async () => {
    const other = await createSessionCa('other-session');
    const { server, port } = await leafServer('tls.test');
    try {
      await expect(
        handshake(port, { servername: 'tls.test', ca: [other.certPem] }),
      ).rejects.toThrow();
    } finally {
      server.close();
    }
  });

  it('curl accepts the leaf with --cacert', async () => {
    const { server, port } = await leafServer('curl.test');
    const caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, ca.certPem);
    try {
      const { stdout } = await run('curl', [
        '--silent',
        '--show-error',
        '--cacert',
        caFile,
        '--resolve',
        `curl.test:${port}:127.0.0.1`,
        `https://curl.test:${port}/`,
      ]);
      expect(stdout).toBe('leaf!\n');
    } finally {
      server.close();
    }
  });

  it('openssl verify accepts the leaves for the purpose sslserver', async (context) => {
    if (!(await hasBinary('openssl'))) return context.skip();
    const caFile = join(dir, 'ca-openssl.pem');
    writeFileSync(caFile, ca.certPem);
    // -x509_strict also insists that a leaf with an empty subject has a critical SAN.
    const long = `${'c'.repeat(60)}.${'d'.repeat(60)}.test`;
    const leaves = ['openssl.test', '192.0.2.9', '[2001:db8::9]', long];
    for (const [index, host] of leaves.entries()) {
      const leafFile = join(dir, `leaf${index}.pem`);
      writeFileSync(leafFile, (await ca.leafFor(host)).cert);
      const { stdout } = await run('openssl', [
        'verify',
        '-x509_strict',
        '-purpose',
        'sslserver',
        '-CAfile',
        caFile,
        leafFile,
      ]);
      expect(stdout.trim()).toBe(`${leafFile}: OK`);
    }
  });
});
