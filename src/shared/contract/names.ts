/**
 * The names of every call and every event topic between a client and main. Kept free of zod so the
 * sandboxed preload can build its typed client from it without bundling a validator.
 */
export const CALLS = [
  'system.info',
  'doctor.run',
  'audit.list',
  'audit.get',
  'audit.search',
  'audit.verify',
  'settings.all',
  'settings.set',
  'project.add',
  'project.list',
  'project.remove',
  'agents.detect',
  'session.start',
  'session.list',
  'session.get',
  'session.screen',
  'session.queue',
  'session.input',
  'session.resize',
  'session.pause',
  'session.resume',
  'session.stop',
  'session.discard',
  'session.diff',
  'sessions.gc',
  'session.export',
  'session.restart',
  'session.exec',
  'exec.run',
] as const;
export type CallName = (typeof CALLS)[number];

export const TOPICS = ['audit.appended', 'session.output', 'session.changed'] as const;
export type Topic = (typeof TOPICS)[number];

export function isCallName(value: unknown): value is CallName {
  return typeof value === 'string' && (CALLS as readonly string[]).includes(value);
}

export function isTopic(value: unknown): value is Topic {
  return typeof value === 'string' && (TOPICS as readonly string[]).includes(value);
}
