/**
 * The policy file's schema, as a registry of sections with one zod schema each. Adding a section
 * is one entry in SECTIONS; the loader, the unknown-key check and the error messages follow from
 * it. Every object is strict: a key Paddock does not know is refused, because a misspelt `deny`
 * that is silently ignored is a hole.
 */
import { z } from 'zod';
import { parseRule, type Rule } from './rules';

export const SUPPORTED_VERSIONS = [1] as const;

/** Sections later issues will add: named in the error so a person knows it is coming, not misspelt. */
export const PLANNED_SECTIONS: readonly string[] = [];

const rule = z
  .string({ error: 'expected a rule like Bash(npm test:*)' })
  .transform((text, context): Rule => {
    const parsed = parseRule(text);
    if (parsed.ok) return parsed.rule;
    context.addIssue({ code: 'custom', message: parsed.problem });
    return z.NEVER;
  });

const listOf = (item: z.ZodType<Rule, string>) =>
  z
    .array(item, { error: 'expected a list of rules' })
    .max(1000, 'at most 1000 rules per list')
    .default([]);

const lists = (item: z.ZodType<Rule, string>) =>
  z
    .strictObject(
      { allow: listOf(item), ask: listOf(item), deny: listOf(item) },
      { error: 'expected a mapping with allow, ask and/or deny lists' },
    )
    .default({ allow: [], ask: [], deny: [] });

const permissions = lists(
  rule.refine((parsed) => parsed.tool !== 'Ssh', {
    message: 'Ssh rules belong in the ssh section',
  }),
);

const sshRule = rule.refine((parsed) => parsed.tool === 'Ssh', {
  message: 'expected a rule like Ssh(staging:systemctl status *)',
});

/**
 * Commands on remote hosts (the operator, over SSH): `Ssh(host:command)` rules, decided together
 * with the Bash rules of `permissions` and the classifier, as a host's extra allows, asks, denies.
 * `bashAllows: false` keeps the Bash allow rules of `permissions` (made for sandboxed local
 * agents) off the hosts; their asks and denies still hold there.
 */
const ssh = z
  .strictObject(
    {
      allow: listOf(sshRule),
      ask: listOf(sshRule),
      deny: listOf(sshRule),
      bashAllows: z.boolean({ error: 'expected true or false' }).default(true),
    },
    { error: 'expected a mapping with allow, ask and/or deny lists (and bashAllows)' },
  )
  .optional();

/** A path inside the repository: relative, no `..`, no NUL or backslash; globs are fine. */
const repositoryPath = z
  .string({ error: 'expected a repository-relative path' })
  .min(1, 'expected a repository-relative path, got an empty string')
  .max(4096, 'a path is at most 4096 characters')
  .refine((path) => !/^([/~]|[A-Za-z]:)/.test(path), {
    message: 'expected a path relative to the repository, got an absolute or home path',
  })
  .refine((path) => !path.split('/').includes('..'), {
    message: 'expected a path inside the repository, got one that leaves it with ..',
  })
  .refine((path) => !/[\0\\]/.test(path), {
    message: 'NUL and backslashes are not allowed in paths',
  });

const command = z.union(
  [z.string().min(1).max(10_000), z.array(z.string().max(10_000)).min(1).max(1000)],
  { error: 'expected a command: a string, or a list of program and arguments' },
);

const workspace = z
  .strictObject(
    {
      copy: z
        .array(
          repositoryPath.refine((path) => !/[*?[\]{}]/.test(path), {
            message: 'expected a file or folder to copy; patterns are not supported here',
          }),
          { error: 'expected a list of repository paths' },
        )
        .max(1000, 'at most 1000 paths')
        .default([]),
      setup: command.optional(),
      setupTimeoutSeconds: z
        .number({ error: 'expected a number of seconds' })
        .int('expected a whole number of seconds')
        .positive('expected a positive number of seconds')
        .max(86_400, 'at most 86400 seconds (a day)')
        .optional(),
    },
    { error: 'expected a mapping with copy, setup and/or setupTimeoutSeconds' },
  )
  .optional();

/** How the session's sandbox treats the repository (the sandbox itself is not negotiable). */
const sandbox = z
  .strictObject(
    {
      // `.env` files hold the project's secrets: agents see them empty unless the policy says so.
      envFiles: z.enum(['mask', 'allow'], { error: 'expected mask or allow' }).default('mask'),
    },
    { error: 'expected a mapping with envFiles' },
  )
  .optional();

