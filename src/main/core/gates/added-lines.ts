/** The lines a unified diff adds, with the file and line number each lands at. */

export interface AddedLine {
  path: string;
  /** 1-based line number in the new file. */
  line: number;
  text: string;
}

const NEW_FILE = /^\+\+\+ b\/(.*)$/;
const HUNK = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

export function addedLines(patch: string): AddedLine[] {
  const added: AddedLine[] = [];
  let path: string | null = null;
  let next = 0;
  for (const row of patch.split('\n')) {
    if (row.startsWith('diff --git ')) path = null;
    else if (row.startsWith('+++ ')) path = NEW_FILE.exec(row)?.[1] ?? null;
    else if (row.startsWith('@@')) next = Number(HUNK.exec(row)?.[1] ?? 0);
    else if (path !== null && next > 0) {
      if (row.startsWith('+')) added.push({ path, line: next++, text: row.slice(1) });
      else if (row.startsWith(' ')) next += 1;
    }
  }
  return added;
}
