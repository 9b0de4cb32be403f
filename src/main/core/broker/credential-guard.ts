/**
 * The credential guard: what the session's proxy asks about every request it can read (plain
 * HTTP, and HTTPS on inspected hosts). It is the broker's half of the proxy's path:
 *
 * - a placeholder of this session found anywhere in a request (path, header names and values,
 *   upload) to a host its secret is not bound to is refused, and recorded as an exfiltration
 *   attempt; in an upload the request stops before the placeholder's first byte leaves;
 * - on a request over TLS to a secret's bound host, the real value takes the placeholder's place
 *   in the headers and the path, and when the request does not carry the secret's header at all,
 *   the header is added from its template (`Authorization: Bearer {}`): so a tool that knows
 *   nothing of Paddock works with the person's credential, and never holds it;
 * - whatever comes back on such a request has the value replaced by the placeholder again (an
 *   API that echoes headers must not hand the key to the agent);
 * - a secret is never sent in clear: over plain HTTP nothing is injected, and a placeholder for
 *   that host is refused.
 *
 * A placeholder in a request body to its own host is left as it is (the body keeps its length
 * and its framing); only headers and the path carry secrets out. Opaque tunnels (hosts that are
 * neither inspected nor bound to a secret) cannot be read: what a placeholder there reveals is
 * only that a secret of that name exists.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import {
  GuardRefusal,
  pathWithoutQuery,
  type GuardedRequest,
  type GuardVerdict,
  type RequestGuard,
  type ResponseFilter,
} from '../proxy';
import { boundTo } from './bindings';
import type { PlaceholderSet } from './placeholders';
import { redactAll, ValueRedactor, ValueStop, type Replacement } from './redact';

/** A vault secret as the guard needs it (the vault's index entry: no value). */
export interface BoundSecret {
  name: string;
  /** Host specs, as Network rules write them. */
  hosts: readonly string[];
  /** `Header-Name: text {} text`. */
  header: string;
}

export interface ExfiltrationAttempt {
  secret: string;
  host: string;
  port: number;
  method: string;
  /** The path without its query (the query may carry the placeholder, or worse). */
  path: string;
  where: 'path' | 'header' | 'body' | 'plain-http';
}

export interface CredentialGuardOptions {
  placeholders: PlaceholderSet;
  /** The vault's index as it is now: a secret removed mid-session is bound nowhere. */
  secrets: () => readonly BoundSecret[];
  /** The real value, asked for each request that carries it (a rotation applies at once). */
  value: (name: string) => Promise<string>;
  onExfiltration: (attempt: ExfiltrationAttempt) => void;
}

export class CredentialGuard implements RequestGuard {
  constructor(private readonly options: CredentialGuardOptions) {}

  /** Whether a secret of this session is bound to the host: its TLS must be opened to inject it. */
  bindsHost(host: string, port: number): boolean {
    return this.boundHere(host, port).length > 0;
  }

  async check(request: GuardedRequest): Promise<GuardVerdict> {
    const { placeholders } = this.options;
    const bound = this.boundHere(request.host, request.port);
    const boundNames = new Set(bound.map((secret) => secret.name));
    const carried = this.placeholdersIn(request);
    for (const { name, where } of carried) {
      if (!boundNames.has(name)) return this.refuse(request, name, where);
      if (!request.secure) return this.refuse(request, name, 'plain-http');
    }
    const path = request.path;
    const headers: OutgoingHttpHeaders = { ...request.headers };
    const upload = this.uploadStop(request, boundNames);
    if (!request.secure || bound.length === 0) return { path, headers, ...upload };
    const values = new Map<string, string>();
    for (const secret of bound) values.set(secret.name, await this.options.value(secret.name));
    const swaps: Replacement[] = bound.map((secret) => [
      placeholders.placeholderFor(secret.name) as string,
      values.get(secret.name) as string,
    ]);
    const injected = injectHeaders(headers, bound, values, swaps);
    const carriedNames = [...new Set(carried.map(({ name }) => name))].sort();
    if (carriedNames.length + injected.length === 0) return { path, headers, ...upload };
    // The response must be readable to take the values out of it.
    headers['accept-encoding'] = 'identity';
    return {
      path: swapPath(path, swaps),
      headers,
      ...upload,
      // Every bound value is taken out, not only those sent: a response may hold any of them.
      download: scrubbing(swaps),
      // The request's record names the secrets that went out (never their values).
      note: [
        ...carriedNames.map((name) => `${name}: placeholder replaced`),
        ...injected.map((name) => `${name}: header added`),
      ].join(', '),
    };
  }

