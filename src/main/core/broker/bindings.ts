/**
 * Where a secret may go: its host specs, written as Network rules write hosts (`api.example.com`,
 * `*.example.com`, `api.example.com:8443`), matched by the policy's own matcher so a secret's hosts
 * mean exactly what a rule's do.
 */
import { hostMatches, parseRule } from '../policy';

/** Whether a host spec (in Network rule form, as the vault keeps them) covers host and port. */
export function boundTo(specs: readonly string[], host: string, port?: number): boolean {
  return specs.some((spec) => {
    const parsed = parseRule(`Network(${spec})`);
    const matcher = parsed.ok ? parsed.rule.matcher : undefined;
    return matcher?.kind === 'host' && hostMatches(matcher, host, port);
  });
}
