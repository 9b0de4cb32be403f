/**
 * Loopback bridges. A sandbox has a network of its own with nothing in it, so an agent's
 * `http://127.0.0.1:PORT` would reach nothing. Inside, socat listens on each port Paddock names and
 * connects to a Unix socket bound in from the session's bridge directory, which Paddock itself
 * serves (the session's proxy, its hook endpoint, a local model's tunnel through the proxy).
 * Nothing of the host's own loopback is reachable.
 */
/**
 * The script that runs first inside the sandbox when there are bridges: one socat per port (killed
 * when the command ends, where util-linux's setpriv is there to ask for that), then a
 * wait until every port listens (so the agent's first call cannot arrive before its bridge), then
 * the agent in its place. Paths and ports come as arguments, never inside the script's text:
 *   sh -c SCRIPT paddock-bridge N SOCKET_1 PORT_1 ... SOCKET_N PORT_N AGENT ARGS...
 */
export const BRIDGE_SCRIPT = [
  'n=$1; shift; ports=""',
  // socat dies with the command (its parent once this shell execs it): the sandbox's init waits
  // for every process in it, so a socat left behind would keep the whole sandbox alive.
  'die=""; if command -v setpriv >/dev/null 2>&1; then die="setpriv --pdeathsig KILL"; fi',
  'while [ "$n" -gt 0 ]; do',
  '  $die socat "TCP-LISTEN:$2,bind=127.0.0.1,reuseaddr,fork" "UNIX-CONNECT:$1" </dev/null >/dev/null 2>&1 &',
  '  ports="$ports $(printf %04X "$2")"; shift 2; n=$((n - 1))',
  'done',
  // Read with the shell's own `read` and `case`: a grep per look would fork thousands of times.
  'listening() { while read -r _ local remote state _; do case "$local $remote $state" in "0100007F:$1 00000000:0000 0A") return 0;; esac; done < /proc/net/tcp; return 1; }',
  'for hex in $ports; do',
  '  tries=0',
  '  until listening "$hex"; do',
  '    tries=$((tries + 1))',
  '    if [ "$tries" -gt 100000 ]; then echo "paddock: the loopback bridge did not start" >&2; exit 125; fi',
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
