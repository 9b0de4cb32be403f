/**
 * How the cost screens write numbers: dollars with 2 decimals from $1 up and 4 below (a model call
 * costs fractions of a cent), token counts with thousands separators, shares as whole percents.
 * A fixed locale, so a figure reads the same on every machine (and a test can name it).
 */

const LOCALE = 'en-US';
/** The smallest amount 4 decimals can show: below it a non-zero cost would read as free. */
const SMALLEST = 0.00005;

const dollars = (digits: number) =>
  new Intl.NumberFormat(LOCALE, { minimumFractionDigits: digits, maximumFractionDigits: digits });
const TWO = dollars(2);
const FOUR = dollars(4);
const COUNT = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });

/**
 * `$12.50`, `$1,234.00`, `$0.0123`. Decided on the rounded value: 0.99996 is `$1.00`, not
 * `$1.0000`. A cost above zero but too small for 4 decimals is `<$0.0001`, never `$0.0000`;
 * nothing at all is `$0.00`.
 */
export function formatUsd(amount: number): string {
  if (!Number.isFinite(amount)) return '—';
  if (amount < 0) return `-${formatUsd(-amount)}`;
  if (amount === 0) return '$0.00';
  if (amount < SMALLEST) return '<$0.0001';
  const four = FOUR.format(amount);
  return `$${Number(four.replace(/,/g, '')) >= 1 ? TWO.format(amount) : four}`;
}

/**
 * Dollars over the priced calls, or `unknown` when every call was unpriced (their cost is not
 * known; `$0.00` would say they were free).
 */
export function formatSpend(costUsd: number, calls: number, unpricedCalls: number): string {
  return calls > 0 && unpricedCalls === calls ? 'unknown' : formatUsd(costUsd);
}

/** `1,234,567`. */
export function formatCount(count: number): string {
  return Number.isFinite(count) ? COUNT.format(count) : '—';
}

/** `1 call`, `1,234 calls`. */
export function formatCalls(calls: number): string {
  return `${formatCount(calls)} ${calls === 1 ? 'call' : 'calls'}`;
}

/**
 * `part` of `whole` as a whole percent: `42%`; `<1%` for a sliver that is not nothing, `>99%` for
 * one that is not all; `0%` when the whole is nothing.
 */
export function formatShare(part: number, whole: number): string {
  if (!(whole > 0) || !(part > 0)) return '0%';
  const percent = (part / whole) * 100;
  if (percent < 1) return '<1%';
  if (percent > 99 && part < whole) return '>99%';
  return `${Math.round(percent)}%`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Dec 5` for the day key `2026-12-05` (the key itself when it is not a day). */
export function formatDay(key: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(key);
  const month = match ? MONTHS[Number(match[2]) - 1] : undefined;
  return match && month ? `${month} ${Number(match[3])}` : key;
}

/** A chart axis's dollars, short: `$0`, `$0.015`, `$12.5`, `$1.2k`. */
export function formatAxisUsd(amount: number): string {
  if (!Number.isFinite(amount)) return '';
  if (amount === 0) return '$0';
  if (Math.abs(amount) >= 1000) return `$${Number((amount / 1000).toPrecision(3))}k`;
  return `$${Number(amount.toPrecision(3))}`;
}
