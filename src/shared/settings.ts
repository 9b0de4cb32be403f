import { z } from 'zod';
import { MAX_HEADER_TEMPLATE, MAX_SECRET_HOSTS, MAX_SECRETS, SECRET_NAME } from './vault';
import { MAX_SSH_HOSTS, SSH_FINGERPRINT, SSH_HOST_NAME, SSH_USER } from './ssh';

/**
 * Paddock's own settings: every key, its schema and its default. A key not listed here is refused,
 * and every change is an audit event, values included. No setting holds a secret: secrets live in
 * the vault (the OS keychain), and agents get them through the credential broker. Later features
 * add their keys here.
 */
export const SETTINGS = {
  'ui.theme': {
    schema: z.enum(['system', 'light', 'dark']),
    default: 'system',
    help: 'Colour theme of the app.',
  },
  'workspaces.root': {
    schema: z.union([
      z.literal(''),
      z
        .string()
        .startsWith('/')
        .max(4096)
        // Kernel filesystems: Node's recursive mkdir never returns under /proc.
        .refine((path) => !/^\/(proc|sys)(\/|$)/.test(path), 'not under /proc or /sys'),
    ]),
    default: '',
    help: 'Where session workspaces are made (empty: $PADDOCK_HOME/workspaces).',
  },
  'agents.custom': {
    // The shape of each preset is checked in main (core/agents) when the setting changes.
    schema: z.array(z.record(z.string(), z.unknown())).max(50),
    default: [],
    help: 'Your own agent presets: [{"id","name","command","args","taskArg","env"}].',
  },
  'agents.model.baseUrl': {
    schema: z.union([z.literal(''), z.url({ protocol: /^https?$/ }).max(2048)]),
    default: '',
    help: 'Model endpoint given to agents that do not go through the credential broker (unsandboxed, or no key for their provider in the vault), such as a local model server, with the stand-in key paddock-no-key; empty: the agent’s own default.',
  },
  'broker.upstream.anthropic': {
    schema: z.url({ protocol: /^https?$/ }).max(2048),
    default: 'https://api.anthropic.com',
    help: 'Where the credential broker sends Claude Code’s model calls, with the real key from the vault (ANTHROPIC_API_KEY).',
  },
  'broker.upstream.openai': {
    schema: z.url({ protocol: /^https?$/ }).max(2048),
    default: 'https://api.openai.com',
    help: 'Where the credential broker sends Codex’s model calls, with the real key from the vault (OPENAI_API_KEY).',
  },
  'policy.personal': {
    // Parsed (and refused with file, line and column when broken) by core/policy when it changes.
    schema: z.string().max(256 * 1024),
    default: '',
    help: 'Your own policy, in the form of .paddock/policy.yaml (YAML, version: 1). Its denies always win.',
  },
  'policy.trusted': {
    schema: z.record(
      z.string().startsWith('/').max(4096),
      z.object({
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
        text: z.string().max(256 * 1024),
        trustedAt: z.string().max(64),
      }),
    ),
    default: {},
    help: 'Repository policies you trust, by project: exactly the version you accepted (paddock policy trust).',
  },
  'agents.mcpServers': {
    schema: z.record(
      z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a server name is letters, digits, _ and -'),
      z
        .object({
          command: z.string().min(1).max(4096),
          args: z.array(z.string().max(4096)).max(100).default([]),
          env: z
            .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string().max(4096))
            .optional(),
        })
        .strict(),
    ),
    default: {},
    help: 'MCP servers your agents get, by name ({"name": {"command", "args"}}); their tool calls pass the policy as Mcp(name:tool). A repository’s .mcp.json is never loaded.',
  },
  'notifications.doNotDisturb': {
    schema: z.boolean(),
    default: false,
    help: 'No notifications (the inbox still fills and its count still shows).',
  },
  'approvals.expiryMinutes': {
    schema: z
      .number()
      .int()
      .min(1)
      .max(24 * 60),
    default: 10,
    help: 'How long a request waits for an answer before it is denied.',
  },
  'approvals.project': {
    // Answers "allow for this project", per project path, as policy rules: your own, so trusted.
    schema: z.record(
      z.string().startsWith('/').max(4096),
      z.array(z.string().max(10_000)).max(1000),
    ),
    default: {},
    help: 'What you allowed for a whole project from the inbox (rules like Bash(npm install)).',
  },
  'audit.retentionDays': {
    // core/retention applies it at start and daily; 0 (or empty) keeps everything.
    schema: z.union([z.literal(''), z.number().int().min(0).max(36_500)]),
    default: 0,
    help: 'How many days terminal output and other large content (command output, diffs) stay in the audit store; older content is dropped, at start and daily, and a tombstone for each piece says so (every event stays, and the chain still verifies). 0 or empty: keep everything. `paddock audit prune --before 30d` does the same by hand.',
  },
  'sandbox.limits': {
    schema: z
      .object({
        processes: z.number().int().min(16).max(100_000),
        memoryMiB: z.number().int().min(64).max(1_048_576),
        cpuSeconds: z.number().int().min(1).max(31_536_000),
        fileMiB: z.number().int().min(1).max(1_048_576),
        diskMiB: z.number().int().min(16).max(16_777_216),
        tmpMiB: z.number().int().min(1).max(1_048_576),
      })
      .strict(),
    default: {
      processes: 1024,
      memoryMiB: 8192,
      cpuSeconds: 8 * 3600,
      fileMiB: 4096,
      diskMiB: 20_480,
      tmpMiB: 1024,
    },
    help: 'Limits of each session’s sandbox: processes, memory (MiB), CPU seconds per process, largest file (MiB), workspace and temp growth (MiB), private /tmp (MiB). A breach stops the session.',
  },
  'vault.secrets': {
    // The vault's non-secret index; the values are in the OS keychain. Hosts and header are checked
    // in depth by core/vault, the only writer (a direct `settings set` of this key is refused there).
    schema: z
      .record(
        z.string().regex(SECRET_NAME, 'a secret name is like OPENAI_API_KEY'),
        z
          .object({
            hosts: z.array(z.string().min(1).max(300)).max(MAX_SECRET_HOSTS),
            header: z.string().min(1).max(MAX_HEADER_TEMPLATE),
            setAt: z.string().max(64),
            rotatedAt: z.string().max(64).nullable(),
          })
          .strict(),
      )
      .refine(
        (index) => Object.keys(index).length <= MAX_SECRETS,
        `at most ${MAX_SECRETS} secrets`,
      ),
    default: {},
    help: 'The vault’s index: each secret’s hosts, header and when it was set (the values are in the OS keychain, never here). Changed only by `paddock secrets set` and `paddock secrets rm`.',
  },
  'identity.self': {
    // The public half of the person's signing identity; its private key is in the OS keychain.
    // Changed only by `paddock identity create` and `import` (a direct `settings set` is refused).
    schema: z
      .object({
        name: z.string().min(1).max(200),
        publicKey: z.string().regex(/^ssh-ed25519 [A-Za-z0-9+/]{68}(?: .*)?$/),
        fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/),
        createdAt: z.string().max(64),
      })
      .strict()
      .nullable(),
    default: null,
    help: 'Your signing identity for sign-offs: its name and public key (the private key is in the OS keychain). Changed only by `paddock identity create` and `paddock identity import`.',
  },
  'ssh.hosts': {
    // Checked in depth by core/ssh, the only writer (a direct `settings set` is refused there), so
    // nobody pins a host key without the host having shown it.
    schema: z
      .record(
        z.string().regex(SSH_HOST_NAME, 'a host name is like staging or build-01'),
        z
          .object({
            name: z.string().regex(SSH_HOST_NAME),
            address: z.string().min(1).max(253),
            port: z.number().int().min(1).max(65_535),
            user: z.string().regex(SSH_USER),
            keySecret: z.string().regex(SECRET_NAME),
            hostKey: z.string().regex(SSH_FINGERPRINT).nullable(),
            expectedHostKey: z.string().regex(SSH_FINGERPRINT).nullable(),
            addedAt: z.string().max(64),
            pinnedAt: z.string().max(64).nullable(),
          })
          .strict(),
      )
      .refine(
        (hosts) => Object.keys(hosts).length <= MAX_SSH_HOSTS,
        `at most ${MAX_SSH_HOSTS} hosts`,
      ),
    default: {},
    help: 'Hosts the remote operator works on over SSH: address, port, user, the vault secret with the private key, and the host key pinned at first connect. Changed only by `paddock ssh add`, `paddock ssh test` and `paddock ssh rm`.',
  },
  'costs.prices': {
    // LiteLLM's field names; core/costs merges each entry over the bundled one (or adds the model).
    schema: z
      .record(
        z.string().min(1).max(256),
        z
          .object({
            input_cost_per_token: z.number().min(0),
            output_cost_per_token: z.number().min(0),
            cache_creation_input_token_cost: z.number().min(0),
            cache_read_input_token_cost: z.number().min(0),
            input_cost_per_token_above_200k_tokens: z.number().min(0),
            output_cost_per_token_above_200k_tokens: z.number().min(0),
            cache_creation_input_token_cost_above_200k_tokens: z.number().min(0),
            cache_read_input_token_cost_above_200k_tokens: z.number().min(0),
            max_input_tokens: z.number().min(0),
            max_output_tokens: z.number().min(0),
          })
          .partial()
          .strict(),
      )
      .refine((prices) => Object.keys(prices).length <= 500, 'at most 500 models'),
    default: {},
    help: 'Your own model prices in US dollars per token, by model, with LiteLLM’s field names ({"claude-sonnet-4-5": {"input_cost_per_token": 3e-6, "output_cost_per_token": 1.5e-5}}). Each overrides the bundled price table’s entry field by field, or adds a model it lacks.',
  },
  'costs.budgets': {
    // The same limits as a policy's `budgets` section; the smallest of all that are set holds.
    schema: z
      .strictObject({
        session: z.number().positive().max(1_000_000),
        project: z.number().positive().max(1_000_000),
        day: z.number().positive().max(1_000_000),
      })
      .partial(),
    default: {},
    help: 'Spending limits for model calls in US dollars: {"session": 5, "project": 50, "day": 20}. A call that could pass one is held in the inbox (raise or stop); at 80% a notification. A policy’s budgets section can only lower them.',
  },
  'operator.providers': {
    // Called only through the credential broker, which puts the named vault secret in.
    schema: z
      .array(
        z.strictObject({
          name: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'a provider name is like anthropic'),
          api: z.enum(['anthropic-messages', 'openai-chat']),
          baseUrl: z.url({ protocol: /^https?$/ }).max(2048),
          secret: z.string().regex(SECRET_NAME, 'a secret name is like ANTHROPIC_API_KEY'),
        }),
      )
      .max(20)
      .refine(
        (providers) => new Set(providers.map((p) => p.name)).size === providers.length,
        'provider names are unique',
      ),
    default: [
      {
        name: 'anthropic',
        api: 'anthropic-messages',
        baseUrl: 'https://api.anthropic.com',
        secret: 'ANTHROPIC_API_KEY',
      },
    ],
    help: 'Model providers for the remote operator: [{"name","api": "anthropic-messages" | "openai-chat","baseUrl","secret"}]. The base URL is as the provider’s own clients take it: https://api.anthropic.com for Anthropic, with /v1 for OpenAI-compatible servers (https://api.openai.com/v1, Ollama’s http://127.0.0.1:11434/v1, llama.cpp’s). The key is the named vault secret, put in by the credential broker; the operator never holds it.',
  },
  'operator.defaultModel': {
    schema: z.strictObject({
      provider: z.string().min(1).max(40),
      model: z.string().min(1).max(200),
    }),
    default: { provider: 'anthropic', model: 'claude-sonnet-4-5' },
    help: 'The remote operator’s model: {"provider": a name from operator.providers, "model": the provider’s model id}.',
  },
} as const;

export type SettingKey = keyof typeof SETTINGS;
export type SettingValue<K extends SettingKey> = z.infer<(typeof SETTINGS)[K]['schema']>;
export type SettingsValues = { [K in SettingKey]: SettingValue<K> };

export function isSettingKey(key: string): key is SettingKey {
  return Object.prototype.hasOwnProperty.call(SETTINGS, key);
}
