/**
 * One SSH connection with ssh2, its host key checked before anything else happens: the verifier
 * decides (see service.ts), and any doubt, error or exception refuses the connection.
 */
import { createHash } from 'node:crypto';
import { Client } from 'ssh2';
import type { SshHost } from '../../../shared/ssh';
import { SshError } from './errors';

/** True to go on; throws an SshError (that the connect call then rejects with) to refuse. */
export type HostKeyCheck = (fingerprint: string) => Promise<true>;

export const CONNECT_TIMEOUT_MS = 15_000;
/** A dead peer is noticed within about a minute, so a pooled connection does not hang a command. */
const KEEPALIVE_MS = 15_000;

/** `SHA256:` and the unpadded base64 of SHA-256 over the key's wire blob, as `ssh-keygen -lf` prints. */
export function fingerprintOfBlob(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

export function openConnection(
  host: SshHost,
  privateKey: string,
  check: HostKeyCheck,
  timeoutMs = CONNECT_TIMEOUT_MS,
): Promise<Client> {
  const client = new Client();
  let refusal: unknown = null;
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => {
      client.end();
      reject(refusal ?? connectError(host, error));
    };
    client.once('ready', () => {
      client.off('error', fail);
      // A later failure (the host gone, a reset) ends in 'close', which the pool hears; unheard, an
      // 'error' event would take the whole process down.
      client.on('error', () => undefined);
      // Commands are small packets each way: with Nagle's algorithm meeting delayed ACKs, every
      // command on loopback took 50 ms instead of 10.
      client.setNoDelay(true);
      resolve(client);
    });
    client.once('error', fail);
    client.connect({
      host: host.address,
      port: host.port,
      username: host.user,
      privateKey,
      readyTimeout: timeoutMs,
      keepaliveInterval: KEEPALIVE_MS,
      hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
        check(fingerprintOfBlob(key)).then(
          () => verify(true),
          (error: unknown) => {
            refusal = error;
            verify(false);
          },
        );
      },
    });
  });
}

function connectError(host: SshHost, error: Error & { level?: string }): SshError {
  const where = `${host.user}@${host.address}:${host.port}`;
  if (error.level === 'client-authentication')
    return new SshError(
      'connect',
      `${where} refused the login with ${host.name}'s key: add its public half to ~${host.user}/.ssh/authorized_keys on the host.`,
    );
  if (/timed out/i.test(error.message))
    return new SshError('connect', `${where} did not answer in time (${error.message}).`);
  return new SshError('connect', `Could not connect to ${where}: ${error.message}.`);
}
