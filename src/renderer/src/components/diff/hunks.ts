/**
 * A section's hunks as react-diff-view wants them. Parsed when a file is first rendered, never for
 * the whole diff at once.
 */
import { parseDiff, type HunkData } from 'react-diff-view';
import type { PatchPart } from './diffModel';

/**
 * The section's hunks: the header is rebuilt so only the hunk text is left to the parser. null
 * when the parser gives up (it throws on a hunk header it cannot read).
 */
export function parseHunks(part: PatchPart): HunkData[] | null {
  if (!part.hunks) return [];
  try {
    const [file] = parseDiff(`diff --git a/f b/f\n--- a/f\n+++ b/f\n${part.hunks}`);
    return file?.hunks ?? [];
  } catch (error) {
    console.warn('Could not parse a diff section:', error);
    return null;
  }
}
