/**
 * The remote host of the proxy benchmark, in a process of its own: plain HTTP and HTTPS on
 * loopback, `/small` (two bytes), `/big?mb=N[&pace=P]` (N MiB, streamed, at P MiB/s if given) and
 * `/v1/messages` (a streamed Anthropic message with its usage, as the real API sends it). Prints
 * its ports as JSON.
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
  if (url.pathname === '/v1/messages') return void req.resume().once('end', () => message(res));
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

let messages = 0;

/** A short streamed answer, usage in message_start and message_delta. */
function message(res: ServerResponse): void {
  messages += 1;
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'request-id': `req_bench_${messages}`,
  });
  const usage = {
    input_tokens: 1200,
    cache_creation_input_tokens: 400,
    cache_read_input_tokens: 5000,
  };
  const events: Array<[string, object]> = [
    [
      'message_start',
      {
        message: {
          id: `msg_bench_${messages}`,
          model: 'claude-sonnet-4-5',
          usage: { ...usage, output_tokens: 1 },
        },
      },
    ],
    ['content_block_start', { index: 0, content_block: { type: 'text', text: '' } }],
    ['content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Hello.' } }],
    ['content_block_stop', { index: 0 }],
    ['message_delta', { delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 35 } }],
    ['message_stop', {}],
  ];
  for (const [type, data] of events)
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  res.end();
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
