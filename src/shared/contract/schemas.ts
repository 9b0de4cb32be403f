/**
 * The input schema of every call. Main validates every input against these before a handler sees
 * it: a renderer, a browser tab or a CLI on the other end is untrusted.
 */
import { z } from 'zod';
import type { CallName } from './names';
import { APPROVAL_SCOPES, APPROVAL_STATES } from '../approvals';
import { MAX_HEADER_TEMPLATE, MAX_SECRET_HOSTS } from '../vault';
import { TERMINAL_LIMITS } from '../sessions';
import { SSH_HOST_NAME } from '../ssh';

const seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const none = z.object({}).strict();
const sessionId = z.string().regex(/^ses_[0-9a-f]{8}$/, 'a session id looks like ses_0123abcd');
const bySession = z.object({ id: sessionId }).strict();
const path = z.string().min(1).max(4096);
const absolutePath = path.regex(/^(\/|[A-Za-z]:[\\/])/, 'an absolute path');
const presetId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'a preset id is lowercase letters, digits and dashes');
/** A branch name as git's check-ref-format allows it, kept to what Paddock needs. */
const branchName = z
  .string()
  .max(200)
  .regex(
    /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*@\{)(?!.*\.lock$)[A-Za-z0-9._/-]+(?<![./])$/,
    'a branch name such as main or release/1.2',
  );
