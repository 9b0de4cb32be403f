/**
 * Passphrase-sealed identity backups. Each seal or open runs scrypt at N = 2^17 for real (about a
 * third of a second), so these tests share sealed files where they can.
 */
import {
  createCipheriv,
  generateKeyPairSync,
  randomBytes,
  scryptSync,
  type KeyObject,
} from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../store';
import {
  BACKUP_FORMAT,
  IdentityError,
  openBackup,
  sealBackup,
  toOpenSsh,
  type BackupContents,
} from './index';

const PASSPHRASE = 'correct horse battery staple';

function identity(name = 'Ada Lovelace'): BackupContents & { privateKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    name,
    privateKey,
    privateKeyPkcs8: privateKey.export({ format: 'der', type: 'pkcs8' }),
    publicKey: toOpenSsh(publicKey, name),
    createdAt: '2025-01-02T03:04:05.678Z',
  };
}

const contentsOf = (id: BackupContents): BackupContents => ({
  name: id.name,
  privateKeyPkcs8: id.privateKeyPkcs8,
  publicKey: id.publicKey,
  createdAt: id.createdAt,
});

interface BackupJson {
  format: string;
  name: string;
  publicKey: string;
  createdAt: string;
  kdf: { name: string; N: number; r: number; p: number; salt: string };
  cipher: { name: string; iv: string; tag: string };
  sealed: string;
}

/** The backup format as documented, written independently of backup.ts. */
function sealBySpec(contents: BackupContents, passphrase: string): string {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const header = {
    format: BACKUP_FORMAT,
    name: contents.name,
    publicKey: contents.publicKey,
    createdAt: contents.createdAt,
    kdf: { name: 'scrypt', N: 131072, r: 8, p: 1, salt: salt.toString('base64') },
    cipher: { name: 'aes-256-gcm', iv: iv.toString('base64') },
  };
  const key = scryptSync(passphrase, salt, 32, { N: 131072, r: 8, p: 1, maxmem: 256 * 2 ** 20 });
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(canonicalJson(header)));
  const sealed = Buffer.concat([cipher.update(contents.privateKeyPkcs8), cipher.final()]);
  const tag = cipher.getAuthTag().toString('base64');
  return JSON.stringify({
    ...header,
    cipher: { ...header.cipher, tag },
    sealed: sealed.toString('base64'),
  });
}

async function refusal(work: Promise<unknown>): Promise<IdentityError> {
  const error = await work.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(IdentityError);
  const message = (error as IdentityError).message;
  expect(message).not.toContain(PASSPHRASE);
  return error as IdentityError;
}

