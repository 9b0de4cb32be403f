/**
 * What every session may reach without a question: its agent's own API host, and the package
 * registries builds fetch from. These are allow rules after the person's own (so a deny in any
 * policy still wins), and the registries are inspected, so every package fetched is on the record.
 */
import { parsePolicy, type Policy } from '../policy';

/** The API hosts each built-in agent calls (a custom preset's come from the model setting). */
const AGENT_HOSTS: Readonly<Record<string, readonly string[]>> = {
  claude: ['api.anthropic.com:443'],
  codex: ['api.openai.com:443', 'chatgpt.com:443'],
  gemini: ['generativelanguage.googleapis.com:443'],
  aider: ['api.anthropic.com:443', 'api.openai.com:443'],
};

export const REGISTRY_HOSTS: readonly string[] = [
  'registry.npmjs.org:443',
  'registry.yarnpkg.com:443',
  'pypi.org:443',
  'files.pythonhosted.org:443',
  'crates.io:443',
  'index.crates.io:443',
  'static.crates.io:443',
  'proxy.golang.org:443',
  'sum.golang.org:443',
  'rubygems.org:443',
  'repo.maven.apache.org:443',
];

const PRESET_FILE = "Paddock's network presets";

/** The presets for one agent as a policy: allow rules, and the registries inspected. */
export function presetPolicy(agent: string, modelHost: string | null): Policy {
  const hosts = [
    ...(AGENT_HOSTS[agent] ?? []),
    ...(modelHost ? [modelHost] : []),
    ...REGISTRY_HOSTS,
  ];
  const allow = hosts.map((host) => `    - ${JSON.stringify(`Network(${host})`)}`).join('\n');
  const inspect = REGISTRY_HOSTS.map((host) => `    - ${JSON.stringify(host)}`).join('\n');
  return parsePolicy(
    `version: 1\npermissions:\n  allow:\n${allow}\nnetwork:\n  inspect:\n${inspect}\n`,
    PRESET_FILE,
  );
}

/** The person's policy with the presets' allows and inspected hosts after their own. */
export function withPresets(personal: Policy | null, presets: Policy): Policy {
  if (!personal) return presets;
  return {
    ...personal,
    permissions: {
      ...personal.permissions,
      allow: [...personal.permissions.allow, ...presets.permissions.allow],
    },
    network: {
      inspect: [...(personal.network?.inspect ?? []), ...(presets.network?.inspect ?? [])],
    },
  };
}

/** `host:port` of a model endpoint URL, or null when it names none. */
export function endpointOf(url: string): { host: string; port: number } | null {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
    const port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
    return { host: parsed.hostname.replace(/^\[|\]$/g, ''), port };
  } catch {
    return null;
  }
}
