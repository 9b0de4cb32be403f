/**
 * Permission rules in the syntax people know from Claude Code: `Tool` or `Tool(specifier)`.
 *
 * A rule is parsed once, when the policy loads, into a small matcher; a malformed rule is refused
 * there with what was expected, never guessed at. Matching a request is then plain data work. Bash
 * rules are matched word by word against the parsed command (see decide.ts), never against the raw
 * text, so `Bash(npm test:*)` cannot be stretched over `npm test && rm -rf /`.
 *
 * Paths: `./src/**` and `src/**` are relative to the workspace, `~/x` to the person's home, `//etc/x`
 * is absolute (Claude Code's convention); a single leading `/` is refused as ambiguous, and `..` is
 * refused everywhere. A path without wildcards covers that path and everything under it.
 *
 * Network rules name `host[:port]`, optionally with an HTTP method before and a URL path after:
 * `Network(POST api.github.com/gists)`. Method and path are seen only on plain HTTP and on hosts the
 * proxy inspects; a host any such rule names is inspected (see `inspectsHost`).
 */
import { posix } from 'node:path';
import { SSH_HOST_NAME } from '../../../shared/ssh';

export type RuleMatcher =
  | { kind: 'command'; words: readonly string[]; prefix: boolean }
  | { kind: 'path'; base: 'workspace' | 'home' | 'root'; pattern: string; regex: RegExp }
  | {
      kind: 'host';
      host: string;
      subdomains: boolean;
      port?: number;
      /** Network rules only: an HTTP method and a path glob, seen where the proxy inspects. */
      method?: string;
      path?: { pattern: string; regex: RegExp };
    }
  | { kind: 'mcp'; server: string; tool?: string }
  /** Ssh rules: a host (`*` for any) and the command there, as a Bash rule's words (none: any). */
  | { kind: 'ssh'; host: string; command?: Extract<RuleMatcher, { kind: 'command' }> };

export interface Rule {
  /** The rule as written, e.g. `Bash(npm test:*)`. */
  readonly text: string;
  readonly tool: string;
  /** Absent for a bare tool name, which matches every request to that tool. */
  readonly matcher?: RuleMatcher;
}

export type ParsedRule = { ok: true; rule: Rule } | { ok: false; problem: string };

const EXAMPLES: Record<string, string> = {
  Bash: 'Bash(npm test:*)',
  Read: 'Read(./src/**)',
  Edit: 'Edit(./docs/**)',
  Write: 'Write(./out/**)',
  WebFetch: 'WebFetch(domain:docs.python.org)',
  Network: 'Network(*.example.com:443)',
  Mcp: 'Mcp(server:tool)',
  Ssh: 'Ssh(staging:systemctl status *)',
};

const MAX_RULE_LENGTH = 1000;
const TOOL_NAME = /^[A-Z][A-Za-z0-9]*$/;
/** A plain word of a Bash rule: no quoting, variables, globs or shell operators. */
const COMMAND_WORD = /^[A-Za-z0-9_@%+=:,./-][A-Za-z0-9_@%+=:,./~^-]*$/;
const HOST_LABELS = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/;
const MCP_NAME = /^[A-Za-z0-9_.-]+$/;

export function parseRule(text: string): ParsedRule {
  const shape = /^([A-Za-z][A-Za-z0-9]*)(?:\((.*)\))?$/s.exec(text);
  const tool = /^[A-Za-z][A-Za-z0-9]*/.exec(text)?.[0];
  const expected = (detail?: string): ParsedRule => ({
    ok: false,
    problem: `expected a rule like ${(tool && EXAMPLES[tool]) ?? 'Bash(npm test:*) or Read(./src/**)'}, got ${JSON.stringify(text)}${detail ? ` (${detail})` : ''}`,
  });
  if (text.length > MAX_RULE_LENGTH) return expected(`longer than ${MAX_RULE_LENGTH} characters`);
  if (!shape || !tool)
    return expected(tool && text.startsWith(`${tool}(`) ? 'missing the closing )' : undefined);
  if (!TOOL_NAME.test(tool)) return expected('tool names start with a capital letter');
  const specifier = shape[2];
  if (specifier === undefined) return { ok: true, rule: { text, tool } };
  const parsed = parseSpecifier(tool, specifier.trim());
  if (typeof parsed === 'string') return expected(parsed);
  return { ok: true, rule: parsed ? { text, tool, matcher: parsed } : { text, tool } };
}

