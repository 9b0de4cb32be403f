/**
 * OpenSSH public key lines and fingerprints: checked against a fixed vector (RFC 8032's first test
 * key, its line and fingerprint as OpenSSH 9.2's ssh-keygen printed them) and, where ssh-keygen is
 * installed, against ssh-keygen itself on fresh keys both ways.
 */
import { execFileSync } from 'node:child_process';
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test-support/temp';
import { fingerprintOf, IdentityError, parseOpenSshEd25519, toOpenSsh } from './index';

/** RFC 8032 §7.1, TEST 1. */
const RFC8032_SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const RFC8032_PUBLIC = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
/** `ssh-keygen -lf` on this line printed `256 SHA256:bbXp… rfc8032-test-1 (ED25519)`. */
const RFC8032_LINE =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINdamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea rfc8032-test-1';
const RFC8032_FINGERPRINT = 'SHA256:bbXpuKG6zhzdmnxq256TlqzFBzRl2f6OOg722cYNbU8';
/** A real RSA public key line, as `ssh-keygen -t rsa -b 2048` wrote it. */
const RSA_LINE =
  'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDP5WGOAtxFwjA1LgQjctiAN+hEbnYdJQPwdoso2P1KjwBoFq5sMrf4/I3Vq9KJQVBX2pbsDiQvB9DbC0jGj5bDefAD8iCmvr9pPR7urAxL58wgB2TKOcOjo29F1Vs8WlkTL1QKtQVnD51w6Bg1G6b9UDsjOMVAEMP/I457a4TKtmwG3Q9HIkRlbWXnogBEtWh9pENL4RgsO6XkBr2njQQ5w+VHqMLYMnmK3JdQdhMUO9D5x7DFnbWJSOKF/8PKqsTsNGer5MFwvMCZSMFVu68XD++Ro2agYBEVqEAaRHC9cgYe2jcN1smXpgDbdsVVKio2Iq8g/fKrYN/p31mK/dbr rsa-user';

function rfc8032PublicKey(): KeyObject {
  const x = Buffer.from(RFC8032_PUBLIC, 'hex').toString('base64url');
  const d = Buffer.from(RFC8032_SEED, 'hex').toString('base64url');
  // Derived from the private seed, so the vector checks Node's key handling too.
  return createPublicKey(
    createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', x, d }, format: 'jwk' }),
  );
}

/** The base64 part of a line re-encoded after `edit` changed its decoded bytes. */
function editBlob(line: string, edit: (blob: Buffer) => Buffer): string {
  const [type, base64, ...comment] = line.split(' ');
  const blob = edit(Buffer.from(base64 ?? '', 'base64'));
  return [type, blob.toString('base64'), ...comment].join(' ');
}

