/**
 * The contract, implemented once. Every transport hands (name, input) to `handle`, which refuses
 * unknown calls, validates the input with the shared schema, runs the handler, and turns every
 * failure into a typed error: a bad request never crashes the host.
 */
import {
  ContractError,
  isCallName,
  type CallName,
  type CallOutput,
  type CallResult,
} from '../../shared/contract';
import { INPUTS } from '../../shared/contract/schemas';
import type { z } from 'zod';

export type Handler<N extends CallName> = (
  input: z.output<(typeof INPUTS)[N]>,
) => CallOutput<N> | Promise<CallOutput<N>>;
export type Handlers = { [N in CallName]: Handler<N> };

/** Errors whose message is meant for the person (they name the problem and what to do). */
export type IsUserFacing = (error: unknown) => error is Error;

export interface Router {
  handle(name: unknown, input: unknown): Promise<CallResult>;
}

export function createRouter(handlers: Handlers, isUserFacing: IsUserFacing): Router {
  return {
    async handle(name, input) {
      if (!isCallName(name)) {
        return failure(
          new ContractError(
            'unknown-call',
            typeof name === 'string'
              ? `There is no call named ${JSON.stringify(name.slice(0, 100))}.`
              : `A call name must be a string, not ${name === null ? 'null' : typeof name}.`,
          ),
        );
      }
      const parsed = INPUTS[name].safeParse(input ?? {});
      if (!parsed.success) {
        const issues = parsed.error.issues.map((issue) => ({
          path: issue.path.join('.') || '(input)',
          message: issue.message,
        }));
        return failure(
          new ContractError(
            'bad-input',
            `Bad input for ${name}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
            issues,
          ),
        );
      }
      try {
        const value = await (handlers[name] as Handler<CallName>)(parsed.data as never);
        return { ok: true, value };
      } catch (error) {
        if (error instanceof ContractError) return failure(error);
        if (isUserFacing(error)) return failure(new ContractError('failed', error.message));
        console.error(`paddock: ${name} failed:`, error);
        return failure(
          new ContractError(
            'internal',
            `Paddock hit an unexpected error in ${name}. The host's log has the details.`,
          ),
        );
      }
    },
  };
}

function failure(error: ContractError): CallResult {
  return { ok: false, error: error.toShape() };
}
