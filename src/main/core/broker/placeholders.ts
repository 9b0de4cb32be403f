/**
 * Placeholders: what an agent holds instead of a secret. Random per session, recognisable by
 * their prefix and the secret's name, and made of nothing derived from the value, so an agent (or
 * anything it leaks to) learns only that a secret of that name exists.
 */
import { randomBytes } from 'node:crypto';
import { SECRET_NAME } from '../../../shared/vault';

export const PLACEHOLDER_PREFIX = 'paddock-ph-';
/** 16 random bytes: 128 bits, 22 base64url characters. */
const RANDOM_BYTES = 16;
const RANDOM_CHARS = 22;

/** Any placeholder shape, from this session or another: `paddock-ph-NAME-<22 base64url>`. */
export const PLACEHOLDER_PATTERN = new RegExp(
  `${PLACEHOLDER_PREFIX}([A-Z][A-Z0-9_]{0,63})-([A-Za-z0-9_-]{${RANDOM_CHARS}})(?![A-Za-z0-9_-])`,
  'g',
);

/** A fresh placeholder for the secret `name`. */
export function newPlaceholder(name: string): string {
  if (!SECRET_NAME.test(name)) throw new Error(`not a secret name: ${JSON.stringify(name)}`);
  return `${PLACEHOLDER_PREFIX}${name}-${randomBytes(RANDOM_BYTES).toString('base64url')}`;
}

/** Whether `text` has the shape of a placeholder (any session's). */
export function isPlaceholderShaped(text: string): boolean {
  PLACEHOLDER_PATTERN.lastIndex = 0;
  const match = PLACEHOLDER_PATTERN.exec(text);
  return match !== null && match.index === 0 && match[0].length === text.length;
}

export interface FoundPlaceholder {
  placeholder: string;
  name: string;
}

/**
 * One session's placeholders, placeholder → secret name. Sessions hold a few, so finding them in
 * a request is an indexOf per placeholder.
 */
export class PlaceholderSet {
  private readonly byPlaceholder = new Map<string, string>();
  private readonly byName = new Map<string, string>();

  /** A set with one fresh placeholder per name. */
  static forSecrets(names: Iterable<string>): PlaceholderSet {
    const set = new PlaceholderSet();
    for (const name of names) set.add(name);
    return set;
  }

  /** The placeholder for `name`, made on first use. */
  add(name: string): string {
    const existing = this.byName.get(name);
    if (existing !== undefined) return existing;
    const placeholder = newPlaceholder(name);
    this.byPlaceholder.set(placeholder, name);
    this.byName.set(name, placeholder);
    return placeholder;
  }

  placeholderFor(name: string): string | undefined {
    return this.byName.get(name);
  }

  nameOf(placeholder: string): string | undefined {
    return this.byPlaceholder.get(placeholder);
  }

  get size(): number {
    return this.byPlaceholder.size;
  }

  /** Every placeholder → name pair, in the order they were made. */
  entries(): IterableIterator<[string, string]> {
    return this.byPlaceholder.entries();
  }

  /** This session's placeholders that occur in `data` (placeholders are ASCII, so bytes match). */
  findIn(data: string | Buffer): FoundPlaceholder[] {
    const found: FoundPlaceholder[] = [];
    for (const [placeholder, name] of this.byPlaceholder)
      if (data.indexOf(placeholder) !== -1) found.push({ placeholder, name });
    return found;
  }
}
