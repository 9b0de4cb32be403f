/**
 * The policy loader: YAML text in, a validated Policy out, or a PolicyError naming file, line,
 * column and what was expected. The text is hostile input (it comes from a repository), so the
 * YAML is parsed through eemeli/yaml's Document API with a LineCounter (every node keeps its
 * position), duplicate keys, unknown tags and multiple documents are errors, aliases are capped,
 * and the schema in schema.ts refuses anything it does not know. A session does not start on a
 * policy that throws here.
 */
import { createHash } from 'node:crypto';
import {
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node,
} from 'yaml';
import type { z } from 'zod';
import { PolicyError } from './errors';
import type { Rule } from './rules';
import {
  knownKeys,
  PLANNED_SECTIONS,
  policySchema,
  SUPPORTED_VERSIONS,
  type LocatedRule,
  type PermissionList,
  type Policy,
} from './schema';

const MAX_POLICY_BYTES = 1024 * 1024;
const MAX_ALIASES = 50;

/** Parses and validates a policy file's text; `file` is only used in messages and the result. */
export function parsePolicy(text: string, file: string): Policy {
  const fail = (offset: number, problem: string): never => {
    const { line, col } = lineCounter.linePos(offset);
    throw new PolicyError(file, line, col, problem);
  };
  const lineCounter = new LineCounter();
  if (Buffer.byteLength(text) > MAX_POLICY_BYTES)
    throw new PolicyError(file, 1, 1, 'the policy is larger than 1 MiB');

  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    resolveKnownTags: false,
    uniqueKeys: true,
    strict: true,
  });
  const [yamlError] = [...doc.errors, ...doc.warnings];
  if (yamlError) fail(yamlError.pos[0], `invalid YAML: ${yamlError.message.split('\n')[0]}`);

  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null))
    fail(
      0,
      `the policy is empty: expected a mapping starting with version: ${SUPPORTED_VERSIONS.join(' or ')}`,
    );
  if (!isMap(root))
    fail(startOf(root), `expected a mapping at the top of the policy, got ${describeNode(root)}`);

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    fail(0, `invalid YAML: ${(error as Error).message}`);
  }
  checkVersion(doc, data as Record<string, unknown>, fail);

  const result = policySchema.safeParse(data);
  if (!result.success) {
    const located = result.error.issues
      .map((issue) => ({ issue, offset: issueOffset(doc, issue) }))
      .sort((a, b) => a.offset - b.offset);
    const [first] = located;
    if (first) {
      const more = located.length > 1 ? ` (and ${located.length - 1} more)` : '';
      fail(first.offset, `${describeIssue(first.issue, data)}${more}`);
    }
  }
  const parsed = result.data as z.output<typeof policySchema>;
  const locate = (
    section: 'permissions' | 'ssh',
    rules: Readonly<Record<PermissionList, readonly Rule[]>>,
  ): Record<PermissionList, LocatedRule[]> => {
    const located = (list: PermissionList): LocatedRule[] =>
      rules[list].map((rule, i) => ({
        ...rule,
        file,
        line: lineCounter.linePos(startOf(doc.getIn([section, list, i], true) as Node | undefined))
          .line,
      }));
    return { allow: located('allow'), ask: located('ask'), deny: located('deny') };
  };
  return {
    version: parsed.version,
    permissions: locate('permissions', parsed.permissions),
    ...(parsed.ssh
      ? { ssh: { ...locate('ssh', parsed.ssh), bashAllows: parsed.ssh.bashAllows } }
      : {}),
    ...(parsed.workspace ? { workspace: parsed.workspace } : {}),
    ...(parsed.sandbox ? { sandbox: parsed.sandbox } : {}),
    ...(parsed.network ? { network: parsed.network } : {}),
    ...(parsed.budgets ? { budgets: parsed.budgets } : {}),
    ...(parsed.gates ? { gates: parsed.gates } : {}),
    ...(parsed.signoff ? { signoff: parsed.signoff } : {}),
    source: { file, digest: policyDigest(text) },
  };
}

/** The sha256 of a policy's exact text: what a person trusts is this version, not the file name. */
export function policyDigest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function checkVersion(
  doc: Document,
  data: Record<string, unknown>,
  fail: (offset: number, problem: string) => never,
): void {
  const supported = `this Paddock reads policy version ${SUPPORTED_VERSIONS.join(', ')}`;
  if (!('version' in data)) fail(0, `missing version: ${supported}; add "version: 1" at the top`);
  if (!(SUPPORTED_VERSIONS as readonly unknown[]).includes(data.version))
    fail(
      startOf(doc.get('version', true) as Node | undefined),
      `version: unsupported version ${JSON.stringify(data.version)}; ${supported}`,
    );
}

type Issue = z.core.$ZodIssue;

function issueOffset(doc: Document, issue: Issue): number {
  const path = issue.path.filter((step): step is string | number => typeof step !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    const container = path.length ? doc.getIn(path, true) : doc.contents;
    const key = issue.keys[0];
    if (isMap(container)) {
      const pair = container.items.find(
        (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === key,
      );
      if (pair && isScalar(pair.key)) return startOf(pair.key);
    }
  }
  // The node itself, or its nearest ancestor that exists (a missing key points at its mapping).
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth ? doc.getIn(path.slice(0, depth), true) : doc.contents;
    if (node && typeof node === 'object' && 'range' in node) return startOf(node as Node);
  }
  return 0;
}

function describeIssue(issue: Issue, data: unknown): string {
  const path = formatPath(issue.path);
  const at = path ? `${path}: ` : '';
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const list = `known ${path ? 'keys' : 'sections'}: ${knownKeys(issue.path).join(', ')}`;
    if (!path && (PLANNED_SECTIONS as readonly string[]).includes(key))
      return `section "${key}" is not supported by this version of Paddock yet; ${list}`;
    return `${at}unknown ${path ? 'key' : 'section'} "${key}"; ${list}`;
  }
  if (issue.code === 'invalid_type' || issue.code === 'invalid_union') {
    const got = describeValue(valueAt(data, issue.path));
    if (issue.message.startsWith('Invalid input') && issue.code === 'invalid_type')
      return `${at}expected ${article(issue.expected)}, got ${got}`;
    return `${at}${issue.message}, got ${got}`;
  }
  return `${at}${issue.message}`;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, step) =>
      typeof step === 'number'
        ? `${text}[${step}]`
        : text
          ? `${text}.${String(step)}`
          : String(step),
    '',
  );
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let value = data;
  for (const step of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[step];
  }
  return value;
}

function article(expected: string): string {
  const names: Record<string, string> = {
    array: 'a list',
    object: 'a mapping',
    string: 'a string',
    number: 'a number',
    boolean: 'true or false',
  };
  return names[expected] ?? expected;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return JSON.stringify(value);
}

function describeNode(node: Node | null): string {
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) return describeValue(node.value);
  return 'something else';
}

function startOf(node: Node | null | undefined): number {
  return node?.range?.[0] ?? 0;
}
