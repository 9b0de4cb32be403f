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
  'audit.blob',
  'audit.verify',
  'audit.prune',
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
  'policy.check',
  'policy.show',
  'policy.trust',
  'policy.untrust',
  'approvals.list',
  'approvals.decide',
  'secrets.list',
  'secrets.set',
  'secrets.remove',
  'costs.import',
  'costs.spend',
  'costs.report',
  'gates.run',
  'gates.status',
  'review.promote',
  'review.reject',
  'review.sendBack',
  'review.sign',
  'review.export',
  'review.import',
  'signoff.verify',
  'signoff.verifyCommit',
  'identity.create',
  'identity.show',
  'identity.export',
  'identity.import',
  'ssh.list',
  'ssh.add',
  'ssh.remove',
  'ssh.test',
  'operator.start',
  'operator.list',
  'operator.get',
  'operator.pause',
  'operator.resume',
  'operator.note',
  'operator.stop',
  'operator.takeover',
  'operator.handback',
] as const;
export type CallName = (typeof CALLS)[number];

export const TOPICS = [
  'audit.appended',
  'session.output',
  'session.changed',
  'approvals.changed',
  'review.changed',
  'operator.changed',
] as const;
/**
 * A topic, or one session's output alone (`session.output:<session id>`): a window that shows
 * one terminal should not receive, and parse, what twenty agents print.
 */
export type Topic = (typeof TOPICS)[number] | SessionOutputTopic;
export type SessionOutputTopic = `session.output:${string}`;

const SESSION_OUTPUT_TOPIC = /^session\.output:ses_[0-9a-f]{8,32}$/;

export function sessionOutputTopic(sessionId: string): SessionOutputTopic {
  return `session.output:${sessionId}`;
}

export function isCallName(value: unknown): value is CallName {
  return typeof value === 'string' && (CALLS as readonly string[]).includes(value);
}

export function isTopic(value: unknown): value is Topic {
  return (
    typeof value === 'string' &&
    ((TOPICS as readonly string[]).includes(value) || SESSION_OUTPUT_TOPIC.test(value))
  );
}
