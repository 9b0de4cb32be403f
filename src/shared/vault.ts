/**
 * The vault's shapes, shared by main and its clients. A secret's value lives in the OS keychain
 * only; what is here (its name, the hosts it may be sent to, the header it goes in, when it was set)
 * is the non-secret index, and nothing in it is derived from the value.
 */

/** Upper case, digits and underscores, starting with a letter: `OPENAI_API_KEY`. */
export const SECRET_NAME = /^[A-Z][A-Z0-9_]{0,63}$/;
/** The largest value the vault keeps, in UTF-8 bytes. */
export const MAX_SECRET_BYTES = 16 * 1024;
export const MAX_SECRET_HOSTS = 32;
export const MAX_SECRETS = 500;
export const MAX_HEADER_TEMPLATE = 1024;
/** Where a secret goes in a request when no header is given: `{}` marks the value. */
export const DEFAULT_SECRET_HEADER = 'Authorization: Bearer {}';

/** One secret as listed: never its value, nor anything derived from it. */
export interface SecretEntry {
  name: string;
  /** Host specs as in Network rules (`api.example.com`, `*.example.com`, `:port`); may be empty. */
  hosts: string[];
  /** `Header-Name: text {} text`, `{}` marking where the value goes. */
  header: string;
  /** When it was first set (ISO 8601). */
  setAt: string;
  /** When its value was last replaced, or null if never. */
  rotatedAt: string | null;
}

/**
 * The vault secrets a sandboxed agent's model calls may carry, per provider, in order of
 * preference, and the header each travels in. Claude Code reads an API key from ANTHROPIC_API_KEY,
 * a bearer token from ANTHROPIC_AUTH_TOKEN, and the account sign-in token `claude setup-token`
 * prints from CLAUDE_CODE_OAUTH_TOKEN. The model broker sends them to the provider's upstream (the
 * `broker.upstream.*` settings), whatever hosts the secret is bound to on the proxy's path.
 */
export const MODEL_CREDENTIALS = {
  anthropic: [
    { secret: 'ANTHROPIC_API_KEY', header: 'x-api-key' },
    { secret: 'ANTHROPIC_AUTH_TOKEN', header: 'authorization-bearer' },
    { secret: 'CLAUDE_CODE_OAUTH_TOKEN', header: 'authorization-bearer' },
  ],
  openai: [{ secret: 'OPENAI_API_KEY', header: 'authorization-bearer' }],
} as const satisfies Record<
  string,
  ReadonlyArray<{ secret: string; header: 'x-api-key' | 'authorization-bearer' }>
>;

/** What decides where a secret goes besides its hosts: the model upstreams, the operator's providers. */
export interface ModelRoutes {
  upstreams: { anthropic: string; openai: string };
  operatorProviders: ReadonlyArray<{ name: string; baseUrl: string; secret: string }>;
}

/** Where a secret is sent as a model key, for a person: one line per route. */
export function modelKeyRoutes(name: string, routes: ModelRoutes): string[] {
  const lines: string[] = [];
  for (const [provider, credentials] of Object.entries(MODEL_CREDENTIALS))
    if (credentials.some((credential) => credential.secret === name))
      lines.push(
        `agents' model calls, to ${routes.upstreams[provider as keyof typeof MODEL_CREDENTIALS]}`,
      );
  for (const provider of routes.operatorProviders)
    if (provider.secret === name)
      lines.push(`the operator's model calls (${provider.name}), to ${provider.baseUrl}`);
  return lines;
}
