/**
 * Spend over time: a bar a day or a week, stacked by source (metered, reported, estimated), drawn
 * by Recharts. Loaded only when the Costs screen first shows a report (see CostsScreen), so the
 * library stays out of the app's first bundle. Calls `onDrawn` once the bars are on the page.
 */
import { useEffect, useRef, type RefObject } from 'react';
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis, type BarShapeProps } from 'recharts';
import { USAGE_SOURCES } from '../../../../shared/costs';
import {
  formatAxisUsd,
  formatCalls,
  formatCount,
  formatDay,
  formatSpend,
  formatUsd,
} from './format';
import { labelKeys, SOURCE_LABELS, type Granularity, type SpendPoint } from './report';

/** Day labels under the bars, at most: about one per 80 pixels of a window's chart. */
const MOST_LABELS = 12;

interface SpendChartProps {
  series: SpendPoint[];
  granularity: Granularity;
  onDrawn: () => void;
}

const periodLabel = (key: string, granularity: Granularity) =>
  granularity === 'day' ? formatDay(key) : `Week of ${formatDay(key)}`;

interface SpendTooltipProps {
  active?: boolean;
  payload?: ReadonlyArray<{ payload?: unknown }>;
  granularity: Granularity;
}

function SpendTooltip({ active, payload, granularity }: SpendTooltipProps) {
  const spend = payload?.[0]?.payload as SpendPoint | undefined;
  if (!active || !spend) return null;
  return (
    <div className="costs-tooltip">
      <strong>{periodLabel(spend.key, granularity)}</strong>
      <table>
        <tbody>
          {USAGE_SOURCES.map((source) => (
            <tr key={source}>
              <td>
                <span className={`costs-swatch costs-fill--${source}`} aria-hidden="true" />
                {SOURCE_LABELS[source]}
              </td>
              <td className="costs-figure">{formatUsd(spend[source])}</td>
            </tr>
          ))}
          <tr className="costs-tooltip-total">
            <td>Total</td>
            <td className="costs-figure">
              {formatSpend(spend.costUsd, spend.calls, spend.unpricedCalls)}
            </td>
          </tr>
        </tbody>
      </table>
      <span className="muted">
        {formatCalls(spend.calls)}
        {spend.unpricedCalls > 0 && ` · ${formatCount(spend.unpricedCalls)} unpriced`}
      </span>
    </div>
  );
}

const stacked = (point: SpendPoint) => point.metered + point.reported + point.estimated;

/**
 * One bar, its parts by source stacked as plain rects (colours from CSS). Recharts draws one Bar
 * a day, not three stacked ones each of its own Rectangle components with their animation hooks:
 * that halves the time a redraw of 120 days takes.
 */
function StackedParts({ x, y, width, height, payload }: BarShapeProps) {
  const point = payload as SpendPoint;
  const total = stacked(point);
  if (!(height > 0) || !(width > 0) || !(total > 0)) return <g />;
  let top = Number(y) + Number(height);
  return (
    <g>
      {USAGE_SOURCES.map((source) => {
        const part = (Number(height) * point[source]) / total;
        if (!(part > 0)) return null;
        top -= part;
        return (
          <rect
            key={source}
            className={`costs-fill--${source}`}
            x={x}
            y={top}
            width={width}
            height={part}
          />
        );
      })}
    </g>
  );
}

/** Polls a frame at a time until the chart's bars (or, with nothing to stack, its axes) exist. */
function useDrawn(
  box: RefObject<HTMLDivElement | null>,
  series: SpendPoint[],
  onDrawn: () => void,
) {
  useEffect(() => {
    const hasBars = series.some((point) => point.metered + point.reported + point.estimated > 0);
    const selector = hasBars ? '.recharts-bar-rectangle' : '.recharts-cartesian-axis';
    let frame = requestAnimationFrame(function check() {
      if (box.current?.querySelector(selector)) onDrawn();
      else frame = requestAnimationFrame(check);
    });
    return () => cancelAnimationFrame(frame);
  }, [box, series, onDrawn]);
}

export default function SpendChart({ series, granularity, onDrawn }: SpendChartProps) {
  const box = useRef<HTMLDivElement>(null);
  useDrawn(box, series, onDrawn);
  return (
    <div
      ref={box}
      className="costs-chart"
      role="group"
      aria-label={granularity === 'day' ? 'Spend by day' : 'Spend by week'}
      data-testid="costs-chart"
      data-bars={series.length}
    >
      <BarChart
        data={series}
        responsive
        style={{ width: '100%', height: 240 }}
        margin={{ top: 8, right: 8, bottom: 0, left: 0 }}
        barCategoryGap={series.length > 60 ? 1 : '15%'}
      >
        <CartesianGrid vertical={false} className="costs-grid" />
        <XAxis
          dataKey="key"
          tickFormatter={(key: string) => periodLabel(key, granularity).replace('Week of ', '')}
          ticks={labelKeys(
            series.map((point) => point.key),
            MOST_LABELS,
          )}
          interval={0}
          tickLine={false}
        />
        <YAxis
          tickFormatter={formatAxisUsd}
          width={56}
          interval={0}
          tickLine={false}
          axisLine={false}
        />
        <Tooltip
          isAnimationActive={false}
          cursor={{ className: 'costs-chart-cursor' }}
          content={(props) => <SpendTooltip {...props} granularity={granularity} />}
        />
        <Bar dataKey={stacked} name="Spend" shape={StackedParts} isAnimationActive={false} />
      </BarChart>
    </div>
  );
}
