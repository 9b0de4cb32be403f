/**
 * The per-session HOME an agent runs with. Its configuration, credentials cache and transcripts
 * land there, never in the person's own home, and it holds only what Paddock put in it: a git
 * identity and, per agent, what makes the agent start straight into work in a pseudo-terminal.
 */
import {
  chmodSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { hasControlCharacter } from './control-characters';
import { AgentLaunchError } from './errors';
import type { AgentPreset } from './presets';

/** The model endpoint Paddock gives the agent (a loopback broker, or the provider itself). */
export interface ModelEndpoint {
  baseUrl?: string;
  apiKey?: string;
  /**
   * The variable the key travels in, when not the one the preset declares for it: a bearer token
   * goes in ANTHROPIC_AUTH_TOKEN, an account sign-in token in CLAUDE_CODE_OAUTH_TOKEN.
   */
  keyVariable?: string;
}

export interface Person {
  name: string;
  email: string;
}

export interface SessionHomeRequest {
  /** The directory to become the agent's HOME; created when missing. */
  home: string;
  preset: AgentPreset;
  /** The workspace the agent starts in, as the agent will see it. */
  workspace: string;
  /** Whose commits the agent makes. */
  person: Person;
  model: ModelEndpoint;
}

export interface SessionHome {
  path: string;
  /** The files Paddock wrote, for the session's audit record. */
  files: string[];
}

const PRIVATE_DIR = 0o700;
const PRIVATE_FILE = 0o600;
/** Claude Code remembers an approved key by its last 20 characters. */
const CLAUDE_KEY_SUFFIX_LENGTH = 20;

/**
 * Synchronous on purpose: a few small files, written before the agent starts, and the caller
 * must not spawn before they are there.
 */
export function prepareSessionHome(request: SessionHomeRequest): SessionHome {
  const { home, preset, workspace, person, model } = request;
  if (!isAbsolute(home))
    throw new AgentLaunchError(`The session home must be an absolute path, not "${home}".`);
  if (!isAbsolute(workspace)) {
    throw new AgentLaunchError(`The workspace must be an absolute path, not "${workspace}".`);
  }
  mkdirSync(home, { recursive: true, mode: PRIVATE_DIR });
  // mkdir leaves an existing directory's mode alone, and the umask may have narrowed a new one.
  chmodSync(home, PRIVATE_DIR);
  const files = [writeGitConfig(home, person)];
  if (preset.homeSetup === 'claude-code') files.push(writeClaudeConfig(home, workspace, model));
  return { path: home, files };
}

/** `.gitconfig` with only the identity: the agent's commits carry the person's name and email. */
function writeGitConfig(home: string, person: Person): string {
  const path = join(home, '.gitconfig');
  const text = `[user]\n\tname = ${gitConfigValue('name', person.name)}\n\temail = ${gitConfigValue('email', person.email)}\n`;
  writePrivateFile(path, text);
  return path;
}

/** A git config value in double quotes; line breaks are refused since they would start new keys. */
function gitConfigValue(field: 'name' | 'email', value: string): string {
  if (!value.trim()) throw new AgentLaunchError(`The person's ${field} for git commits is empty.`);
  if (hasControlCharacter(value)) {
    throw new AgentLaunchError(
      `The person's ${field} for git commits contains a line break or control character.`,
    );
  }
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * `~/.claude.json` that lets Claude Code start straight into work: onboarding done (a fresh one
 * tries to reach api.anthropic.com and stops), the workspace trusted (no trust dialog), and the
 * key approved (no "use this API key?" dialog). Whatever Claude Code wrote there in an earlier run
 * of the session (a resume) is kept.
 */
function writeClaudeConfig(home: string, workspace: string, model: ModelEndpoint): string {
  const path = join(home, '.claude.json');
  const config = readClaudeConfig(path);
  const projects = objectAt(config, 'projects');
  for (const projectPath of workspacePaths(workspace)) {
    projects[projectPath] = { ...objectAt(projects, projectPath), hasTrustDialogAccepted: true };
  }
  const approved = model.apiKey ? [model.apiKey.slice(-CLAUDE_KEY_SUFFIX_LENGTH)] : [];
  const updated = {
    ...config,
    hasCompletedOnboarding: true,
    projects,
    customApiKeyResponses: { approved, rejected: [] },
  };
  writePrivateFile(path, `${JSON.stringify(updated, null, 2)}\n`);
  return path;
}

type JsonObject = Record<string, unknown>;

function readClaudeConfig(path: string): JsonObject {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return {};
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (isJsonObject(parsed)) return parsed;
  } catch {
    // falls through: kept aside below
  }
  // Unreadable, yet it may be worth a look: set it aside rather than overwrite it.
  renameSync(path, `${path}.unreadable-${Date.now()}`);
  return {};
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objectAt(parent: JsonObject, key: string): JsonObject {
  const value = parent[key];
  return isJsonObject(value) ? { ...value } : {};
}

/** Claude Code keys projects by its working directory, which is the real path once started. */
function workspacePaths(workspace: string): string[] {
  let real = workspace;
  try {
    real = realpathSync(workspace);
  } catch {
    // not there yet: the path as given is all there is to trust
  }
  return real === workspace ? [workspace] : [workspace, real];
}

function writePrivateFile(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode: PRIVATE_FILE });
  renameSync(temporary, path);
}