function sshString(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

function parseError(line: string): IdentityError {
  try {
    parseOpenSshEd25519(line);
  } catch (error) {
    expect(error).toBeInstanceOf(IdentityError);
    expect((error as IdentityError).kind).toBe('invalid');
    return error as IdentityError;
  }
  throw new Error(`expected ${JSON.stringify(line)} to be refused`);
}

const sshKeygen = (() => {
  try {
    execFileSync('ssh-keygen', ['-?'], { stdio: 'ignore' });
  } catch (error) {
    // ssh-keygen prints its usage and exits 1 for -?; only a missing binary is ENOENT.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
  }
  return (args: string[]) =>
    execFileSync('ssh-keygen', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
})();

describe('the OpenSSH form of an Ed25519 key', () => {
  it('matches a fixed vector: RFC 8032 test key 1, line and fingerprint from ssh-keygen', () => {
    const key = rfc8032PublicKey();
    expect(toOpenSsh(key, 'rfc8032-test-1')).toBe(RFC8032_LINE);
    expect(fingerprintOf(key)).toBe(RFC8032_FINGERPRINT);
    const parsed = parseOpenSshEd25519(RFC8032_LINE);
    expect(parsed.comment).toBe('rfc8032-test-1');
    expect(parsed.fingerprint).toBe(RFC8032_FINGERPRINT);
    expect(parsed.key.equals(key)).toBe(true);
  });

  it('is the SSH wire blob of RFC 8709: string "ssh-ed25519", string of the 32 key bytes', () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const line = toOpenSsh(publicKey, 'Ada Lovelace');
    expect(line).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]{43} Ada Lovelace$/);
    const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url');
    const expected = Buffer.concat([sshString(Buffer.from('ssh-ed25519')), sshString(raw)]);
    expect(Buffer.from(line.split(' ')[1] ?? '', 'base64')).toEqual(expected);
    expect(expected).toHaveLength(51);
  });

  it('reads back what it writes, comment with spaces and all', () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const parsed = parseOpenSshEd25519(
      `  ${toOpenSsh(publicKey, 'Ada  Lovelace <ada@example.org>')}\n`,
    );
    expect(parsed.key.equals(publicKey)).toBe(true);
    expect(parsed.comment).toBe('Ada  Lovelace <ada@example.org>');
    expect(parsed.fingerprint).toBe(fingerprintOf(publicKey));
    expect(parseOpenSshEd25519(toOpenSsh(publicKey, '')).comment).toBe('');
  });

  it('refuses a comment that would break the line', () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    expect(() => toOpenSsh(publicKey, 'Ada\nssh-ed25519 AAAA… Mallory')).toThrow(/line breaks/);
  });

  it('refuses a key that is not an Ed25519 public key', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => toOpenSsh(publicKey, 'x')).toThrow(
      /Expected an Ed25519 public key, not a ec public key/,
    );
    expect(() => fingerprintOf(privateKey)).toThrow(/not a ec private key/);
    const ed = generateKeyPairSync('ed25519');
    expect(() => fingerprintOf(ed.privateKey)).toThrow(/not a ed25519 private key/);
  });
});

describe('agreement with ssh-keygen', () => {
  if (!sshKeygen)
    console.warn(
      'ssh-keygen is not installed: the OpenSSH checks ran against the fixed RFC 8032 vector only.',
    );

  it.runIf(sshKeygen)(
    'ssh-keygen -lf accepts a line Paddock writes and prints its fingerprint',
    () => {
      const dir = tempDir();
      for (let i = 0; i < 5; i++) {
        const { publicKey } = generateKeyPairSync('ed25519');
        const file = join(dir, `key${i}.pub`);
        writeFileSync(file, `${toOpenSsh(publicKey, `Ada Lovelace ${i}`)}\n`);
        const printed = sshKeygen?.(['-l', '-f', file]).trim();
        expect(printed).toBe(`256 ${fingerprintOf(publicKey)} Ada Lovelace ${i} (ED25519)`);
      }
    },
  );

  it.runIf(sshKeygen)('Paddock reads keys ssh-keygen makes, to the same fingerprint', () => {
    const dir = tempDir();
    const file = join(dir, 'id_ed25519');
    sshKeygen?.(['-q', '-t', 'ed25519', '-N', '', '-C', 'grace@example.org', '-f', file]);
    const line = readFileSync(`${file}.pub`, 'utf8');
    const parsed = parseOpenSshEd25519(line);
    expect(parsed.comment).toBe('grace@example.org');
    expect(sshKeygen?.(['-l', '-f', `${file}.pub`])).toContain(` ${parsed.fingerprint} `);
    // ssh-keygen -y derives the public line from the private key file: the same key.
    expect(parseOpenSshEd25519(sshKeygen?.(['-y', '-f', file]) ?? '').key.equals(parsed.key)).toBe(
      true,
    );
    expect(toOpenSsh(parsed.key, 'grace@example.org')).toBe(line.trim());
  });

  it.runIf(sshKeygen)('ssh-keygen refuses what Paddock refuses: a blob with trailing bytes', () => {
    const dir = tempDir();
    const { publicKey } = generateKeyPairSync('ed25519');
    const edited = editBlob(toOpenSsh(publicKey, 'x'), (blob) =>
      Buffer.concat([blob, Buffer.from([0])]),
    );
    writeFileSync(join(dir, 'bad.pub'), `${edited}\n`);
    expect(() => sshKeygen?.(['-l', '-f', join(dir, 'bad.pub')])).toThrow();
    expect(parseError(edited).message).toMatch(/1 unexpected bytes after the key/);
  });
});

