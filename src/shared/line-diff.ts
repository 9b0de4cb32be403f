/** A line-by-line difference, for small texts (policy files): `+` added, `-` removed, ` ` kept. */
export interface DiffLine {
  mark: ' ' | '+' | '-';
  text: string;
}

/** Longest common subsequence of lines; O(lines²), fine for the few hundred lines of a policy. */
export function lineDiff(before: string, after: string): DiffLine[] {
  const a = before.split('\n');
  const b = after.split('\n');
  // common[i][j]: how many lines a[i..] and b[j..] share in order.
  const common = Array.from({ length: a.length + 1 }, () =>
    new Array<number>(b.length + 1).fill(0),
  );
  const at = (i: number, j: number) => (common[i] as number[])[j] as number;
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      (common[i] as number[])[j] =
        a[i] === b[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1));
  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      lines.push({ mark: ' ', text: a[i] as string });
      i++;
      j++;
    } else if (i < a.length && (j >= b.length || at(i + 1, j) >= at(i, j + 1)))
      lines.push({ mark: '-', text: a[i++] as string });
    else lines.push({ mark: '+', text: b[j++] as string });
  }
  return lines;
}