const argv = z.array(z.string().max(100_000)).min(1).max(10_000);
const terminalSize = {
  cols: z.number().int().min(TERMINAL_LIMITS.cols.min).max(TERMINAL_LIMITS.cols.max),
  rows: z.number().int().min(TERMINAL_LIMITS.rows.min).max(TERMINAL_LIMITS.rows.max),
};

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
    .object({
      text: z.string().max(500),
      limit: z.number().int().min(1).max(200).optional(),
      /** Filters: every one given must hold. */
      sessionId: sessionId.optional(),
      projectId: z.string().min(1).max(200).optional(),
      /** Event kinds, or kind prefixes ending in `.` (`approval.`). */
      kinds: z.array(z.string().min(1).max(100)).max(50).optional(),
      actors: z
        .array(z.enum(['agent', 'person', 'policy', 'system']))
        .max(4)
        .optional(),
      since: z.iso.datetime().optional(),
      until: z.iso.datetime().optional(),
    })
    .strict(),
  /** A blob's content as text (UTF-8, at most `limit` bytes from its start; 1 MiB by default). */
  'audit.blob': z
    .object({
      hash: z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 in hex'),
      limit: z
        .number()
        .int()
        .min(1)
        .max(16 * 1024 * 1024)
        .optional(),
    })
    .strict(),
  'audit.verify': none,
  'audit.prune': z
    .object({ before: z.iso.datetime(), reason: z.string().min(1).max(500).optional() })
    .strict(),
  'settings.all': none,
  'settings.set': z.object({ key: z.string().min(1).max(200), value: z.unknown() }).strict(),
  'project.add': z.object({ path }).strict(),
  'project.list': none,
  'project.remove': z.object({ path }).strict(),
  'agents.detect': none,
  'session.start': z
    .object({
      project: path,
      preset: presetId.optional(),
      task: z.string().max(100_000).optional(),
      base: z.string().min(1).max(256).regex(/^[^-]/, 'a base cannot start with "-"').optional(),
      cols: terminalSize.cols.optional(),
      rows: terminalSize.rows.optional(),
      unsandboxed: z.boolean().optional(),
    })
    .strict(),
  'session.list': none,
  'session.get': bySession,
  'session.screen': bySession,
  'session.queue': z
    .object({
      id: sessionId,
      text: z
        .string()
        .min(1)
        .max(64 * 1024),
    })
    .strict(),
  'session.input': z.object({ id: sessionId, data: z.string().max(64 * 1024) }).strict(),
  'session.resize': z.object({ id: sessionId, ...terminalSize }).strict(),
  'session.pause': bySession,
  'session.resume': bySession,
  'session.stop': bySession,
  'session.discard': bySession,
  'session.diff': bySession,
  'sessions.gc': none,
  'session.export': z.object({ id: sessionId, format: z.enum(['asciicast']) }).strict(),
  'session.restart': bySession,
  'session.exec': z.object({ id: sessionId, argv }).strict(),
  'exec.run': z
    .object({
      project: path,
      argv,
      keep: z.boolean().optional(),
      unsandboxed: z.boolean().optional(),
    })
    .strict(),
  'policy.check': z
    .object({ project: path, commands: z.array(z.string().max(100_000)).max(10_000) })
    .strict(),
  'policy.show': z.object({ project: path }).strict(),
  'policy.trust': z.object({ project: path, sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict(),
  'policy.untrust': z.object({ project: path }).strict(),
  'approvals.list': z
    .object({
      state: z.enum(APPROVAL_STATES).optional(),
      limit: z.number().int().min(1).max(1000).optional(),
    })
    .strict(),
  'approvals.decide': z
    .object({
      ids: z
        .array(z.string().regex(/^apr_[0-9a-f]{12}$/, 'an approval id looks like apr_0123456789ab'))
        .min(1)
        .max(500),
      allow: z.boolean(),
      scope: z.enum(APPROVAL_SCOPES).default('once'),
      reason: z.string().max(2000).optional(),
    })
    .strict(),
  'secrets.list': none,
  // Names, values, hosts and headers are checked in depth by the vault, whose messages say what is
  // wrong without repeating a value; these bounds only keep a request small.
  'secrets.set': z
    .object({
      name: z.string().max(200),
      /** The value travels in this call's input only: no result, event or log carries it. */
      value: z.string().max(64 * 1024),
      hosts: z
        .array(z.string().max(300))
        .max(MAX_SECRET_HOSTS * 4)
        .optional(),
      header: z
        .string()
        .max(MAX_HEADER_TEMPLATE * 4)
        .optional(),
    })
    .strict(),
  'secrets.remove': z.object({ name: z.string().max(200) }).strict(),
  // Directories the host reads (recursively, `*.jsonl` only, links not followed); a client names
  // them absolutely, since the host's working directory is not its own.
  'costs.import': z
    .object({
      claude: z.array(absolutePath).max(100).default([]),
      codex: z.array(absolutePath).max(100).default([]),
      /** Also every Paddock session's agent home, each session's usage in that session. */
      paddockSessions: z.boolean().default(false),
    })
    .strict(),
  'costs.report': z
    .object({ since: z.iso.datetime().optional(), until: z.iso.datetime().optional() })
    .strict(),
  'costs.spend': z
    .object({
      sessionId: sessionId.optional(),
      since: z.iso.datetime().optional(),
      until: z.iso.datetime().optional(),
    })
    .strict(),
  'gates.run': z.object({ id: sessionId, target: branchName.optional() }).strict(),
  'gates.status': z.object({ id: sessionId, target: branchName.optional() }).strict(),
  'review.promote': z
    .object({
      id: sessionId,
      mode: z.enum(['squash', 'merge']).default('squash'),
      /** The commit message's first line; the session's task when absent. */
      message: z.string().min(1).max(2000).optional(),
      removeWorkspace: z.boolean().default(false),
    })
    .strict(),
  'review.reject': z
    .object({ id: sessionId, reason: z.string().min(1).max(20_000), sendBack: z.boolean() })
    .strict(),
  /** Sends the last run's failures (and `note`, if given) to the agent as a message. */
  'review.sendBack': z.object({ id: sessionId, note: z.string().max(20_000).optional() }).strict(),
  /** Signs the change (a local session's, or an imported review's) with the person's identity. */
  'review.sign': z
    .object({
      id: sessionId,
      decision: z.enum(['approve', 'reject']),
      reason: z.string().min(1).max(20_000).optional(),
    })
    .strict()
    .refine((input) => input.decision === 'approve' || input.reason !== undefined, {
      message: 'a rejection needs a reason',
    }),
  'review.export': bySession,
  /** A review bundle, or a signed statement (a DSSE envelope) coming back. */
  'review.import': z
    .object({
      text: z
        .string()
        .min(2)
        .max(64 * 1024 * 1024),
    })
    .strict(),
  'signoff.verify': bySession,
  /** A landed commit's sign-offs, from its git note, in any clone (the host reads that folder). */
  'signoff.verifyCommit': z
    .object({
      repo: absolutePath,
      commit: z
        .string()
        .min(1)
        .max(200)
        .regex(/^[^-\s]/, 'a revision')
        .optional(),
    })
    .strict(),
  'identity.create': z.object({ name: z.string().trim().min(1).max(200) }).strict(),
  'identity.show': none,
  'identity.export': z.object({ passphrase: z.string().min(12).max(1024) }).strict(),
  'identity.import': z
    .object({
      backup: z
        .string()
        .min(2)
        .max(64 * 1024),
      passphrase: z.string().min(1).max(1024),
    })
    .strict(),
  'ssh.list': none,
  // Names, addresses, users, fingerprints and keys are checked in depth by core/ssh, whose messages
  // never repeat a key; these bounds only keep a request small.
  'ssh.add': z
    .object({
      name: z.string().max(200),
      address: z.string().max(300),
      port: z.number().int().optional(),
      user: z.string().max(200),
      fingerprint: z.string().max(200).optional(),
      /** The key travels in this call's input only: no result, event or log carries it. */
      privateKey: z.string().max(64 * 1024),
    })
    .strict(),
  'ssh.remove': z.object({ name: z.string().max(200) }).strict(),
  /** `pin`: the fingerprint the person confirmed; the host must offer exactly that key. */
  'ssh.test': z.object({ name: z.string().max(200), pin: z.string().max(200).optional() }).strict(),
  'operator.start': z
    .object({
      host: z.string().regex(SSH_HOST_NAME, 'a host name as `paddock ssh list` shows it'),
      goal: z.string().trim().min(1, 'say what the operator should do').max(8000),
      maxSteps: z.number().int().min(1).max(1000).optional(),
      maxMinutes: z
        .number()
        .positive()
        .max(24 * 60)
        .optional(),
      maxBudgetUsd: z.number().positive().max(100_000).nullable().optional(),
      /** A name from the operator.providers setting; default: operator.defaultModel's. */
      provider: z
        .string()
        .regex(/^[a-z][a-z0-9-]{0,39}$/, 'a provider name is like anthropic')
        .optional(),
      model: z.string().min(1).max(200).optional(),
    })
    .strict(),
  'operator.list': none,
  'operator.get': bySession,
  'operator.pause': bySession,
  'operator.resume': bySession,
  'operator.note': z.object({ id: sessionId, text: z.string().trim().min(1).max(4000) }).strict(),
  'operator.stop': bySession,
  'operator.takeover': z.object({ id: sessionId, ...terminalSize }).strict(),
  'operator.handback': bySession,
} satisfies Record<CallName, z.ZodType>;

export type CallInput<N extends CallName> = z.input<(typeof INPUTS)[N]>;
