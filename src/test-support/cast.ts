/** Reading an asciicast v2 export back in tests: its events, and one stream's text joined. */
export type CastEvent = [seconds: number, type: string, data: string];

export function castEvents(cast: string): CastEvent[] {
  return cast
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((line) => JSON.parse(line) as CastEvent);
}

/** Everything of one type (`o` output, `i` input, `r` resizes) joined, as a person saw or typed it. */
export function castText(cast: string, type: 'o' | 'i' | 'r'): string {
  return castEvents(cast)
    .filter(([, kind]) => kind === type)
    .map(([, , data]) => data)
    .join('');
}
