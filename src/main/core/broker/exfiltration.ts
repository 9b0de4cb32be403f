/**
 * The exfiltration check for requests that leave through the proxy: a placeholder belongs to
 * its secret's bound hosts, and one found in a request to any other host is an exfiltration
 * attempt (the request is refused and recorded). Pure: the proxy hands in what it saw.
 */
import { hostMatches, parseRule } from '../policy';
import type { PlaceholderSet } from './placeholders';

export interface OutboundRequest {
  /** The host the request goes to, as the proxy decided it. */
  host: string;
  /** Its port, for bindings that name one (`api.example.com:8443`). */
  port?: number;
  /** The request target (path and query): a placeholder in a query string counts too. */
  path?: string;
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** As much of the body as the proxy has read, if any. */
  bodyPrefix?: Buffer | string;
}

/** Secret name → the host specs it is bound to (`api.example.com`, `*.example.com`, `:port`). */
export type SecretBindings =
  ReadonlyMap<string, readonly string[]> | Readonly<Record<string, readonly string[]>>;

/**
 * Why the request must be refused, or null. Every placeholder of the set found in the path,
 * the headers (names and values) or the body prefix must be bound to the request's host.
 */
export function placeholderProblem(
  request: OutboundRequest,
  set: PlaceholderSet,
  bindings: SecretBindings,
): string | null {
  if (set.size === 0) return null;
  const texts: (string | Buffer)[] = [];
  if (request.path !== undefined) texts.push(request.path);
  for (const [name, value] of Object.entries(request.headers)) {
    texts.push(name);
    if (typeof value === 'string') texts.push(value);
    else if (value !== undefined) texts.push(...value);
  }
  if (request.bodyPrefix !== undefined) texts.push(request.bodyPrefix);
  const names = new Set<string>();
  for (const text of texts) for (const { name } of set.findIn(text)) names.add(name);
  for (const name of [...names].sort()) {
    if (!boundTo(hostsOf(bindings, name), request.host, request.port))
      return `placeholder for ${name} sent to ${request.host}: an exfiltration attempt`;
  }
  return null;
}

function hostsOf(bindings: SecretBindings, name: string): readonly string[] {
  if (bindings instanceof Map) return bindings.get(name) ?? [];
  return Object.hasOwn(bindings, name)
    ? ((bindings as Record<string, readonly string[]>)[name] ?? [])
    : [];
}

/** Whether a host spec (in Network rule form, as the vault keeps them) covers host and port. */
export function boundTo(specs: readonly string[], host: string, port?: number): boolean {
  return specs.some((spec) => {
    const parsed = parseRule(`Network(${spec})`);
    const matcher = parsed.ok ? parsed.rule.matcher : undefined;
    return matcher?.kind === 'host' && hostMatches(matcher, host, port);
  });
}
