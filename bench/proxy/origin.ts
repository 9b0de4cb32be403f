/**
 * The remote host of the proxy benchmark, in a process of its own: plain HTTP and HTTPS on
 * loopback, `/small` (two bytes) and `/big?mb=N[&pace=P]` (N MiB, streamed, at P MiB/s if given). Prints its ports as JSON.
 * argv: CERT_FILE KEY_FILE
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

const MIB = Buffer.alloc(1024 * 1024, 0x61);

function serve(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://origin');
  if (url.pathname === '/small') return void res.end('ok');
  const mib = Number(url.searchParams.get('mb') ?? '1');
  // A pace in MiB/s stands in for a real link; without one, as fast as loopback goes.
  const pace = Number(url.searchParams.get('pace') ?? '0');
  const started = performance.now();
  res.writeHead(200, { 'content-length': String(mib * MIB.length) });
  let sent = 0;
  const pump = (): void => {
    while (sent < mib) {
      const due = pace > 0 ? started + (sent / pace) * 1000 : 0;
      if (performance.now() < due) return void setTimeout(pump, due - performance.now());
      sent += 1;
      if (!res.write(MIB)) return void res.once('drain', pump);
    }
    res.end();
  };
  pump();
}

const [certFile = '', keyFile = ''] = process.argv.slice(2);
const plain = createServer(serve);
const secure = createTlsServer(
  { cert: readFileSync(certFile), key: readFileSync(keyFile), ALPNProtocols: ['http/1.1'] },
  serve,
);
plain.keepAliveTimeout = 0;
let listening = 0;
const ready = (): void => {
  listening += 1;
  if (listening < 2) return;
  const port = (server: typeof plain | typeof secure) => (server.address() as AddressInfo).port;
  process.stdout.write(`${JSON.stringify({ http: port(plain), https: port(secure) })}\n`);
};
plain.listen(0, '127.0.0.1', ready);
secure.listen(0, '127.0.0.1', ready);