/** The matcher for `tool(specifier)`, `null` for a specifier meaning "any", or a problem. */
function parseSpecifier(tool: string, specifier: string): RuleMatcher | null | string {
  if (specifier === '') return 'the parentheses are empty';
  switch (tool) {
    case 'Bash':
      return parseCommandSpecifier(specifier);
    case 'Read':
    case 'Edit':
    case 'Write':
      return parsePathSpecifier(specifier);
    case 'WebFetch': {
      if (!specifier.startsWith('domain:')) return 'WebFetch rules name a domain:host';
      return parseHostSpecifier(specifier.slice('domain:'.length), false);
    }
    case 'Network':
      return parseNetworkSpecifier(specifier);
    case 'Mcp':
      return parseMcpSpecifier(specifier);
    case 'Ssh':
      return parseSshSpecifier(specifier);
    default:
      return `${tool} takes no specifier; write it bare to mean any use of it`;
  }
}

function parseCommandSpecifier(specifier: string): RuleMatcher | null | string {
  if (specifier === '*') return null;
  const prefix = specifier.endsWith(':*');
  const words = (prefix ? specifier.slice(0, -2) : specifier).split(/[ \t]+/).filter(Boolean);
  if (!words.length) return 'no command before :*';
  if (!words.every((word) => COMMAND_WORD.test(word)))
    return 'Bash rules name plain words; quotes, variables, wildcards and shell operators are not supported, and only a trailing :* means "followed by anything"';
  return { kind: 'command', words, prefix };
}

function parsePathSpecifier(specifier: string): RuleMatcher | string {
  let base: 'workspace' | 'home' | 'root' = 'workspace';
  let rest = specifier;
  if (rest.startsWith('//')) [base, rest] = ['root', rest.slice(2)];
  else if (rest.startsWith('~/')) [base, rest] = ['home', rest.slice(2)];
  else if (rest === '~') [base, rest] = ['home', '**'];
  else if (rest.startsWith('/'))
    return 'a leading / is ambiguous: write ./path for the workspace or //path for an absolute path';
  else if (rest.startsWith('~')) return "another user's home (~name) is not supported";
  else if (rest.startsWith('./')) rest = rest.slice(2);
  else if (rest === '.') rest = '**';
  if (/[\\\0]/.test(rest)) return 'backslashes and NUL are not allowed in paths';
  if (/[[\]{}]/.test(rest)) return 'only *, ** and ? are supported as wildcards';
  const segments = rest.split('/').filter((s, i, all) => s !== '' || i === all.length - 1);
  if (segments.some((s) => s === '..')) return '.. may not appear in a path rule';
  if (segments.some((s) => s.includes('**') && s !== '**'))
    return '** must be a whole path segment';
  if (rest.endsWith('/')) segments[segments.length - 1] = '**';
  const pattern = segments.filter((s) => s !== '.').join('/') || '**';
  return { kind: 'path', base, pattern, regex: globRegex(pattern) };
}

/** `**` spans segments, `*` and `?` stay within one; a pattern without wildcards also covers what is under it. */
function globRegex(pattern: string): RegExp {
  const segments = pattern.split('/');
  let source = '';
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (segment === '**') {
      // A trailing /** also covers the directory itself.
      if (last) source = i === 0 ? '.*' : `${source.slice(0, -1)}(?:/.*)?`;
      else source += '(?:[^/]+/)*';
      return;
    }
    source += segment
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]');
    if (!last) source += '/';
  });
  const underneath = /[*?]/.test(pattern) ? '' : '(?:/.*)?';
  return new RegExp(`^${source}${underneath}$`, 's');
}

