/**
 * The host end of a loopback bridge. A sandbox has a network of its own with nothing in it, so an
 * agent's `http://127.0.0.1:PORT` (the hook endpoint, a local model server) would reach nothing.
 * Inside, socat listens on that port and connects to a Unix socket bound in from the session's
 * private directory; here, Paddock accepts on that socket and connects to the real port. Only the
 * ports Paddock names are bridged: nothing else of the host's loopback is reachable.
 */
import { rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface HostBridge {
  socket: string;
  port: number;
  close(): Promise<void>;
}

export async function openHostBridge(socket: string, port: number): Promise<HostBridge> {
  rmSync(socket, { force: true });
  const open = new Set<Socket>();
  const server: Server = createServer((inside) => {
    const host = connect(port, '127.0.0.1');
    for (const end of [inside, host]) {
      open.add(end);
      end.once('close', () => open.delete(end));
      // Either end failing ends both: nothing half-open is left behind.
      end.once('error', () => {
        inside.destroy();
        host.destroy();
      });
    }
    inside.pipe(host).pipe(inside);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, () => resolve());
  });
  return {
    socket,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const end of open) end.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * The script that runs first inside the sandbox when there are bridges: one socat per port, then a
 * wait until every port listens (so the agent's first call cannot arrive before its bridge), then
 * the agent in its place. Paths and ports come as arguments, never inside the script's text:
 *   sh -c SCRIPT paddock-bridge N SOCKET_1 PORT_1 ... SOCKET_N PORT_N AGENT ARGS...
 */
export const BRIDGE_SCRIPT = [
  'n=$1; shift; ports=""',
  'while [ "$n" -gt 0 ]; do',
  '  socat "TCP-LISTEN:$2,bind=127.0.0.1,reuseaddr,fork" "UNIX-CONNECT:$1" </dev/null >/dev/null 2>&1 &',
  '  ports="$ports $(printf %04X "$2")"; shift 2; n=$((n - 1))',
  'done',
  'for hex in $ports; do',
  '  tries=0',
  '  until grep -q "^ *[0-9]*: 0100007F:$hex 00000000:0000 0A" /proc/net/tcp; do',
  '    tries=$((tries + 1))',
  '    if [ "$tries" -gt 2000 ]; then echo "paddock: the loopback bridge did not start" >&2; exit 125; fi',
  '  done',
  'done',
  'exec "$@"',
].join('\n');

export function bridgeCommand(bridges: ReadonlyArray<{ socket: string; port: number }>): string[] {
  if (bridges.length === 0) return [];
  return [
    '/bin/sh',
    '-c',
    BRIDGE_SCRIPT,
    'paddock-bridge',
    String(bridges.length),
    ...bridges.flatMap((bridge) => [bridge.socket, String(bridge.port)]),
  ];
}