describe('an identity backup', () => {
  const ada = identity();
  let text = '';
  let file: BackupJson;
  const edited = (edit: (json: BackupJson) => void): string => {
    const copy = JSON.parse(text) as BackupJson;
    edit(copy);
    return JSON.stringify(copy);
  };

  beforeAll(async () => {
    text = await sealBackup(contentsOf(ada), PASSPHRASE);
    file = JSON.parse(text) as BackupJson;
  });

  it('is JSON text in the documented shape, with nothing of the key or passphrase in clear', () => {
    expect(Object.keys(file)).toEqual([
      'format',
      'name',
      'publicKey',
      'createdAt',
      'kdf',
      'cipher',
      'sealed',
    ]);
    expect(file).toMatchObject({
      format: 'paddock-identity-backup/v1',
      name: 'Ada Lovelace',
      publicKey: ada.publicKey,
      createdAt: ada.createdAt,
      kdf: { name: 'scrypt', N: 131072, r: 8, p: 1 },
      cipher: { name: 'aes-256-gcm' },
    });
    expect(Buffer.from(file.kdf.salt, 'base64')).toHaveLength(16);
    expect(Buffer.from(file.cipher.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(file.cipher.tag, 'base64')).toHaveLength(16);
    expect(text.endsWith('}\n')).toBe(true);
    // The 32-byte seed is the PKCS#8 DER's last 32 bytes.
    const seed = ada.privateKeyPkcs8.subarray(-32);
    for (const spelling of [
      seed.toString('base64'),
      seed.toString('hex'),
      ada.privateKeyPkcs8.toString('base64'),
      PASSPHRASE,
    ])
      expect(text).not.toContain(spelling);
  });

  it('opens with its passphrase to exactly what was sealed', async () => {
    expect(await openBackup(text, PASSPHRASE)).toEqual(contentsOf(ada));
  });

  it('opens a file written to the documented format by another implementation', async () => {
    const grace = identity('Grace Hopper');
    expect(await openBackup(sealBySpec(grace, PASSPHRASE), PASSPHRASE)).toEqual(contentsOf(grace));
  });

  it('does not open with a wrong passphrase, and does not say what was tried', async () => {
    const error = await refusal(openBackup(text, 'correct horse battery stapler'));
    expect(error.kind).toBe('backup');
    expect(error.message).toMatch(
      /^This backup does not open: the passphrase is wrong, or the file was changed/,
    );
  });

  it('does not open once any authenticated field is changed', async () => {
    const other = identity('Mallory');
    const edits: Array<[string, (json: BackupJson) => void]> = [
      ['name', (json) => (json.name = 'Mallory')],
      ['publicKey', (json) => (json.publicKey = other.publicKey)],
      ['createdAt', (json) => (json.createdAt = '2020-01-01T00:00:00.000Z')],
      ['kdf.salt', (json) => (json.kdf.salt = randomBytes(16).toString('base64'))],
      ['cipher.iv', (json) => (json.cipher.iv = randomBytes(12).toString('base64'))],
      ['cipher.tag', (json) => (json.cipher.tag = randomBytes(16).toString('base64'))],
      [
        'sealed',
        (json) => {
          const sealed = Buffer.from(json.sealed, 'base64');
          sealed[5] = (sealed[5] ?? 0) ^ 1;
          json.sealed = sealed.toString('base64');
        },
      ],
    ];
    for (const [field, edit] of edits) {
      const error = await refusal(openBackup(edited(edit), PASSPHRASE));
      expect({ field, kind: error.kind }).toEqual({ field, kind: 'backup' });
      expect(error.message).toMatch(/does not open/);
    }
  }, 60_000);

  it('refuses cost parameters outside its bounds before running scrypt', async () => {
    for (const [N, r] of [
      [2 ** 20, 8],
      [131071, 8],
      [2 ** 10, 8],
      [131072, 16],
    ] as const) {
      const started = Date.now();
      const error = await refusal(
        openBackup(
          edited((json) => Object.assign(json.kdf, { N, r })),
          PASSPHRASE,
        ),
      );
      expect(error.message).toContain(`asks for scrypt N=${N}, r=${r}, p=1`);
      expect(Date.now() - started).toBeLessThan(100);
    }
  });

  it('refuses a file whose private key is not the public key it names', async () => {
    const grace = identity('Grace Hopper');
    const mixed = sealBySpec(
      { ...contentsOf(ada), privateKeyPkcs8: grace.privateKeyPkcs8 },
      PASSPHRASE,
    );
    const error = await refusal(openBackup(mixed, PASSPHRASE));
    expect(error.kind).toBe('backup');
    expect(error.message).toMatch(
      /^The private key in this backup does not match its public key: the key is SHA256:\S+, the public key says SHA256:\S+\. Nothing was imported\.$/,
    );
  });

  it('refuses a file sealing something that is not an Ed25519 key', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    const odd = sealBySpec(
      { ...contentsOf(ada), privateKeyPkcs8: rsa.export({ format: 'der', type: 'pkcs8' }) },
      PASSPHRASE,
    );
    expect((await refusal(openBackup(odd, PASSPHRASE))).message).toBe(
      'The private key in this backup is a rsa key, not an Ed25519 key.',
    );
  });

  it('says what is wrong with a file that is not a backup at all', async () => {
    const notJson = await refusal(openBackup('ssh-ed25519 AAAA…', PASSPHRASE));
    expect(notJson.kind).toBe('invalid');
    expect(notJson.message).toBe(
      'This is not a Paddock identity backup (it is not JSON). Give the file that `paddock identity export` wrote, unchanged.',
    );
    const missing = await refusal(
      openBackup(
        edited((json) => delete (json as Partial<BackupJson>).sealed),
        PASSPHRASE,
      ),
    );
    expect(missing.message).toMatch(/^This is not a Paddock identity backup \(sealed: /);
    const extra = await refusal(
      openBackup(
        edited((json) => Object.assign(json, { hint: 'x' })),
        PASSPHRASE,
      ),
    );
    expect(extra.message).toMatch(/not a Paddock identity backup .*hint/);
    const newer = await refusal(
      openBackup(
        edited((json) => (json.format = 'paddock-identity-backup/v2')),
        PASSPHRASE,
      ),
    );
    expect(newer.message).toMatch(
      /has format "paddock-identity-backup\/v2"; this Paddock reads paddock-identity-backup\/v1\. It was written by a newer Paddock/,
    );
  });

  it('refuses to seal under a short passphrase, or a key that is not the public key', async () => {
    const short = await refusal(sealBackup(contentsOf(ada), 'hunter2'));
    expect(short.message).toMatch(/at least 12 characters/);
    const grace = identity('Grace Hopper');
    const mixed = await refusal(
      sealBackup({ ...contentsOf(ada), privateKeyPkcs8: grace.privateKeyPkcs8 }, PASSPHRASE),
    );
    expect(mixed.message).toMatch(
      /^The private key in the identity to back up does not match its public key/,
    );
  });

  it('opens with the same passphrase however its accents were composed', async () => {
    const composed = 'Ça, c’est très sûr — vraiment';
    const sealed = await sealBackup(contentsOf(ada), composed.normalize('NFD'));
    expect((await openBackup(sealed, composed.normalize('NFC'))).publicKey).toBe(ada.publicKey);
  });
});
