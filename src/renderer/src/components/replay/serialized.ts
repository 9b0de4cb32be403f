/**
 * Mends two flaws of @xterm/addon-serialize (0.14) that a keyframe would carry into every seek:
 *
 * 1. Bold and dim. It writes each change of style as the difference from the cell before, and
 *    turns bold off or dim off alike with SGR 22, which turns off both: a bold cell after a dim
 *    one comes out as `1;22` (bold, then not bold), a dim and bold cell followed by a bold one as
 *    `22` (bold lost). Here the intended bold and dim are followed through the sequences, and every
 *    sequence with a 22 says them again after it: `22;1`.
 * 2. The alternate screen. Its cells are written as if the pen were the default, but the pen is
 *    what the normal screen's part left it, and entering the alternate screen fills it with that
 *    pen's background: a `0` is put before the alternate part starts.
 *
 * Which flag a lone 22 turned off is known from the state before it, or from where it sits among
 * the flags (the serializer writes bold's before underline, blink, invisible and italic, dim's
 * after). Left: a cell both bold and dim followed by one that is one of them, with nothing else
 * changing; it is taken as bold turned off (rare: few programs draw bold and dim at once).
 */
// eslint-disable-next-line no-control-regex -- escape sequences: the alternate screen's start, SGR
const SGR_OR_ALTERNATE = /\x1b\[\?1049h\x1b\[H|\x1b\[([0-9;]*)m/g;
/** Flags the serializer writes between bold's slot and dim's. */
const BETWEEN = new Set(['4', '24', '53', '55', '5', '25', '8', '28', '3', '23']);
/** SGR parameters that take sub-parameters: colours as `38;5;N` or `38;2;R;G;B`. */
const COLOURS = new Set(['38', '48', '58']);

interface Intensity {
  bold: boolean;
  dim: boolean;
}

export function mendSerialized(serialized: string): string {
  let pen: Intensity = { bold: false, dim: false };
  return serialized.replace(SGR_OR_ALTERNATE, (sequence, params: string | undefined) => {
    if (params === undefined) {
      pen = { bold: false, dim: false };
      return `\x1b[0m${sequence}`;
    }
    const groups = sgrGroups(params);
    const after = intensityAfter(groups, pen);
    pen = after;
    return groups.includes('22') && (after.bold || after.dim)
      ? `\x1b[${restated(groups, after).join(';')}m`
      : sequence;
  });
}

/** The parameters, a colour with its sub-parameters as one (`38;5;22` is not a 22). */
function sgrGroups(params: string): string[] {
  const parts = params === '' ? ['0'] : params.split(';');
  const groups: string[] = [];
  for (let at = 0; at < parts.length;) {
    const part = parts[at] as string;
    const width = COLOURS.has(part) ? (parts[at + 1] === '2' ? 5 : 3) : 1;
    groups.push(parts.slice(at, at + width).join(';'));
    at += width;
  }
  return groups;
}

function intensityAfter(groups: readonly string[], before: Intensity): Intensity {
  if (groups.includes('0')) return { bold: false, dim: false };
  const after = {
    bold: before.bold || groups.includes('1'),
    dim: before.dim || groups.includes('2'),
  };
  const offs = groups.flatMap((group, index) => (group === '22' ? [index] : []));
  if (offs.length >= 2) return { bold: false, dim: false };
  if (offs.length === 1) after[slotOf(groups, offs[0] as number, before)] = false;
  return after;
}

/** Whether a lone 22 turned bold off or dim off. */
function slotOf(groups: readonly string[], at: number, before: Intensity): keyof Intensity {
  if (groups.includes('1')) return 'dim';
  if (groups.includes('2')) return 'bold';
  if (before.bold !== before.dim) return before.bold ? 'bold' : 'dim';
  if (groups.slice(0, at).some((group) => BETWEEN.has(group))) return 'dim';
  return 'bold';
}

/** `22` first, then whichever of bold and dim stays on, after the other parameters. */
function restated(groups: readonly string[], pen: Intensity): string[] {
  const others = groups.filter((group) => group !== '1' && group !== '2' && group !== '22');
  return ['22', ...others, ...(pen.bold ? ['1'] : []), ...(pen.dim ? ['2'] : [])];
}
