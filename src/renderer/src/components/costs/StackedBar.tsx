/** One bar cut into parts (spend by source, tokens by kind), with a legend that gives the figures. */
import type { ReactNode } from 'react';
import { formatShare } from './format';
import type { Slice } from './report';

interface StackedBarProps<K extends string> {
  label: string;
  slices: ReadonlyArray<Slice<K> & { help?: string }>;
  /** The figure a part shows in the legend (`$1.20`, `12,000`); `extra` follows it. */
  format: (value: number) => string;
  extra?: (slice: Slice<K>) => ReactNode;
  testId?: string;
}

export function StackedBar<K extends string>({
  label,
  slices,
  format,
  extra,
  testId,
}: StackedBarProps<K>) {
  const said = slices.map((slice) => `${slice.label} ${formatShare(slice.fraction, 1)}`);
  return (
    <div className="costs-stack" data-testid={testId}>
      <div className="costs-stack-bar" role="img" aria-label={`${label}: ${said.join(', ')}`}>
        {slices.map(
          (slice) =>
            slice.fraction > 0 && (
              <span
                key={slice.kind}
                className={`costs-fill costs-fill--${slice.kind}`}
                style={{ width: `${slice.fraction * 100}%` }}
              />
            ),
        )}
      </div>
      <ul className="costs-legend">
        {slices.map((slice) => (
          <li key={slice.kind} title={slice.help} data-kind={slice.kind}>
            <span className={`costs-swatch costs-fill--${slice.kind}`} aria-hidden="true" />
            <span>{slice.label}</span>
            <strong className="costs-figure">{format(slice.value)}</strong>
            <span className="muted">{formatShare(slice.fraction, 1)}</span>
            {extra?.(slice)}
          </li>
        ))}
      </ul>
    </div>
  );
}
