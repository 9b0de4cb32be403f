/**
 * A Claude Code tool call (the PreToolUse body) in the policy's terms: the permission request the
 * engine decides, and the subject an answer covers (`Bash(npm install)`, `Edit(src/a.ts)`).
 */
import type { ApprovalKind } from '../../../shared/approvals';

export interface ToolCall {
  /** For the policy engine (see core/policy PermissionRequest). */
  permission:
    | { tool: 'Bash'; command: string }
    | { tool: 'Read' | 'Edit' | 'Write'; path: string }
    | { tool: 'WebFetch'; url: string }
    | { tool: 'Mcp'; server: string; toolName: string }
    | { tool: string };
  subject: string;
  kind: ApprovalKind;
  tool: string;
  /** The tool input as the agent sent it, for the person to read whole. */
  input: string;
}

const READ_TOOLS = new Set(['Read', 'Glob', 'Grep', 'LS', 'NotebookRead']);
const EDIT_TOOLS = new Set(['Edit', 'MultiEdit', 'NotebookEdit']);

/** Null when the body is not a tool call at all (no tool name, no input object). */
export function toPermissionRequest(body: Record<string, unknown>): ToolCall | null {
  const tool = body.tool_name;
  const input = body.tool_input;
  if (typeof tool !== 'string' || !tool || typeof input !== 'object' || input === null) return null;
  const fields = input as Record<string, unknown>;
  const text = (key: string) => (typeof fields[key] === 'string' ? (fields[key] as string) : null);
  const call = (
    permission: ToolCall['permission'],
    subject: string,
    kind: ApprovalKind,
  ): ToolCall => ({
    permission,
    subject,
    kind,
    tool,
    input: JSON.stringify(input, null, 2),
  });
  if (tool === 'Bash') {
    const command = text('command');
    return command === null ? null : call({ tool: 'Bash', command }, `Bash(${command})`, 'command');
  }
  const path = text('file_path') ?? text('notebook_path') ?? text('path');
  if (READ_TOOLS.has(tool))
    return call({ tool: 'Read', path: path ?? '.' }, `Read(${path ?? '.'})`, 'tool');
  if (EDIT_TOOLS.has(tool) || tool === 'Write') {
    if (path === null) return null;
    const as = tool === 'Write' ? 'Write' : 'Edit';
    return call({ tool: as, path }, `${as}(${path})`, 'tool');
  }
  if (tool === 'WebFetch') {
    const url = text('url');
    if (url === null) return null;
    let host = url;
    try {
      host = new URL(url).hostname;
    } catch {
      // an unparsable URL: the engine asks about it
    }
    return call({ tool: 'WebFetch', url }, `WebFetch(domain:${host})`, 'network');
  }
  const mcp = /^mcp__([^_]+(?:_[^_]+)*)__(.+)$/.exec(tool);
  if (mcp) {
    const [, server = '', toolName = ''] = mcp;
    return call({ tool: 'Mcp', server, toolName }, `Mcp(${server}:${toolName})`, 'mcp');
  }
  return call({ tool }, tool, 'tool');
}
