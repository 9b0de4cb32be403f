/**
 * Approvals: (1) the round trip of a tool call decided by rule, from the agent's hook POST to the
 * answer, through the real endpoint, policy and audit store; (2) how many prompts a person sees
 * per 100 tool calls of a scripted, realistic session under Paddock's policy, beside Claude Code's
 * default permissions (modelled: reads never ask; edits, writes, fetches and shell commands ask,
 * except the read-only commands Claude Code runs without asking).
 */
import { mkdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { agentGate } from '../src/main/agent-gate';
import { ApprovalService } from '../src/main/core/approvals';
import { HookServer, toPermissionRequest } from '../src/main/core/hooks';
import { makeRepository } from '../src/main/core/git/testing';
import { decide, parsePolicy, PolicyService, ready } from '../src/main/core/policy';
import { FAKE_AGENT_PRESET } from '../src/test-support/fixtures/fake-agent-preset';
import { parseCustomPreset } from '../src/main/core/agents';
import { testSessions } from '../src/test-support/sessions';
import { percentile, progress, withTempDir, type BenchResult } from './lib';

const ROUND_TRIPS = 500;
const POLICY = `version: 1
permissions:
  allow: ["Bash(npm test:*)", "Bash(npm run lint:*)", "Edit(./src/**)", "Edit(./test/**)"]
  deny: ["Bash(git push --force:*)"]
`;

/** A realistic session's tool calls: mostly reading and searching, edits, tests, one install, one push. */
const SESSION: Array<[tool: string, input: Record<string, string>]> = [
  ...Array.from(
    { length: 18 },
    (_, i) => ['Read', { file_path: `src/module-${i}.ts` }] as [string, Record<string, string>],
  ),
  ...Array.from(
    { length: 12 },
    (_, i) => ['Grep', { pattern: `symbol${i}`, path: 'src' }] as [string, Record<string, string>],
  ),
  ...Array.from(
    { length: 6 },
    () => ['Glob', { pattern: 'src/**/*.ts' }] as [string, Record<string, string>],
  ),
  ...Array.from(
    { length: 20 },
    (_, i) => ['Edit', { file_path: `src/module-${i % 9}.ts` }] as [string, Record<string, string>],
  ),
  ...Array.from(
    { length: 4 },
    (_, i) => ['Write', { file_path: `test/new-${i}.test.ts` }] as [string, Record<string, string>],
  ),
  ...Array.from(
    { length: 10 },
    () => ['Bash', { command: 'npm test' }] as [string, Record<string, string>],
  ),
  ...Array.from(
    { length: 4 },
    () => ['Bash', { command: 'npm run lint -- --fix' }] as [string, Record<string, string>],
  ),
  ...Array.from(
    { length: 8 },
    () => ['Bash', { command: 'git status' }] as [string, Record<string, string>],
  ),
  ...Array.from(
    { length: 6 },
    () => ['Bash', { command: 'git diff --stat' }] as [string, Record<string, string>],
  ),
  ['Bash', { command: 'git log --oneline -5' }],
  ['Bash', { command: 'ls -la src' }],
  ['Bash', { command: 'rg -n "TODO" src' }],
  ['Bash', { command: 'cat package.json | head -40' }],
  ['Bash', { command: 'git add -A && git commit -m "Fix the parser"' }],
  ['Bash', { command: 'npm install zod' }],
  ['Bash', { command: 'git push origin HEAD' }],
  ['Bash', { command: 'find src -name "*.ts" | wc -l' }],
  ['WebFetch', { url: 'https://docs.python.org/3/library/json.html' }],
  ['Bash', { command: 'sed -n 1,40p src/module-1.ts' }],
];

/** Claude Code runs these shell commands without asking in its default mode (read-only ones). */
const CLAUDE_READ_ONLY =
  /^(ls|pwd|cat|head|tail|wc|grep|rg|find|git (status|diff|log|show|branch))\b/;

function claudeDefaultAsks(tool: string, input: Record<string, string>): boolean {
  if (['Read', 'Grep', 'Glob', 'LS'].includes(tool)) return false;
  if (tool === 'Bash') {
    const command = input.command ?? '';
    return /[|;&><]/.test(command) || !CLAUDE_READ_ONLY.test(command);
  }
  return true;
}

export async function run(): Promise<BenchResult[]> {
  await ready();
  const rounds = await roundTrips();
  const prompts = promptsPer100();
  return [
    {
      name: 'hook round trip decided by rule, p50',
      value: percentile(rounds, 50),
      unit: 'ms',
      note: `target ≤ 20; ${ROUND_TRIPS} POSTs, real endpoint + policy + audit store`,
    },
    { name: 'hook round trip decided by rule, p99', value: percentile(rounds, 99), unit: 'ms' },
    {
      name: 'prompts per 100 tool calls, Paddock policy',
      value: prompts.paddock,
      unit: 'prompts',
      note: `${SESSION.length} calls: reads, searches, edits, tests, one install, one push`,
    },
    {
      name: 'prompts per 100 tool calls, Claude Code defaults',
      value: prompts.claude,
      unit: 'prompts',
      note: 'modelled (see bench/approvals.bench.ts)',
    },
  ];
}

async function roundTrips(): Promise<number[]> {
  return withTempDir(async (dir) => {
    const home = `${dir}/home`;
    const context = testSessions({
      home,
      presets: [parseCustomPreset(FAKE_AGENT_PRESET)],
      sourceEnv: {
        PATH: process.env.PATH,
        FAKE_AGENT_SCRIPT: JSON.stringify([{ type: 'wait', ms: 60_000 }]),
      },
    });
    mkdirSync(`${dir}/repo`);
    const repo = makeRepository(`${dir}/repo`, { 'README.md': '# bench\n' });
    const policies = new PolicyService(context.settings);
    const approvals = new ApprovalService(context.store, context.settings);
    const server = new HookServer(agentGate({ ...context, policies, approvals }));
    try {
      const session = await context.sessions.start(
        { project: repo, preset: 'fake' },
        { actor: 'person', actorId: 'bench' },
      );
      const { url } = await server.register(session.id);
      const body = JSON.stringify({
        hook_event_name: 'PreToolUse',
        tool_name: 'Bash',
        tool_input: { command: 'git status' },
      });
      const times: number[] = [];
      for (let i = 0; i < ROUND_TRIPS + 20; i++) {
        const started = performance.now();
        const answer = await post(url, body);
        if (i >= 20) times.push(performance.now() - started); // the first few warm up
        if (!answer.includes('"allow"')) throw new Error(`not allowed: ${answer}`);
      }
      progress(`${ROUND_TRIPS} hook round trips timed`);
      context.sessions.stop(session.id, { actor: 'person', actorId: 'bench' });
      return times;
    } finally {
      await server.close();
      await context.close();
    }
  });
}

function promptsPer100(): { paddock: number; claude: number } {
  const policy = parsePolicy(POLICY, '.paddock/policy.yaml');
  let paddock = 0;
  let claude = 0;
  for (const [tool, input] of SESSION) {
    const call = toPermissionRequest({ tool_name: tool, tool_input: input });
    if (!call) throw new Error(`bad scripted call ${tool}`);
    const decision = decide(call.permission, {
      repository: { policy, trusted: true },
      workspace: '/work/app',
    });
    if (decision.decision === 'ask') paddock++;
    if (claudeDefaultAsks(tool, input)) claude++;
  }
  return { paddock: (paddock / SESSION.length) * 100, claude: (claude / SESSION.length) * 100 };
}

function post(url: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', agent: false }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end(body);
  });
}
