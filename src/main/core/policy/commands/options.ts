/**
 * Command-line options, read the way GNU getopt reads them: `-abc` clusters, `-n5` and `-n 5`,
 * `--name=value` and `--name value`, `--` ending options, options after operands. Refused options
 * are matched in every abbreviation getopt would accept (`--in-pl` is `--in-place`), and an option
 * that does not look like one (`-/../x`) is refused rather than guessed at.
 *
 * The failure mode is chosen with care: an option not listed as taking a value is read as a flag,
 * so its value is read as an operand and checked as a path, which is stricter, never looser.
 */
import type { Word } from '../shell/words';

export type ValueKind = 'text' | 'path';

export interface OptionSpec {
  /** Short options that take a value: letter → what the value is. */
  readonly short?: Readonly<Record<string, ValueKind>>;
  /** Long options that take a value (name with dashes, without `=`). */
  readonly long?: Readonly<Record<string, ValueKind>>;
  /** Options refused outright (`-i`, `--in-place`) and why. */
  readonly refuse?: Readonly<Record<string, string>>;
  /** When set, only these flags are accepted and any other option is refused. */
  readonly only?: { readonly short: string; readonly long?: readonly string[] };
  /** Options end at the first operand (POSIX style: `xargs grep -l x`, `bash -c script -x`). */
  readonly stopAtOperand?: boolean;
}

export interface OptionValue {
  readonly option: string;
  readonly kind: ValueKind;
  readonly word: Word;
}

export interface ParsedOptions {
  readonly operands: readonly Word[];
  readonly values: readonly OptionValue[];
  /** Every option seen, short ones as `-x`, long ones as `--name`. */
  readonly present: ReadonlySet<string>;
}

const LONG = /^--[A-Za-z0-9][A-Za-z0-9_-]*$/;

export function parseOptions(
  args: readonly Word[],
  spec: OptionSpec,
): ParsedOptions | { problem: string } {
  const operands: Word[] = [];
  const values: OptionValue[] = [];
  const present = new Set<string>();
  const refusedLong = Object.entries(spec.refuse ?? {}).filter(([name]) => name.startsWith('--'));
  for (let i = 0; i < args.length; i++) {
    const word = args[i] as Word;
    const arg = word.value;
    if (arg === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (arg === '-' || !arg.startsWith('-')) {
      if (spec.stopAtOperand) {
        operands.push(...args.slice(i));
        break;
      }
      operands.push(word);
      continue;
    }
    if (arg.startsWith('--')) {
      const equals = arg.indexOf('=');
      const name = equals === -1 ? arg : arg.slice(0, equals);
      if (!LONG.test(name)) return { problem: `unusual option ${JSON.stringify(arg)}` };
      const refused = refusedLong.find(([option]) => option.startsWith(name));
      if (refused) return { problem: `${refused[0]}: ${refused[1]}` };
      present.add(name);
      const kind = spec.long?.[name];
      const attached = equals === -1 ? undefined : { ...word, value: arg.slice(equals + 1) };
      if (kind) {
        const value = attached ?? args[++i];
        if (!value) return { problem: `${name} needs a value` };
        values.push({ option: name, kind, word: value });
      } else if (spec.only && !spec.only.long?.includes(name))
        return { problem: `unknown option ${name}` };
      // An unlisted option's attached value may still be a file: check it as one when it looks like one.
      else if (attached && /^[~./]|\//.test(attached.value))
        values.push({ option: name, kind: 'path', word: attached });
      continue;
    }
    for (let j = 1; j < arg.length; j++) {
      const letter = arg[j] as string;
      if (!/[A-Za-z0-9]/.test(letter)) return { problem: `unusual option ${JSON.stringify(arg)}` };
      const reason = spec.refuse?.[`-${letter}`];
      if (reason !== undefined) return { problem: `-${letter}: ${reason}` };
      present.add(`-${letter}`);
      const kind = spec.short?.[letter];
      if (kind) {
        const rest = arg.slice(j + 1);
        const value = rest ? { ...word, value: rest } : args[++i];
        if (!value) return { problem: `-${letter} needs a value` };
        values.push({ option: `-${letter}`, kind, word: value });
        break;
      }
      if (spec.only && !spec.only.short.includes(letter))
        return { problem: `unknown option -${letter}` };
    }
  }
  return { operands, values, present };
}
