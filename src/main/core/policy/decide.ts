/**
 * The decision for one permission request, in a fixed order: deny rules (from either policy), then
 * ask rules (either policy, plus the repository's allow rules while the person has not trusted
 * that version of the file), then allow rules, then the classifier for shell commands, then ask.
 * Every decision names the rule, or the classifier's reason, that made it.
 *
 * For Bash, allow rules are not matched against the command as a whole: the command is parsed and
 * each simple command must be covered by an allow rule or proven safe by the classifier, with its
 * redirections and assignments checked too. `Bash(npm test:*)` covers `npm test -- x`, never
 * `npm test && rm -rf /` nor `npm test > ~/.bashrc`. Deny and ask rules match if any command the
 * script may run matches, wrappers (`sudo`, `xargs`, `bash -c`) included.
 *
 * The request comes from outside (a hook message): its shape is checked, and a malformed one asks.
 */
import { isIP } from 'node:net';
import { commandsForMatching, mentionsCommand } from './bash-match';
import { judgeCommand } from './classify';
import {
  commandMatches,
  hostMatches,
  mcpMatches,
  requestMatches,
  pathMatches,
  urlHost,
  type PathContext,
  type Rule,
} from './rules';
import type { LocatedRule, PermissionList, Policy } from './schema';
import { classifyFile } from './file-classifier';

export type PermissionRequest =
  | { tool: 'Bash'; command: string }
  | { tool: 'Read' | 'Edit' | 'Write'; path: string }
  | { tool: 'WebFetch'; url: string }
  /** A connection (method and path absent) or, where visible, one HTTP request on it. */
  | { tool: 'Network'; host: string; port: number; method?: string; path?: string }
  | { tool: 'Mcp'; server: string; toolName: string }
  | { tool: string };

export type RuleSource = 'personal' | 'repository';

export interface DecideOptions {
  personal?: Policy;
  repository?: { policy: Policy; trusted: boolean };
  /** The session's workspace, absolute. */
  workspace: string;
  home?: string;
  /** Test and build commands the policy names, for the classifier. */
  namedCommands?: readonly string[];
  /** Where a shell command starts, when not in the workspace root. */
  cwd?: string;
}

export interface Decision {
  decision: 'allow' | 'ask' | 'deny';
  reason: string;
  rule?: string;
  source?: RuleSource | 'classifier' | 'default';
}

interface SourcedRule {
  readonly rule: LocatedRule;
  readonly source: RuleSource;
}

export function decide(request: PermissionRequest, options: DecideOptions): Decision {
  const malformed = shapeProblem(request);
  if (malformed)
    return { decision: 'ask', reason: `malformed request: ${malformed}`, source: 'default' };
  const trusted = options.repository?.trusted === true;
  const from = (list: PermissionList, sources: readonly RuleSource[]): SourcedRule[] =>
    sources.flatMap((source) => {
      const policy = source === 'personal' ? options.personal : options.repository?.policy;
      return (policy?.permissions[list] ?? []).map((rule) => ({ rule, source }));
    });
  const context: PathContext = {
    workspace: options.workspace,
    ...(options.home === undefined ? {} : { home: options.home }),
  };
  const hits = blockingMatcher(request, context, false);

  const denied = from('deny', ['personal', 'repository']).find(hits);
  if (denied) return ruled('deny', `denied by ${where(denied)}`, denied);
  const asked = from('ask', ['personal', 'repository']).find(hits);
  if (asked) return ruled('ask', `${where(asked)} asks`, asked);
  const untrusted = trusted ? undefined : from('allow', ['repository']).find(hits);
  if (untrusted)
    return ruled(
      'ask',
      `${where(untrusted)} counts only once you trust this version of the repository's policy`,
      untrusted,
    );

  const allows = from('allow', trusted ? ['personal', 'repository'] : ['personal']);
  if (isBash(request)) return decideBash(request.command, allows, options);
  const allowed = allows.find(blockingMatcher(request, context, true));
  if (allowed) return ruled('allow', `allowed by ${where(allowed)}`, allowed);
  if (isFileRequest(request)) {
    const judged = classifyFile(request.tool, request.path, context);
    return { decision: judged.verdict, reason: judged.reason, source: 'classifier' };
  }
  return { decision: 'ask', reason: `no rule allows ${describe(request)}`, source: 'default' };
}

