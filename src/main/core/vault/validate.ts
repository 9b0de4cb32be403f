/**
 * What the vault accepts: names, values, host specs and header templates. Every refusal says what
 * was expected; none repeats a value (only names, hosts and headers, which are not secret).
 */
import { parseRule } from '../policy';
import {
  DEFAULT_SECRET_HEADER,
  MAX_HEADER_TEMPLATE,
  MAX_SECRET_BYTES,
  MAX_SECRET_HOSTS,
  SECRET_NAME,
} from '../../../shared/vault';
import { VaultError } from './errors';

/**
 * A refused name is described, not repeated: a value pasted where the name goes must not end up in
 * an error message (and from there in a log).
 */
export function checkName(name: unknown): string {
  if (typeof name === 'string' && SECRET_NAME.test(name)) return name;
  const why =
    typeof name !== 'string'
      ? 'it is not text'
      : name === ''
        ? 'it is empty'
        : name.length > 64
          ? `it is ${name.length} characters long`
          : !/^[A-Z]/.test(name)
            ? 'it does not start with an upper-case letter'
            : /[a-z]/.test(name)
              ? 'it has lower-case letters'
              : 'it has characters other than A-Z, 0-9 and _';
  throw new VaultError(
    'invalid',
    `That is not a secret name (${why}): a name is an upper-case letter, then up to 63 upper-case letters, digits and underscores, like OPENAI_API_KEY.`,
  );
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The messages describe the value's shape only, never its content. */
export function checkValue(value: unknown): string {
  if (typeof value !== 'string') throw new VaultError('invalid', 'A secret value is text.');
  if (value === '') throw new VaultError('invalid', 'The secret value is empty.');
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > MAX_SECRET_BYTES)
    throw new VaultError(
      'invalid',
      `The secret value is ${bytes} bytes; the vault keeps values of at most ${MAX_SECRET_BYTES} bytes (16 KiB).`,
    );
  if (/[\0\r\n]/.test(value))
    throw new VaultError(
      'invalid',
      'The secret value contains a NUL, carriage return or newline; a value is one line (a trailing newline from stdin is already stripped).',
    );
  if (LONE_SURROGATE.test(value))
    throw new VaultError('invalid', 'The secret value is not valid Unicode text.');
  return value;
}

/**
 * Host specs as in Network rules, parsed by the policy's own parser so a secret's hosts mean what a
 * rule's do. Returned in canonical form (lower case, punycode), without repeats.
 */
export function checkHosts(hosts: readonly unknown[]): string[] {
  if (hosts.length > MAX_SECRET_HOSTS)
    throw new VaultError(
      'invalid',
      `A secret is bound to at most ${MAX_SECRET_HOSTS} hosts (${hosts.length} given).`,
    );
  const canonical = hosts.map(checkHost);
  return [...new Set(canonical)];
}

export function checkHost(spec: unknown): string {
  const example = 'like api.example.com, *.example.com or api.example.com:8443';
  if (typeof spec !== 'string' || spec.trim() === '')
    throw new VaultError('invalid', `A host is a name ${example}.`);
  const text = spec.trim();
  const parsed = parseRule(`Network(${text})`);
  if (!parsed.ok) {
    const why = /\(([^()]*)\)$/.exec(parsed.problem)?.[1];
    throw new VaultError(
      'invalid',
      `"${shown(text)}" is not a host ${example}${why ? ` (${why})` : ''}.`,
    );
  }
  const matcher = parsed.rule.matcher;
  if (!matcher || matcher.kind !== 'host')
    throw new VaultError('invalid', `"${shown(text)}" is not a host ${example}.`);
  if (matcher.method !== undefined || matcher.path !== undefined)
    throw new VaultError(
      'invalid',
      `"${shown(text)}" names a method or a path; a secret's host is host[:port] alone, ${example}.`,
    );
  const host = matcher.host.includes(':') ? `[${matcher.host}]` : matcher.host;
  return `${matcher.subdomains ? '*.' : ''}${host}${matcher.port === undefined ? '' : `:${matcher.port}`}`;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers that frame the request itself: a secret there would break it, or smuggle another. */
const FRAMING_HEADERS = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'upgrade',
]);

/** `Header-Name: text {} text`, with exactly one `{}`; returned as `Name: text`. */
export function checkHeader(template: unknown = DEFAULT_SECRET_HEADER): string {
  const example = 'like "Authorization: Bearer {}" or "x-api-key: {}"';
  if (typeof template !== 'string') throw new VaultError('invalid', `A header is text ${example}.`);
  if (template.length > MAX_HEADER_TEMPLATE)
    throw new VaultError(
      'invalid',
      `The header template is ${template.length} characters; at most ${MAX_HEADER_TEMPLATE}.`,
    );
  const colon = template.indexOf(':');
  const name = colon === -1 ? '' : template.slice(0, colon);
  const text = colon === -1 ? '' : template.slice(colon + 1).trim();
  if (!HEADER_NAME.test(name))
    throw new VaultError(
      'invalid',
      `That is not a header template ${example}: it starts with a header name (letters, digits and !#$%&'*+.^_\`|~-) and a colon.`,
    );
  if (FRAMING_HEADERS.has(name.toLowerCase()))
    throw new VaultError(
      'invalid',
      `A secret cannot go in the ${name} header, which frames the request itself; use the header the API reads its key from, ${example}.`,
    );
  if (/[^\t\x20-\x7e]/.test(text))
    throw new VaultError(
      'invalid',
      `The ${name} header template has a control or non-ASCII character after the name; it is one line of plain ASCII.`,
    );
  const marks = text.split('{}').length - 1;
  if (marks !== 1)
    throw new VaultError(
      'invalid',
      `The ${name} header template has ${marks === 0 ? 'no' : marks} {}; it needs exactly one, where the value goes, ${example}.`,
    );
  return `${name}: ${text}`;
}

/** A host as it appears in a message: cut short, control characters escaped. */
function shown(text: string): string {
  const cut = text.length > 80 ? `${text.slice(0, 79)}…` : text;
  // eslint-disable-next-line no-control-regex
  return cut.replace(/[\x00-\x1f\x7f"\\]/g, (c) => JSON.stringify(c).slice(1, -1));
}