const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** `[METHOD ]host[:port][/path]`: the host part as for WebFetch, plus what inspection sees. */
function parseNetworkSpecifier(specifier: string): RuleMatcher | string {
  const words = specifier.split(/[ \t]+/);
  if (words.length > 2) return 'write METHOD host[:port]/path, with one space after the method';
  const method = words.length === 2 ? words[0] : undefined;
  if (method !== undefined && !HTTP_METHODS.has(method))
    return `the method is one of ${[...HTTP_METHODS].join(', ')}`;
  const target = words[words.length - 1] ?? '';
  const slash = target.startsWith('[')
    ? target.indexOf('/', target.indexOf(']'))
    : target.indexOf('/');
  const hostPart = slash === -1 ? target : target.slice(0, slash);
  const host = parseHostSpecifier(hostPart, true);
  if (typeof host === 'string' || host.kind !== 'host') return host;
  const path = slash === -1 ? undefined : urlPathGlob(target.slice(slash));
  if (typeof path === 'string') return path;
  return {
    ...host,
    ...(method === undefined ? {} : { method }),
    ...(path === undefined ? {} : { path }),
  };
}

/** A URL path glob: `*` within a segment, `**` across; without wildcards it covers what is under it. */
function urlPathGlob(path: string): { pattern: string; regex: RegExp } | string {
  if (/[\0\\?#%\s]/.test(path)) return 'a URL path rule has no query, fragment, escapes or spaces';
  if (path.split('/').includes('..')) return '.. may not appear in a URL path rule';
  const pattern = path.replace(/^\/+/, '') || '**';
  return { pattern: `/${pattern}`, regex: globRegex(pattern) };
}

/** Whether a Network rule's method and path cover a request's (a rule without them covers any). */
export function requestMatches(
  matcher: Extract<RuleMatcher, { kind: 'host' }>,
  method: string,
  path: string,
): boolean {
  if (matcher.method !== undefined && matcher.method !== method) return false;
  if (matcher.path === undefined) return true;
  const bare = (path.split(/[?#]/)[0] ?? '').replace(/^\/+/, '');
  // `/ada/gists/` is the resource `/ada/gists` to most origins: a rule covers both spellings.
  return matcher.path.regex.test(bare) || matcher.path.regex.test(bare.replace(/\/$/, ''));
}

function parseHostSpecifier(specifier: string, portAllowed: boolean): RuleMatcher | string {
  let hostPart = specifier;
  let port: number | undefined;
  const v6 = /^\[([0-9a-fA-F:.]+)\](?::(\d+))?$/.exec(specifier);
  if (v6) {
    hostPart = v6[1] as string;
    if (v6[2] !== undefined) port = Number(v6[2]);
  } else {
    const colon = specifier.lastIndexOf(':');
    if (colon !== -1) {
      const portText = specifier.slice(colon + 1);
      if (!/^\d{1,5}$/.test(portText)) return 'a port is a number from 1 to 65535';
      port = Number(portText);
      hostPart = specifier.slice(0, colon);
    }
  }
  if (port !== undefined && !portAllowed) return 'WebFetch rules name a host without a port';
  if (port !== undefined && (port < 1 || port > 65535)) return 'a port is a number from 1 to 65535';
  const subdomains = hostPart.startsWith('*.');
  const name = subdomains ? hostPart.slice(2) : hostPart;
  const host = normalizeHost(v6 ? `[${name}]` : name);
  if (!host || (!v6 && !HOST_LABELS.test(host)))
    return 'a host is a name like example.com, optionally with a leading *. for its subdomains';
  return port === undefined
    ? { kind: 'host', host, subdomains }
    : { kind: 'host', host, subdomains, port };
}

/** Lower case, IDN to punycode, no trailing dot; undefined for something that is no host name. */
export function normalizeHost(name: string): string | undefined {
  const bracketed = /^\[[0-9a-fA-F:.]+\]$/.test(name);
  if (!name || /[\s/\\@?#%]/.test(name) || (!bracketed && name.includes(':'))) return undefined;
  try {
    return new URL(`http://${name}`).hostname.replace(/\.$/, '').replace(/^\[|\]$/g, '');
  } catch {
    return undefined;
  }
}

function parseMcpSpecifier(specifier: string): RuleMatcher | string {
  const [server = '', tool, ...extra] = specifier.split(':');
  if (
    extra.length ||
    !MCP_NAME.test(server) ||
    (tool !== undefined && tool !== '*' && !MCP_NAME.test(tool))
  )
    return 'MCP rules name server:tool or server:*';
  return tool === undefined || tool === '*'
    ? { kind: 'mcp', server }
    : { kind: 'mcp', server, tool };
}

/**
 * `host`, `host:command words`, `host:words *` or `host:words:*` (both mean "followed by
 * anything": the first is how people write it, the second how Bash rules do).
 */
function parseSshSpecifier(specifier: string): RuleMatcher | string {
  const colon = specifier.indexOf(':');
  const host = colon === -1 ? specifier : specifier.slice(0, colon);
  if (host !== '*' && !SSH_HOST_NAME.test(host))
    return 'Ssh rules start with a host name as Paddock knows it (or *), like staging:ls';
  const rest = colon === -1 ? '*' : specifier.slice(colon + 1).trim();
  const command = parseCommandSpecifier(rest.replace(/[ \t]+\*$/, ':*'));
  if (typeof command === 'string') return command;
  return command?.kind === 'command' ? { kind: 'ssh', host, command } : { kind: 'ssh', host };
}

/** Whether a Bash rule's words cover a command's literal words (word boundaries, Claude Code's `:*`). */
export function commandMatches(
  matcher: Extract<RuleMatcher, { kind: 'command' }>,
  argv: readonly string[],
): boolean {
  if (matcher.prefix ? argv.length < matcher.words.length : argv.length !== matcher.words.length)
    return false;
  return matcher.words.every((word, i) => argv[i] === word);
}

export interface PathContext {
  workspace: string;
  home?: string;
}

/** Whether a path rule covers `path` (absolute, `~/…`, or relative to the workspace). */
export function pathMatches(
  matcher: Extract<RuleMatcher, { kind: 'path' }>,
  path: string,
  context: PathContext,
): boolean {
  const absolute = resolveRequestPath(path, context);
  if (absolute === undefined) return false;
  const base =
    matcher.base === 'workspace' ? context.workspace : matcher.base === 'home' ? context.home : '/';
  if (base === undefined) return false;
  const relative = posix.relative(posix.resolve(base), absolute);
  if (relative.startsWith('..') || posix.isAbsolute(relative)) return false;
  return matcher.regex.test(relative);
}

/** A request's path made absolute with `..` resolved; `~` needs a known home. */
export function resolveRequestPath(path: string, context: PathContext): string | undefined {
  if (path.includes('\0')) return undefined;
  if (path === '~' || path.startsWith('~/'))
    return context.home === undefined
      ? undefined
      : posix.resolve(context.home, `.${path.slice(1)}`);
  if (path.startsWith('~')) return undefined;
  return posix.resolve(context.workspace, path);
}

/** Whether a host rule covers `host` (and `port`, when the rule names one). */
export function hostMatches(
  matcher: Extract<RuleMatcher, { kind: 'host' }>,
  host: string,
  port?: number,
): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  const name = normalizeHost(bare.includes(':') ? `[${bare}]` : bare);
  if (name === undefined) return false;
  if (matcher.port !== undefined && matcher.port !== port) return false;
  return matcher.subdomains ? name.endsWith(`.${matcher.host}`) : name === matcher.host;
}

/** The host a WebFetch URL reaches; only http and https count. */
export function urlHost(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
    return parsed.hostname;
  } catch {
    return undefined;
  }
}

export function mcpMatches(
  matcher: Extract<RuleMatcher, { kind: 'mcp' }>,
  server: string,
  toolName: string,
): boolean {
  return matcher.server === server && (matcher.tool === undefined || matcher.tool === toolName);
}
