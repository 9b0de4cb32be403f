/**
 * A passphrase-sealed backup of an identity, as JSON text a person can keep in a file:
 *
 *   { "format": "paddock-identity-backup/v1", "name", "publicKey", "createdAt",
 *     "kdf": { "name": "scrypt", "N": 131072, "r": 8, "p": 1, "salt": b64 },
 *     "cipher": { "name": "aes-256-gcm", "iv": b64, "tag": b64 },
 *     "sealed": b64 }
 *
 * `sealed` is the PKCS#8 DER private key under AES-256-GCM, keyed by scrypt of the passphrase. The
 * GCM additional data is the RFC 8785 canonical JSON of the header (everything but `sealed` and
 * `cipher.tag`), so changing the name, the public key, the time or a parameter makes the file fail
 * to open, as a wrong passphrase does. Nothing in an error message comes from the passphrase.
 */
import {
  createCipheriv,
  createDecipheriv,
  randomBytes,
  scrypt,
  type BinaryLike,
  type ScryptOptions,
} from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../store';
import { IdentityError } from './errors';
import { fingerprintOfPrivate, privateKeyFromPkcs8 } from './keys';
import { parseOpenSshEd25519 } from './openssh';

export const BACKUP_FORMAT = 'paddock-identity-backup/v1';
/** The contract asks this much of an export's passphrase; a backup is only as strong as it. */
export const MIN_PASSPHRASE_LENGTH = 12;

/** What a backup holds. */
export interface BackupContents {
  name: string;
  privateKeyPkcs8: Buffer;
  /** OpenSSH form: `ssh-ed25519 AAAA… name`. */
  publicKey: string;
  createdAt: string;
}

/** scrypt at N = 2^17, r = 8 costs 128 MiB and about half a second: dear for a guesser. */
const SCRYPT = { N: 2 ** 17, r: 8, p: 1 } as const;
/** The most a backup may ask of scrypt when opened, so a crafted file cannot exhaust memory. */
const MAX_SCRYPT_N = 2 ** 17;
const MIN_SCRYPT_N = 2 ** 14;
/** Node refuses scrypt above maxmem (32 MiB by default); 128 × N × r plus headroom. */
const SCRYPT_MAXMEM = 256 * 1024 * 1024;
const KEY_BYTES = 32;
const SALT_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;

const base64 = z.base64();
const backupSchema = z.strictObject({
  format: z.literal(BACKUP_FORMAT),
  name: z.string().min(1).max(200),
  publicKey: z.string().min(1).max(1000),
  createdAt: z.string().min(1).max(100),
  kdf: z.strictObject({
    name: z.literal('scrypt'),
    N: z.number().int(),
    r: z.number().int(),
    p: z.number().int(),
    salt: base64,
  }),
  cipher: z.strictObject({ name: z.literal('aes-256-gcm'), iv: base64, tag: base64 }),
  sealed: base64,
});
type BackupFile = z.infer<typeof backupSchema>;
/** What the GCM additional data covers: every field but the ciphertext and its tag. */
type BackupHeader = Omit<BackupFile, 'sealed' | 'cipher'> & {
  cipher: Omit<BackupFile['cipher'], 'tag'>;
};

/** Seals `contents` under `passphrase`; the text is safe to keep anywhere the passphrase is not. */
export async function sealBackup(contents: BackupContents, passphrase: string): Promise<string> {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH)
    throw new IdentityError(
      'invalid',
      `A backup's passphrase must be at least ${MIN_PASSPHRASE_LENGTH} characters long: the backup is only as hard to open as the passphrase is to guess.`,
    );
  checkKeyMatches(contents.privateKeyPkcs8, contents.publicKey, 'the identity to back up');
  const salt = randomBytes(SALT_BYTES);
  const iv = randomBytes(IV_BYTES);
  const header: BackupHeader = {
    format: BACKUP_FORMAT,
    name: contents.name,
    publicKey: contents.publicKey,
    createdAt: contents.createdAt,
    kdf: { name: 'scrypt', ...SCRYPT, salt: salt.toString('base64') },
    cipher: { name: 'aes-256-gcm', iv: iv.toString('base64') },
  };
  const key = await deriveKey(passphrase, salt, SCRYPT);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(canonicalJson(header), 'utf8'));
  const sealed = Buffer.concat([cipher.update(contents.privateKeyPkcs8), cipher.final()]);
  const file: BackupFile = {
    ...header,
    cipher: { ...header.cipher, tag: cipher.getAuthTag().toString('base64') },
    sealed: sealed.toString('base64'),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** Opens a backup written by sealBackup; refuses a wrong passphrase and any altered field. */
export async function openBackup(text: string, passphrase: string): Promise<BackupContents> {
  const file = readBackupFile(text);
  const salt = Buffer.from(file.kdf.salt, 'base64');
  const iv = Buffer.from(file.cipher.iv, 'base64');
  const tag = Buffer.from(file.cipher.tag, 'base64');
  checkSealingParameters(file, salt, iv, tag);
  const key = await deriveKey(passphrase, salt, file.kdf);
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(canonicalJson(headerOf(file)), 'utf8'));
  decipher.setAuthTag(tag);
  let privateKeyPkcs8: Buffer;
  try {
    const sealed = Buffer.from(file.sealed, 'base64');
    privateKeyPkcs8 = Buffer.concat([decipher.update(sealed), decipher.final()]);
  } catch {
    throw new IdentityError(
      'backup',
      'This backup does not open: the passphrase is wrong, or the file was changed after it was written (its name, public key, creation time, parameters or sealed key). Nothing was imported.',
    );
  }
  checkKeyMatches(privateKeyPkcs8, file.publicKey, 'this backup');
  return {
    name: file.name,
    privateKeyPkcs8,
    publicKey: file.publicKey,
    createdAt: file.createdAt,
  };
}

