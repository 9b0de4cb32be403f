/**
 * Presets a person defines for an agent CLI Paddock does not know. The input comes from a person
 * (settings, a form, a file), so it is validated whole and refused with a message naming each
 * problem, rather than half-used.
 */
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { hasControlCharacter } from './control-characters';
import { AgentPresetError } from './errors';
import {
  BUILT_IN_PRESETS,
  type AgentPreset,
  type EnvValueSource,
  type TaskPassing,
} from './presets';

const PRESET_ID = /^[a-z0-9][a-z0-9-]{0,39}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TASK_ARG = /^(append|none|flag:--?[A-Za-z0-9][A-Za-z0-9_-]*)$/;
/** Paddock sets these itself; taking them from the person's shell would undo the session's home. */
const RESERVED_ENV_NAMES = new Set(['HOME']);
const noControlCharacters = (value: string) => !hasControlCharacter(value);

export const customPresetSchema = z.strictObject({
  id: z
    .string()
    .regex(
      PRESET_ID,
      'use lowercase letters, digits and "-", starting with a letter or digit, at most 40',
    ),
  name: z.string().trim().min(1, 'must not be empty').max(80, 'at most 80 characters'),
  command: z
    .string()
    .min(1, 'must name a program')
    .refine((command) => command.trim() === command, 'must not start or end with spaces')
    .refine(noControlCharacters, 'must not contain control characters')
    .refine(
      (command) => !command.includes('/') || isAbsolute(command),
      'must be a program name looked up on PATH or an absolute path, not a relative path',
    ),
  args: z
    .array(z.string().refine(noControlCharacters, 'must not contain control characters'))
    .default([]),
  taskArg: z
    .string()
    .regex(
      TASK_ARG,
      'must be "append", "none" or "flag:<flag>" with the flag as typed, e.g. "flag:--message"',
    )
    .default('append'),
  env: z
    .array(
      z
        .string()
        .regex(ENV_NAME, 'must be an environment variable name (letters, digits, "_")')
        .refine((name) => !RESERVED_ENV_NAMES.has(name), 'is set by Paddock for each session'),
    )
    .default([]),
});

export type CustomPresetInput = z.input<typeof customPresetSchema>;

/**
 * Validates a person's preset and turns it into a preset the launcher runs. Its id must not clash
 * with `taken` (the built-in presets by default).
 */
export function parseCustomPreset(
  input: unknown,
  taken: readonly AgentPreset[] = BUILT_IN_PRESETS,
): AgentPreset {
  const parsed = customPresetSchema.safeParse(input);
  if (!parsed.success) {
    throw new AgentPresetError(
      `${describeInput(input)} is invalid: ${describeIssues(parsed.error)}.`,
    );
  }
  const { id, name, command, args, taskArg, env } = parsed.data;
  const holder = taken.find((preset) => preset.id === id);
  if (holder) {
    throw new AgentPresetError(
      `Custom agent preset "${id}" is invalid: id: "${id}" is already taken by "${holder.name}"; choose another id.`,
    );
  }
  return {
    id,
    name,
    command,
    args,
    task: taskPassing(taskArg),
    resume: {},
    env: Object.fromEntries(
      env.map((envName): [string, EnvValueSource] => [envName, { from: 'source-env' }]),
    ),
    homeSetup: 'none',
    bundled: false,
    install: `Install \`${command}\`, or correct the command of the preset "${name}"`,
    builtIn: false,
  };
}

/** Several custom presets at once: each valid, and no two with one id. */
export function parseCustomPresets(
  inputs: readonly unknown[],
  taken: readonly AgentPreset[] = BUILT_IN_PRESETS,
): AgentPreset[] {
  const presets: AgentPreset[] = [];
  for (const input of inputs) presets.push(parseCustomPreset(input, [...taken, ...presets]));
  return presets;
}

function taskPassing(taskArg: string): TaskPassing {
  if (taskArg === 'none') return { kind: 'none' };
  if (taskArg.startsWith('flag:')) return { kind: 'flag', flag: taskArg.slice('flag:'.length) };
  // An unknown program may not understand `--`, so the task goes as it is.
  return { kind: 'append', afterDoubleDash: false };
}

function describeInput(input: unknown): string {
  const id =
    typeof input === 'object' && input !== null ? (input as { id?: unknown }).id : undefined;
  return typeof id === 'string' && id ? `Custom agent preset "${id}"` : 'Custom agent preset';
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.map((part) =>
        typeof part === 'number' ? `[${part}]` : `.${String(part)}`,
      );
      const path = where.join('').replace(/^\./, '');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}
