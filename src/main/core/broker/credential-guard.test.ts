import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decoderFor, GuardRefusal, type GuardedRequest, type GuardPlan } from '../proxy';
import { CredentialGuard, type BoundSecret, type ExfiltrationAttempt } from './credential-guard';
import { PlaceholderSet } from './placeholders';

const VALUES: Record<string, string> = {
  GITHUB_TOKEN: 'ghp_REAL0123456789abcdef',
  STRIPE_KEY: 'sk_live_REAL/with+odd=chars',
};

function fixture(secrets: BoundSecret[]) {
  const placeholders = PlaceholderSet.forSecrets(Object.keys(VALUES));
  const attempts: ExfiltrationAttempt[] = [];
  let bound = secrets;
  const guard = new CredentialGuard({
    placeholders,
    secrets: () => bound,
    value: async (name) => VALUES[name] as string,
    onExfiltration: (attempt) => attempts.push(attempt),
  });
  const ph = (name: string) => placeholders.placeholderFor(name) as string;
  return { guard, attempts, ph, rebind: (next: BoundSecret[]) => (bound = next) };
}

const GITHUB: BoundSecret = {
  name: 'GITHUB_TOKEN',
  hosts: ['api.github.com'],
  header: 'Authorization: Bearer {}',
};
const STRIPE: BoundSecret = { name: 'STRIPE_KEY', hosts: ['*.stripe.com'], header: 'X-Key: {}' };

function request(overrides: Partial<GuardedRequest>): GuardedRequest {
  return {
    host: 'api.github.com',
    port: 443,
    method: 'GET',
    path: '/user',
    headers: {},
    secure: true,
    ...overrides,
  };
}

async function plan(guard: CredentialGuard, req: GuardedRequest): Promise<GuardPlan> {
  const verdict = await guard.check(req);
  if ('refuse' in verdict) throw new Error(`refused: ${verdict.refuse}`);
  return verdict;
}

function through(stream: NodeJS.ReadWriteStream, data: Buffer): Promise<Buffer> {
  return buffer(Readable.from([data]).pipe(stream));
}

