/**
 * The input schema of every call. Main validates every input against these before a handler sees
 * it: a renderer, a browser tab or a CLI on the other end is untrusted.
 */
import { z } from 'zod';
import type { CallName } from './names';

const seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const none = z.object({}).strict();

export const INPUTS = {
  'system.info': none,
  'doctor.run': none,
  'audit.list': z
    .object({
      afterSeq: seq.optional(),
      beforeSeq: seq.optional(),
      sessionId: z.string().min(1).max(200).optional(),
      limit: z.number().int().min(1).max(1000).optional(),
      order: z.enum(['asc', 'desc']).optional(),
    })
    .strict(),
  'audit.get': z.object({ seq }).strict(),
  'audit.search': z
    .object({ text: z.string().max(500), limit: z.number().int().min(1).max(200).optional() })
    .strict(),
  'audit.verify': none,
  'settings.all': none,
  'settings.set': z.object({ key: z.string().min(1).max(200), value: z.unknown() }).strict(),
} satisfies Record<CallName, z.ZodType>;

export type CallInput<N extends CallName> = z.input<(typeof INPUTS)[N]>;
