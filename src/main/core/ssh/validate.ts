/**
 * What a host record accepts. Every refusal says what was expected; none repeats a private key, and
 * other values are shown cut short with control characters escaped, since they end up in a terminal.
 */
import { isIP } from 'node:net';
import { utils } from 'ssh2';
import { DEFAULT_SSH_PORT, SSH_FINGERPRINT, SSH_HOST_NAME, SSH_USER } from '../../../shared/ssh';
import { MAX_SECRET_BYTES } from '../../../shared/vault';
import { SshError } from './errors';

/** The key goes to the vault in base64, which must fit the vault's largest value. */
export const MAX_PRIVATE_KEY_BYTES = Math.floor((MAX_SECRET_BYTES / 4) * 3) - 16;

export function checkHostName(name: unknown): string {
  if (typeof name === 'string' && SSH_HOST_NAME.test(name)) return name;
  throw new SshError(
    'invalid',
    `${described(name)} is not a host name: a name is 1 to 32 lower-case letters, digits, ".", "_" and "-", starting with a letter or digit, like staging or build-01.`,
  );
}

const DNS_LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/** A DNS name or an IP address; brackets around an IPv6 address are dropped. */
export function checkAddress(address: unknown): string {
  const text = typeof address === 'string' ? address.trim().replace(/^\[(.*)\]$/, '$1') : '';
  if (isIP(text) !== 0) return text;
  const labels = text.replace(/\.$/, '').split('.');
  if (text.length > 0 && text.length <= 253 && labels.every((label) => DNS_LABEL.test(label)))
    return text.replace(/\.$/, '').toLowerCase();
  throw new SshError(
    'invalid',
    `${described(address)} is not a host address: give a DNS name (staging.example.com) or an IP address (10.0.0.5, ::1), without a user or a port.`,
  );
}

export function checkPort(port: unknown = DEFAULT_SSH_PORT): number {
  const value = typeof port === 'string' && /^\d{1,5}$/.test(port) ? Number(port) : port;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65_535)
    return value;
  throw new SshError('invalid', `${described(port)} is not a port: a port is 1 to 65535.`);
}

export function checkUser(user: unknown): string {
  if (typeof user === 'string' && SSH_USER.test(user)) return user;
  throw new SshError(
    'invalid',
    `${described(user)} is not a login name: letters, digits, ".", "_" and "-", at most 32, not starting with "-" or ".".`,
  );
}

/** `SHA256:` and 43 characters of base64, as `ssh-keygen -lf` and `ssh` print it. */
export function checkFingerprint(fingerprint: unknown): string {
  // ssh-keygen prints no padding, but a copy from elsewhere may have it.
  const text = typeof fingerprint === 'string' ? fingerprint.trim().replace(/=$/, '') : '';
  if (SSH_FINGERPRINT.test(text)) return text;
  throw new SshError(
    'invalid',
    `${described(fingerprint)} is not a host key fingerprint: it looks like SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s, as \`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub\` prints it on the host.`,
  );
}

/**
 * A private key ssh2 can use, unencrypted. The messages describe the text's shape only: a key
 * pasted in the wrong place must not end up in an error message, and from there in a log.
 */
export function checkPrivateKey(text: unknown): string {
  if (typeof text !== 'string' || text.trim() === '')
    throw new SshError(
      'invalid',
      'No private key: pipe it in, as in `paddock ssh add NAME … < ~/.ssh/id_ed25519`.',
    );
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_PRIVATE_KEY_BYTES)
    throw new SshError(
      'invalid',
      `The private key is ${bytes} bytes; Paddock keeps keys of at most ${MAX_PRIVATE_KEY_BYTES} bytes (an Ed25519 or RSA 4096 key is far smaller).`,
    );
  const parsed = utils.parseKey(text);
  if (parsed instanceof Error) throw unreadableKey(parsed);
  const keys = Array.isArray(parsed) ? parsed : [parsed];
  if (keys.length !== 1 || !keys[0]?.isPrivateKey())
    throw new SshError(
      'invalid',
      'That is not one private key: give the private half (id_ed25519, not id_ed25519.pub), one key only.',
    );
  return text;
}

function unreadableKey(error: Error): SshError {
  if (/encrypted|passphrase/i.test(error.message))
    return new SshError(
      'invalid',
      'This private key is encrypted with a passphrase, and Paddock connects unattended, so it cannot ask for one: the OS keychain is what protects the key here. Give Paddock a key without a passphrase (a dedicated one is best: ssh-keygen -t ed25519 -N "" -f KEY, then add KEY.pub to the host’s authorized_keys).',
    );
  return new SshError(
    'invalid',
    'That is not a private key Paddock can read: give an OpenSSH or PEM private key (RSA, ECDSA or Ed25519), as ssh-keygen writes it.',
  );
}

/** A refused value as shown in a message: cut short, control characters escaped. */
function described(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') return 'That';
  if (value === '') return 'An empty value';
  const cut = value.length > 60 ? `${value.slice(0, 59)}…` : value;
  return JSON.stringify(cut);
}