describe('CredentialGuard', () => {
  it('adds the header from its template where the request has none, and says so', async () => {
    const { guard } = fixture([GITHUB]);
    const out = await plan(guard, request({ headers: { accept: 'application/json' } }));
    expect(out.headers.authorization).toBe(`Bearer ${VALUES.GITHUB_TOKEN}`);
    expect(out.headers['accept-encoding']).toBe('identity');
    expect(out.note).toBe('GITHUB_TOKEN: header added');
  });

  it('leaves a credential of the agent’s own alone, and swaps a placeholder wherever it is', async () => {
    const { guard, ph } = fixture([GITHUB, STRIPE]);
    const own = await plan(guard, request({ headers: { authorization: 'Bearer mine' } }));
    expect(own.headers.authorization).toBe('Bearer mine');
    const swapped = await plan(
      guard,
      request({
        host: 'api.stripe.com',
        path: `/v1/charges?key=${ph('STRIPE_KEY')}`,
        headers: { 'x-key': ph('STRIPE_KEY') },
      }),
    );
    expect(swapped.headers['x-key']).toBe(VALUES.STRIPE_KEY);
    // In the URL the value is escaped, so a / or + in it cannot change the path.
    expect(swapped.path).toBe(`/v1/charges?key=${encodeURIComponent(VALUES.STRIPE_KEY as string)}`);
    expect(swapped.note).toBe('STRIPE_KEY: placeholder replaced');
  });

  it('refuses a placeholder sent to a host its secret is not bound to, and records it', async () => {
    const { guard, attempts, ph } = fixture([GITHUB]);
    const verdict = await guard.check(
      request({ host: 'evil.example', path: `/x?t=${ph('GITHUB_TOKEN')}&u=1` }),
    );
    expect(verdict).toEqual({ refuse: expect.stringContaining('exfiltration attempt') });
    expect(attempts).toEqual([
      {
        secret: 'GITHUB_TOKEN',
        host: 'evil.example',
        port: 443,
        method: 'GET',
        path: '/x',
        where: 'path',
      },
    ]);
    // A secret with no hosts at all is bound nowhere: its placeholder may go nowhere.
    const nowhere = await guard.check(request({ headers: { 'x-s': ph('STRIPE_KEY') } }));
    expect(nowhere).toEqual({ refuse: expect.stringContaining('STRIPE_KEY') });
  });

  it('never sends a value in clear: nothing is added over plain HTTP, and a placeholder is refused', async () => {
    const { guard, attempts, ph } = fixture([GITHUB]);
    const plain = await plan(guard, request({ secure: false, port: 80 }));
    expect(plain.headers.authorization).toBeUndefined();
    const carried = await guard.check(
      request({ secure: false, headers: { authorization: `token ${ph('GITHUB_TOKEN')}` } }),
    );
    expect(carried).toEqual({ refuse: expect.stringContaining('over HTTPS only') });
    expect(attempts.at(-1)?.where).toBe('plain-http');
  });

  it('a secret removed mid-session is bound nowhere from then on', async () => {
    const { guard, ph, rebind } = fixture([GITHUB]);
    rebind([]);
    const verdict = await guard.check(
      request({ headers: { authorization: `Bearer ${ph('GITHUB_TOKEN')}` } }),
    );
    expect(verdict).toEqual({ refuse: expect.stringContaining('not bound') });
    expect(guard.bindsHost('api.github.com', 443)).toBe(false);
  });

  it('stops an upload at a placeholder for another host, even split across chunks', async () => {
    const { guard, attempts, ph } = fixture([GITHUB]);
    const out = await plan(guard, request({ host: 'uploads.example', method: 'POST' }));
    const upload = out.upload?.();
    expect(upload).toBeDefined();
    const body = `a=1&t=${ph('GITHUB_TOKEN')}`;
    const chunks = [body.slice(0, 10), body.slice(10, 20), body.slice(20)].map((c) =>
      Buffer.from(c),
    );
    const passed: string[] = [];
    upload?.on('data', (chunk: Buffer) => passed.push(chunk.toString()));
    const failed = new Promise<Error>((resolve) => upload?.on('error', resolve));
    for (const chunk of chunks) upload?.write(chunk);
    const error = await failed;
    expect(error).toBeInstanceOf(GuardRefusal);
    // Only what came before the placeholder's first byte was passed on.
    expect(passed.join('')).toBe('a=1&t=');
    expect(attempts).toEqual([expect.objectContaining({ where: 'body', method: 'POST' })]);
  });

  it('takes the values back out of a response, gzip-encoded or not', async () => {
    const { guard, ph } = fixture([GITHUB]);
    const out = await plan(guard, request({}));
    const download = out.download;
    expect(download).toBeDefined();
    const echoed = `{"auth":"Bearer ${VALUES.GITHUB_TOKEN}"}`;
    expect(download?.header(`Bearer ${VALUES.GITHUB_TOKEN}`)).toBe(`Bearer ${ph('GITHUB_TOKEN')}`);
    const plain = await through(download?.body() as NodeJS.ReadWriteStream, Buffer.from(echoed));
    expect(plain.toString()).toBe(`{"auth":"Bearer ${ph('GITHUB_TOKEN')}"}`);
    const gunzip = decoderFor('gzip');
    const decoded = await buffer(
      Readable.from([gzipSync(echoed)])
        .pipe(gunzip?.() as NodeJS.ReadWriteStream)
        .pipe(download?.body() as NodeJS.ReadWriteStream),
    );
    expect(decoded.toString()).not.toContain(VALUES.GITHUB_TOKEN);
    expect(decoderFor('compress')).toBeUndefined();
    expect(decoderFor(undefined)).toBeNull();
  });
});