/** A host the proxy inspects, written as in a Network rule without method or path. */
const inspectedHost = z
  .string({ error: 'expected a host like github.com or *.example.com' })
  .transform((text, context): Rule => {
    const parsed = parseRule(`Network(${text})`);
    if (parsed.ok && parsed.rule.matcher?.kind === 'host' && !parsed.rule.matcher.path)
      if (!parsed.rule.matcher.method) return parsed.rule;
    context.addIssue({
      code: 'custom',
      message: `expected a host like github.com or *.example.com:443, got ${JSON.stringify(text)}`,
    });
    return z.NEVER;
  });

/** What the session's proxy does beyond allowing and denying hosts. */
const network = z
  .strictObject(
    {
      // Hosts whose HTTPS the proxy terminates with the session's own certificate authority, so
      // method and path rules apply and package downloads are recorded.
      inspect: z.array(inspectedHost, { error: 'expected a list of hosts' }).max(1000).default([]),
    },
    { error: 'expected a mapping with inspect' },
  )
  .optional();

/** A spending limit in US dollars: more than nothing, and not absurd (a typo of zeros). */
const dollars = z
  .number({ error: 'expected an amount in US dollars, like 5 or 12.50' })
  .positive({ error: 'expected an amount above 0 (leave the limit out for none)' })
  .max(1_000_000, { error: 'expected at most 1000000 dollars' });

/**
 * Spending limits for model calls, in US dollars: per session, per project (all its sessions),
 * per day (everything Paddock metered or imported that day, local time). The smallest limit of
 * the person's policy, the repository's and the settings holds.
 */
const budgets = z
  .strictObject(
    { session: dollars.optional(), project: dollars.optional(), day: dollars.optional() },
    { error: 'expected a mapping with session, project and day limits' },
  )
  .optional();

const gateAction = z.enum(['block', 'warn', 'require-signoff'], {
  error: 'expected block, warn or require-signoff',
});

/** A gate that runs a command in the session's sandbox (network off unless it names hosts). */
const commandGate = z.strictObject(
  {
    name: z.string({ error: 'expected a name' }).min(1).max(100),
    run: command,
    action: gateAction.default('block'),
    timeoutSeconds: z
      .number({ error: 'expected a number of seconds' })
      .int('expected a whole number of seconds')
      .positive('expected a positive number of seconds')
      .max(86_400, 'at most 86400 seconds (a day)')
      .default(600),
    // Named hosts turn the session's network (its proxy, under this policy) on for the command.
    hosts: z.array(inspectedHost, { error: 'expected a list of hosts' }).max(100).default([]),
  },
  { error: 'expected a mapping with name, run, and optionally action, timeoutSeconds, hosts' },
);

const commandGates = z
  .array(commandGate, { error: 'expected a list of command gates' })
  .max(50, 'at most 50 command gates')
  .default([]);

/** A false positive of the secrets gate: a path glob, a rule id, or both. */
const secretAllowance = z
  .strictObject(
    {
      path: repositoryPath.optional(),
      rule: z.string().min(1).max(200).optional(),
      reason: z.string().max(2000).optional(),
    },
    { error: 'expected a mapping with path and/or rule (and a reason)' },
  )
  .refine((entry) => entry.path !== undefined || entry.rule !== undefined, {
    message: 'an allowance names a path glob, a rule id, or both',
  });

const lineLimit = z
  .number({ error: 'expected a number' })
  .int('expected a whole number')
  .positive('expected a positive number')
  .max(10_000_000);

/**
 * What must hold before a session's change lands. Each check has an action: `block` stops the
 * promotion, `warn` only says so, `require-signoff` needs a person's sign-off. The secrets,
 * protected-paths and diff-limits checks run on every change, with these defaults.
 */
const gates = z
  .strictObject(
    {
      tests: commandGates,
      commands: commandGates,
      secrets: z
        .strictObject(
          {
            action: gateAction.default('block'),
            allow: z.array(secretAllowance).max(1000).default([]),
          },
          { error: 'expected a mapping with action and/or allow' },
        )
        .default({ action: 'block', allow: [] }),
      protectedPaths: z
        .strictObject(
          {
            action: gateAction.default('require-signoff'),
            // Added to the built-in list (CI, policy, lockfiles, scripts that run outside).
            paths: z.array(repositoryPath).max(1000).default([]),
          },
          { error: 'expected a mapping with action and/or paths' },
        )
        .default({ action: 'require-signoff', paths: [] }),
      diffLimits: z
        .strictObject(
          {
            action: gateAction.default('warn'),
            maxFiles: lineLimit.optional(),
            maxLines: lineLimit.optional(),
          },
          { error: 'expected a mapping with action, maxFiles and/or maxLines' },
        )
        .optional(),
    },
    { error: 'expected a mapping with tests, commands, secrets, protectedPaths, diffLimits' },
  )
  .optional();