/** The parsed, shape-checked file, or an error that says why it is not a backup this Paddock reads. */
function readBackupFile(text: string): BackupFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw notABackup('it is not JSON');
  }
  const format = (json as { format?: unknown } | null)?.format;
  if (typeof format === 'string' && format !== BACKUP_FORMAT && format.startsWith('paddock-'))
    throw new IdentityError(
      'invalid',
      `This backup has format ${JSON.stringify(format.slice(0, 60))}; this Paddock reads ${BACKUP_FORMAT}. It was written by a newer Paddock: import it there.`,
    );
  const parsed = backupSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'the file';
    throw notABackup(`${where}: ${issue?.message ?? 'unexpected shape'}`);
  }
  return parsed.data;
}

function notABackup(why: string): IdentityError {
  return new IdentityError(
    'invalid',
    `This is not a Paddock identity backup (${why}). Give the file that \`paddock identity export\` wrote, unchanged.`,
  );
}

/** Bounds on what an untrusted file may ask of scrypt and AES-GCM before any work is done. */
function checkSealingParameters(file: BackupFile, salt: Buffer, iv: Buffer, tag: Buffer): void {
  const { N, r, p } = file.kdf;
  const powerOfTwo = N > 1 && (N & (N - 1)) === 0;
  if (!powerOfTwo || N < MIN_SCRYPT_N || N > MAX_SCRYPT_N || r !== SCRYPT.r || p !== SCRYPT.p)
    throw new IdentityError(
      'backup',
      `This backup asks for scrypt N=${N}, r=${r}, p=${p}; Paddock opens backups with N a power of two from ${MIN_SCRYPT_N} to ${MAX_SCRYPT_N}, r=${SCRYPT.r} and p=${SCRYPT.p}. The file was altered, or written by another program.`,
    );
  if (salt.length < SALT_BYTES || iv.length !== IV_BYTES || tag.length !== TAG_BYTES)
    throw new IdentityError(
      'backup',
      `This backup's salt, IV or tag has the wrong length (${salt.length}, ${iv.length} and ${tag.length} bytes; expected at least ${SALT_BYTES}, ${IV_BYTES} and ${TAG_BYTES}). The file was altered.`,
    );
}

/** The file's header, as sealBackup authenticated it. */
function headerOf(file: BackupFile): BackupHeader {
  return {
    format: file.format,
    name: file.name,
    publicKey: file.publicKey,
    createdAt: file.createdAt,
    kdf: file.kdf,
    cipher: { name: file.cipher.name, iv: file.cipher.iv },
  };
}

/** The private key must be the one the public key names, or the backup would restore a lie. */
function checkKeyMatches(privateKeyPkcs8: Buffer, publicKey: string, where: string): void {
  const privateKey = privateKeyFromPkcs8(privateKeyPkcs8, 'backup', where);
  const expected = publicFingerprint(publicKey, where);
  const actual = fingerprintOfPrivate(privateKey);
  if (actual !== expected)
    throw new IdentityError(
      'backup',
      `The private key in ${where} does not match its public key: the key is ${actual}, the public key says ${expected}. Nothing was imported.`,
    );
}

function publicFingerprint(publicKey: string, where: string): string {
  try {
    return parseOpenSshEd25519(publicKey).fingerprint;
  } catch (error) {
    const why = error instanceof IdentityError ? error.message : String(error);
    throw new IdentityError('invalid', `The public key in ${where} is not usable. ${why}`);
  }
}

/**
 * The AES key. The passphrase is NFC-normalised first, so the same words typed on systems that
 * compose accents differently (macOS hands over NFD) open the same backup.
 */
function deriveKey(
  passphrase: string,
  salt: Buffer,
  cost: { N: number; r: number; p: number },
): Promise<Buffer> {
  const options: ScryptOptions = { ...cost, maxmem: SCRYPT_MAXMEM };
  return scryptAsync(Buffer.from(passphrase.normalize('NFC'), 'utf8'), salt, options);
}

/** Asynchronous, so the half second scrypt takes does not stall the event loop. */
function scryptAsync(password: BinaryLike, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEY_BYTES, options, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}