function decideBash(
  command: string,
  allows: readonly SourcedRule[],
  options: DecideOptions,
): Decision {
  const everything = allows.find(({ rule }) => rule.tool === 'Bash' && !rule.matcher);
  if (everything) return ruled('allow', `allowed by ${where(everything)}`, everything);
  const judged = judgeCommand(command, options, (argv) => {
    const sourced = allows.find(
      ({ rule }) =>
        rule.tool === 'Bash' &&
        rule.matcher?.kind === 'command' &&
        commandMatches(rule.matcher, argv),
    );
    return sourced && { text: sourced.rule.text, sourced };
  });
  if (!judged.ok) return { decision: 'ask', reason: judged.reason, source: 'classifier' };
  const [first] = judged.rules;
  return first
    ? ruled('allow', judged.reason, first.sourced)
    : { decision: 'allow', reason: judged.reason, source: 'classifier' };
}

function ruled(
  decision: Decision['decision'],
  reason: string,
  { rule, source }: SourcedRule,
): Decision {
  return { decision, reason, rule: rule.text, source };
}

function where({ rule, source }: SourcedRule): string {
  return `${rule.text} (${source} policy, ${rule.file}:${rule.line})`;
}

/** Whether a deny, ask or allow rule covers the request (for Bash: any command it may run). */
function blockingMatcher(
  request: PermissionRequest,
  context: PathContext,
  allowList: boolean,
): (sourced: SourcedRule) => boolean {
  let commands: string[][] | undefined | null = null;
  return ({ rule }) => {
    if (isBash(request)) {
      if (rule.tool !== 'Bash') return false;
      if (!rule.matcher) return true;
      if (rule.matcher.kind !== 'command') return false;
      const matcher = rule.matcher;
      if (commands === null) commands = commandsForMatching(request.command);
      if (commands === undefined) return mentionsCommand(request.command, matcher.words);
      return commands.some((argv) => commandMatches(matcher, argv));
    }
    if (!sameTool(rule.tool, request.tool)) return false;
    const matcher = rule.matcher;
    if (!matcher) return true;
    const r = request as Record<string, unknown>;
    switch (matcher.kind) {
      case 'path':
        return typeof r.path === 'string' && pathMatches(matcher, r.path, context);
      case 'host': {
        const host =
          request.tool === 'WebFetch' ? urlHost(String(r.url)) : (r.host as string | undefined);
        if (host === undefined) return false;
        if (!hostMatches(matcher, host, typeof r.port === 'number' ? r.port : undefined))
          return false;
        // A connection's requests are not seen yet: a rule with a method or path lets it open (it
        // is then inspected, and each request is decided), but never denies or asks for all of it.
        if (typeof r.method !== 'string' || typeof r.path !== 'string')
          return allowList || (matcher.method === undefined && matcher.path === undefined);
        return requestMatches(matcher, r.method, r.path);
      }
      case 'mcp':
        return mcpMatches(matcher, String(r.server), String(r.toolName));
      default:
        return false;
    }
  };
}

/** Edit and Write rules cover both file-changing tools; others match their own tool only. */
function sameTool(ruleTool: string, requestTool: string): boolean {
  const writes = new Set(['Edit', 'Write']);
  return ruleTool === requestTool || (writes.has(ruleTool) && writes.has(requestTool));
}

function isFileRequest(
  request: PermissionRequest,
): request is { tool: 'Read' | 'Edit' | 'Write'; path: string } {
  return (
    (request.tool === 'Read' || request.tool === 'Edit' || request.tool === 'Write') &&
    'path' in request &&
    typeof request.path === 'string'
  );
}

function isBash(request: PermissionRequest): request is { tool: 'Bash'; command: string } {
  return request.tool === 'Bash';
}

const FIELDS: Record<string, Record<string, 'string' | 'number'>> = {
  Bash: { command: 'string' },
  Read: { path: 'string' },
  Edit: { path: 'string' },
  Write: { path: 'string' },
  WebFetch: { url: 'string' },
  Network: { host: 'string', port: 'number' },
  Mcp: { server: 'string', toolName: 'string' },
};

