import { CALLS, type CallName, type PaddockApi, type Transport } from './index';

/** Builds the typed client over any transport: one method per call in the contract, nothing else. */
export function createApi(transport: Transport): PaddockApi {
  const api: Record<string, Record<string, unknown>> = {};
  for (const name of CALLS) {
    const [domain, method] = name.split('.') as [string, string];
    api[domain] ??= {};
    api[domain][method] = (input: unknown) =>
      transport.call(name as CallName, (input ?? {}) as never);
  }
  return Object.assign(api, { on: transport.subscribe.bind(transport) }) as unknown as PaddockApi;
}