  private boundHere(host: string, port: number): BoundSecret[] {
    return this.options
      .secrets()
      .filter(
        (secret) =>
          this.options.placeholders.placeholderFor(secret.name) !== undefined &&
          boundTo(secret.hosts, host, port),
      );
  }

  private placeholdersIn(
    request: GuardedRequest,
  ): Array<{ name: string; where: 'path' | 'header' }> {
    const { placeholders } = this.options;
    const found: Array<{ name: string; where: 'path' | 'header' }> = placeholders
      .findIn(request.path)
      .map(({ name }) => ({ name, where: 'path' }));
    for (const [header, value] of Object.entries(request.headers)) {
      const texts = [
        header,
        ...(value === undefined ? [] : Array.isArray(value) ? value : [value]),
      ];
      for (const text of texts)
        for (const { name } of placeholders.findIn(text)) found.push({ name, where: 'header' });
    }
    return found;
  }

  /** An upload filter that stops at any placeholder not bound to this host (or, in clear, any). */
  private uploadStop(
    request: GuardedRequest,
    boundNames: ReadonlySet<string>,
  ): { upload?: () => ValueStop } {
    const watched = [...this.options.placeholders.entries()].filter(
      ([, name]) => !request.secure || !boundNames.has(name),
    );
    if (watched.length === 0) return {};
    return {
      upload: () =>
        new ValueStop(
          watched.map(([placeholder]) => placeholder),
          (index) => {
            const name = (watched[index] as [string, string])[1];
            const where = boundNames.has(name) ? 'plain-http' : 'body';
            this.record(request, name, where);
            return new GuardRefusal(refusalText(name, request.host, where));
          },
        ),
    };
  }

  private refuse(
    request: GuardedRequest,
    name: string,
    where: ExfiltrationAttempt['where'],
  ): GuardVerdict {
    this.record(request, name, where);
    return { refuse: refusalText(name, request.host, where) };
  }

  private record(request: GuardedRequest, name: string, where: ExfiltrationAttempt['where']): void {
    this.options.onExfiltration({
      secret: name,
      host: request.host,
      port: request.port,
      method: request.method,
      path: pathWithoutQuery(request.path),
      where,
    });
  }
}

function refusalText(name: string, host: string, where: ExfiltrationAttempt['where']): string {
  if (where === 'plain-http')
    return `the placeholder for ${name} was sent to ${host} over plain HTTP; secrets go out over HTTPS only`;
  return `the placeholder for ${name} was sent to ${host}, which ${name} is not bound to: refused as an exfiltration attempt`;
}

/**
 * Puts the values into the headers: in place of their placeholders, and from each template
 * where the request lacks that header. Returns the names of the secrets added from a template.
 */
function injectHeaders(
  headers: OutgoingHttpHeaders,
  bound: readonly BoundSecret[],
  values: ReadonlyMap<string, string>,
  swaps: readonly Replacement[],
): string[] {
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') headers[name] = redactAll(value, swaps);
    else if (Array.isArray(value)) headers[name] = value.map((text) => redactAll(text, swaps));
  }
  const added: string[] = [];
  for (const secret of bound) {
    const colon = secret.header.indexOf(':');
    const header = secret.header.slice(0, colon).toLowerCase();
    if (headers[header] !== undefined) continue;
    const template = secret.header.slice(colon + 1).trim();
    headers[header] = template.replace('{}', () => values.get(secret.name) as string);
    added.push(secret.name);
  }
  return added;
}

/** The path with placeholders replaced by their values, URL-encoded (the path is a URL). */
function swapPath(path: string, swaps: readonly Replacement[]): string {
  return redactAll(
    path,
    swaps.map(([placeholder, value]) => [placeholder, encodeURIComponent(value)]),
  );
}

/** The values of the used secrets, replaced by their placeholders in the response. */
function scrubbing(swaps: readonly Replacement[]): ResponseFilter {
  const back: Replacement[] = swaps.map(([placeholder, value]) => [value, placeholder]);
  return { header: (text) => redactAll(text, back), body: () => new ValueRedactor(back) };
}
