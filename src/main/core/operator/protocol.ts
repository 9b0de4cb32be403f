/**
 * What the operator's model is offered and what it may answer: two tools, their JSON schemas (the
 * same for every provider), and the checks a reply passes before the loop acts on it. The model's
 * reply is hostile input: every field is typed and bounded, and anything else is an error the
 * model is told about, never a command.
 */
import { z } from 'zod';

/** The policy's classifier refuses longer commands; the model is held to the same bound. */
export const MAX_COMMAND_CHARS = 10_000;
export const MAX_THOUGHT_CHARS = 4_000;
export const MAX_SUMMARY_CHARS = 8_000;

export interface ToolSpec {
  name: 'run_command' | 'finish';
  description: string;
  /** JSON Schema of the tool's input. */
  parameters: {
    type: 'object';
    properties: Record<string, { type: 'string'; description: string; maxLength: number }>;
    required: string[];
    additionalProperties: false;
  };
}

export const OPERATOR_TOOLS: readonly ToolSpec[] = [
  {
    name: 'run_command',
    description:
      'Run one shell command on the host (bash -c). Paddock’s policy decides it first: it may run, wait for a person’s approval, or be denied; the output or the denial comes back as the next observation.',
    parameters: {
      type: 'object',
      properties: {
        thought: {
          type: 'string',
          description: 'Why this command, in a sentence or two.',
          maxLength: MAX_THOUGHT_CHARS,
        },
        command: {
          type: 'string',
          description: 'The command line to run.',
          maxLength: MAX_COMMAND_CHARS,
        },
      },
      required: ['thought', 'command'],
      additionalProperties: false,
    },
  },
  {
    name: 'finish',
    description: 'End the run: the goal is reached, or cannot be.',
    parameters: {
      type: 'object',
      properties: {
        summary: {
          type: 'string',
          description: 'What was done and what was found.',
          maxLength: MAX_SUMMARY_CHARS,
        },
      },
      required: ['summary'],
      additionalProperties: false,
    },
  },
];

/** A tool call as a provider read it from the reply: its input is not checked yet. */
export interface RawToolCall {
  name: string;
  input: unknown;
}

export type OperatorAction =
  { tool: 'run_command'; thought: string; command: string } | { tool: 'finish'; summary: string };

const runCommand = z.object({
  thought: z.string().max(MAX_THOUGHT_CHARS),
  command: z
    .string()
    .max(MAX_COMMAND_CHARS)
    .refine((command) => command.trim() !== '', 'the command is empty'),
});

const finish = z.object({ summary: z.string().max(MAX_SUMMARY_CHARS) });

/** The one action a reply asks for, or what is wrong with it (told to the model as is). */
export function actionOf(
  calls: readonly RawToolCall[],
): { ok: true; action: OperatorAction } | { ok: false; problem: string } {
  if (calls.length === 0)
    return { ok: false, problem: 'the reply called no tool; answer with run_command or finish' };
  if (calls.length > 1)
    return { ok: false, problem: `the reply called ${calls.length} tools; call exactly one` };
  const [call] = calls as [RawToolCall];
  const schema = call.name === 'run_command' ? runCommand : call.name === 'finish' ? finish : null;
  if (!schema)
    return {
      ok: false,
      problem: `unknown tool ${JSON.stringify(call.name.slice(0, 100))}; the tools are run_command and finish`,
    };
  const parsed = schema.safeParse(call.input);
  if (!parsed.success)
    return { ok: false, problem: `${call.name}: ${z.prettifyError(parsed.error)}` };
  return { ok: true, action: { tool: call.name, ...parsed.data } as OperatorAction };
}