function shapeProblem(request: PermissionRequest): string | undefined {
  if (typeof request !== 'object' || request === null || typeof request.tool !== 'string')
    return 'no tool name';
  const r = request as Record<string, unknown>;
  for (const [field, type] of Object.entries(FIELDS[request.tool] ?? {}))
    if (typeof r[field] !== type) return `${request.tool} needs ${field} (${type})`;
  if (
    request.tool === 'Network' &&
    !(Number.isInteger(r.port) && (r.port as number) >= 0 && (r.port as number) <= 65535)
  )
    return 'Network needs a port from 0 to 65535';
  if (request.tool === 'Network' && (typeof r.method === 'string') !== (typeof r.path === 'string'))
    return 'Network needs both a method and a path, or neither';
  return undefined;
}

function describe(request: PermissionRequest): string {
  const r = request as Record<string, unknown>;
  const detail =
    r.path ??
    r.url ??
    (r.server === undefined ? undefined : `${String(r.server)}:${String(r.toolName)}`);
  if (r.host !== undefined) {
    const method = r.method === undefined ? '' : `${String(r.method)} `;
    const path = r.path === undefined ? '' : String(r.path);
    return `${request.tool} ${method}${String(r.host)}:${String(r.port)}${path}`;
  }
  return detail === undefined ? request.tool : `${request.tool} ${String(detail)}`;
}

export interface MergedRule {
  readonly list: PermissionList;
  readonly rule: string;
  readonly source: RuleSource;
  /** `file:line` where the rule is written. */
  readonly at: string;
  /** What the rule does now: a repository allow acts as ask until the file is trusted. */
  readonly effective: PermissionList;
}

/** Every rule in force, with where it came from, in decision order (for `policy show`). */
export function mergePolicies(
  personal?: Policy,
  repository?: { policy: Policy; trusted: boolean },
): MergedRule[] {
  const lists: PermissionList[] = ['deny', 'ask', 'allow'];
  const sources: Array<[RuleSource, Policy | undefined]> = [
    ['personal', personal],
    ['repository', repository?.policy],
  ];
  return lists.flatMap((list) =>
    sources.flatMap(([source, policy]) =>
      (policy?.permissions[list] ?? []).map((rule) => ({
        list,
        rule: rule.text,
        source,
        at: `${rule.file}:${rule.line}`,
        effective:
          list === 'allow' && source === 'repository' && !repository?.trusted
            ? ('ask' as const)
            : list,
      })),
    ),
  );
}

/** Whether a policy's `network.inspect` names `host:port` (a registry whose fetches are recorded). */
export function inspectListed(
  host: string,
  port: number,
  policies: { personal?: Policy; repository?: { policy: Policy } },
): boolean {
  return [policies.personal, policies.repository?.policy].some((policy) =>
    (policy?.network?.inspect ?? []).some((rule) => coversHost(rule, host, port)),
  );
}

/**
 * Whether the proxy must inspect connections to `host:port`: the policy's `network.inspect` names
 * the host, or a Network rule names a method or path for it (such a rule can only be kept by
 * seeing each request). Untrusted repository policies count too: inspection only adds checks.
 */
export function inspectsHost(
  host: string,
  port: number,
  policies: { personal?: Policy; repository?: { policy: Policy } },
): boolean {
  if (inspectListed(host, port, policies)) return true;
  return [policies.personal, policies.repository?.policy].some((policy) =>
    Object.values(policy?.permissions ?? {})
      .flat()
      .some(
        (rule) =>
          coversHost(rule, host, port) &&
          rule.matcher?.kind === 'host' &&
          (rule.matcher.method !== undefined || rule.matcher.path !== undefined),
      ),
  );
}

function coversHost(rule: Rule, host: string, port: number): boolean {
  return (
    rule.tool === 'Network' &&
    rule.matcher?.kind === 'host' &&
    hostMatches(rule.matcher, host, port)
  );
}

/**
 * The IP addresses allow rules name exactly for `port` (personal, and the repository's once
 * trusted): the only non-public addresses a name may resolve to and still be reached.
 */
export function addressesNamed(
  port: number,
  policies: { personal?: Policy; repository?: { policy: Policy; trusted: boolean } },
): string[] {
  const allows = [
    ...(policies.personal?.permissions.allow ?? []),
    ...(policies.repository?.trusted ? policies.repository.policy.permissions.allow : []),
  ];
  return allows.flatMap((rule) =>
    rule.tool === 'Network' &&
    rule.matcher?.kind === 'host' &&
    !rule.matcher.subdomains &&
    isIP(rule.matcher.host) !== 0 &&
    (rule.matcher.port === undefined || rule.matcher.port === port)
      ? [rule.matcher.host]
      : [],
  );
}
