/**
 * The message a rejected or failed change sends to its agent: the person's note, then each failed
 * gate with its findings and the end of its output, so the agent can fix them without asking.
 */
import type { GateResult, GateRun } from '../../../shared/gates';

const OUTPUT_LINES = 40;
const FINDINGS = 20;

/** Null when there is nothing to say: no note, and no failed gate. */
export function sendBackMessage(run: GateRun | null, note: string | undefined): string | null {
  const failed = run?.results.filter((result) => result.status !== 'passed') ?? [];
  if (!note?.trim() && failed.length === 0) return null;
  const parts = ['Paddock review: this change was not promoted.'];
  if (note?.trim()) parts.push(`The reviewer says: ${note.trim()}`);
  if (failed.length > 0)
    parts.push(
      'These quality gates failed; please fix what they report:',
      ...failed.map(describeFailure),
    );
  return parts.join('\n\n');
}

function describeFailure(result: GateResult): string {
  const lines = [`- ${result.name} (${result.kind}, ${result.action}): ${result.summary}`];
  for (const finding of result.findings.slice(0, FINDINGS)) {
    const at = finding.path ? `${finding.path}${finding.line ? `:${finding.line}` : ''}: ` : '';
    lines.push(`  - ${at}${finding.message}${finding.where ? ` (${finding.where})` : ''}`);
  }
  if (result.findings.length > FINDINGS)
    lines.push(`  - … and ${result.findings.length - FINDINGS} more`);
  const output = result.outputTail?.trimEnd().split('\n').slice(-OUTPUT_LINES).join('\n');
  if (output)
    lines.push(`  Last lines of \`${result.command?.join(' ') ?? result.name}\`:`, output);
  return lines.join('\n');
}