/** An Ed25519 public key in OpenSSH form, as git's allowed-signers files have it. */
const sshEd25519Key = z
  .string({ error: 'expected a public key like ssh-ed25519 AAAA… name' })
  .max(1000)
  .regex(/^ssh-ed25519 [A-Za-z0-9+/]{68}(?: .*)?$/, {
    message: 'expected an Ed25519 public key like ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA… name',
  });

const signerName = z.string({ error: 'expected a name' }).min(1).max(200);

/**
 * Who may sign off on a change, and what a promotion needs. Every requirement must be met by
 * approving statements of trusted, unrevoked signers other than the session's author.
 */
const signoff = z
  .strictObject(
    {
      signers: z
        .array(
          z.strictObject(
            { name: signerName, key: sshEd25519Key, role: z.string().min(1).max(100).optional() },
            { error: 'expected a mapping with name, key and optionally role' },
          ),
          { error: 'expected a list of signers' },
        )
        .max(1000)
        .default([]),
      // Keys (OpenSSH form) or fingerprints (SHA256:…) whose statements never count.
      revoked: z
        .array(z.union([sshEd25519Key, z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/)]), {
          error: 'expected a list of keys or SHA256: fingerprints',
        })
        .max(1000)
        .default([]),
      require: z
        .array(
          z
            .strictObject(
              {
                role: z.string().min(1).max(100).optional(),
                of: z.array(signerName).min(1).max(100).optional(),
                count: z.number().int().min(1).max(100).default(1),
              },
              { error: 'expected a mapping with role or of, and count' },
            )
            .refine((rule) => (rule.role === undefined) !== (rule.of === undefined), {
              message: 'a requirement names either a role or a list of signers (of), not both',
            }),
          { error: 'expected a list of requirements' },
        )
        .max(20)
        .default([]),
    },
    { error: 'expected a mapping with signers, revoked and require' },
  )
  .optional();

/** Every section a policy may have, besides `version`. */
export const SECTIONS = {
  permissions,
  workspace,
  sandbox,
  network,
  budgets,
  gates,
  signoff,
  ssh,
} as const;

export const policySchema = z.strictObject({ version: z.literal(1), ...SECTIONS });

type Sections = z.output<typeof policySchema>;

/** A rule with where it was written, so a decision can point at it. */
export type LocatedRule = Rule & { readonly file: string; readonly line: number };

export type PermissionList = 'allow' | 'ask' | 'deny';

export interface Policy {
  readonly version: (typeof SUPPORTED_VERSIONS)[number];
  readonly permissions: Readonly<Record<PermissionList, readonly LocatedRule[]>>;
  readonly workspace?: Sections['workspace'];
  readonly sandbox?: Sections['sandbox'];
  readonly network?: Sections['network'];
  readonly budgets?: Sections['budgets'];
  readonly gates?: Sections['gates'];
  readonly signoff?: Sections['signoff'];
  readonly ssh?: Readonly<Record<PermissionList, readonly LocatedRule[]>> & {
    /** Whether the Bash allow rules of `permissions` hold on remote hosts too (default true). */
    readonly bashAllows: boolean;
  };
  /** The file it came from and the sha256 of its exact text: trust is given to one version. */
  readonly source: { readonly file: string; readonly digest: string };
}

/** The keys an object at `path` may have, for the "known keys" part of an error. */
export function knownKeys(path: readonly PropertyKey[]): string[] {
  let schema: z.ZodType = policySchema;
  for (const step of [...path, undefined]) {
    for (;;) {
      if (schema instanceof z.ZodOptional || schema instanceof z.ZodDefault)
        schema = schema.unwrap() as z.ZodType;
      else break;
    }
    if (step === undefined) break;
    if (schema instanceof z.ZodObject && typeof step === 'string' && step in schema.shape)
      schema = schema.shape[step] as z.ZodType;
    else if (schema instanceof z.ZodArray && typeof step === 'number')
      schema = schema.element as z.ZodType;
    else return [];
  }
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}