describe('lines that are not an Ed25519 public key', () => {
  const good = () => toOpenSsh(generateKeyPairSync('ed25519').publicKey, 'Ada');

  it('an RSA key says it is one, and what to give instead', () => {
    expect(parseError(RSA_LINE).message).toBe(
      'This is an RSA key (ssh-rsa). Paddock signs with Ed25519 keys only: give a line like ssh-ed25519 AAAA… name.',
    );
  });

  it('other kinds of key and key files are named', () => {
    expect(parseError('ecdsa-sha2-nistp256 AAAA x').message).toMatch(/^This is an ECDSA key/);
    expect(parseError('sk-ssh-ed25519@openssh.com AAAA x').message).toMatch(
      /security-key \(FIDO\)/,
    );
    expect(parseError('ssh-ed25519-cert-v01@openssh.com AAAA x').message).toMatch(
      /an SSH certificate/,
    );
    expect(parseError('-----BEGIN OPENSSH PRIVATE KEY-----').message).toMatch(
      /PEM form \(possibly a private key/,
    );
    expect(parseError('').message).toMatch(/^This is empty/);
    expect(parseError('restrict ssh-ed25519 AAAA').message).toMatch(
      /starts with "restrict", not ssh-ed25519/,
    );
  });

  it('a truncated line says it was cut short', () => {
    const line = good();
    // 40 of 68 base64 characters: still valid base64, but the key stops after 30 bytes.
    const cut = `${line.slice(0, 'ssh-ed25519 '.length + 40)} Ada`;
    expect(parseError(cut).message).toMatch(/cut short \(its key is incomplete\)/);
    const typeCut = editBlob(line, (blob) => blob.subarray(0, 9));
    expect(parseError(typeCut).message).toMatch(/cut short \(its key type is incomplete\)/);
    expect(parseError('ssh-ed25519').message).toMatch(/no key after it/);
  });

  it('trailing bytes, a key of the wrong size and a type inside that differs are refused', () => {
    const line = good();
    const trailing = editBlob(line, (blob) => Buffer.concat([blob, Buffer.from('xyz')]));
    expect(parseError(trailing).message).toMatch(/3 unexpected bytes after the key itself/);
    const short = editBlob(line, (blob) =>
      Buffer.concat([sshString(Buffer.from('ssh-ed25519')), sshString(blob.subarray(19, 50))]),
    );
    expect(parseError(short).message).toMatch(/is 31 bytes long; an Ed25519 key is 32/);
    const rsaInside = editBlob(line, (blob) =>
      Buffer.concat([sshString(Buffer.from('ssh-rsa')), blob.subarray(15)]),
    );
    expect(parseError(rsaInside).message).toMatch(/the key inside it is of type "ssh-rsa"/);
  });

  it('bad or non-canonical base64, and more than one line, are refused', () => {
    const line = good();
    expect(parseError(line.replace('AAAAC3', 'AAAA!3')).message).toMatch(/not valid base64/);
    // Node's decoder skips a stray '=', so only re-encoding tells this spelling from the real one.
    const [type, base64, name] = line.split(' ') as [string, string, string];
    expect(parseError(`${type} ${base64}= ${name}`).message).toMatch(/not valid base64/);
    expect(parseError(`${type} ${base64.slice(0, 34)}=${base64.slice(34)}`).message).toMatch(
      /not valid base64/,
    );
    expect(parseError(`${line}\n${line}`).message).toMatch(/more than one line/);
  });
});
