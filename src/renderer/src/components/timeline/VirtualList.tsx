/**
 * A windowed list: only the rows in view (and a few either side) are in the DOM, so 100,000 rows
 * cost what 40 do. Rows are `rowHeight` tall unless they grow (an entry opened to its detail):
 * those are measured as they render and the rows below move down by the difference.
 *
 * Rows are keyed by a number that grows with the index (a timeline entry's first seq), so a key's
 * index is found by binary search and measured heights survive rows being added at the end.
 */
import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent,
  type ReactNode,
} from 'react';

export interface ScrollTarget {
  index: number;
  /** `nearest`: move only as much as needed; `center`: a row jumped to from elsewhere. */
  align: 'nearest' | 'center';
  nonce: number;
}

interface VirtualListProps {
  count: number;
  rowHeight: number;
  /** Ascending with the index. */
  keyAt: (index: number) => number;
  renderRow: (index: number) => ReactNode;
  scrollTo: ScrollTarget | null;
  /** Called once the row asked for by `scrollTo` is in the DOM. */
  onScrolled?: (index: number) => void;
  overscan?: number;
  className?: string;
  label: string;
  testId?: string;
  onKeyDown?: (event: KeyboardEvent<HTMLDivElement>) => void;
}

/** Rows taller than rowHeight: [index, extra height], ascending by index. */
type Extras = ReadonlyArray<readonly [number, number]>;

function indexOfKey(count: number, keyAt: (index: number) => number, key: number): number {
  let low = 0;
  let high = count - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const at = keyAt(middle);
    if (at === key) return middle;
    if (at < key) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}

/** Where row `index` starts. */
function offsetOf(index: number, rowHeight: number, extras: Extras): number {
  let offset = index * rowHeight;
  for (const [at, extra] of extras) {
    if (at >= index) break;
    offset += extra;
  }
  return offset;
}

/** The first row whose bottom is below `top`. */
function firstRowBelow(top: number, count: number, rowHeight: number, extras: Extras): number {
  let low = 0;
  let high = count - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    const bottom = offsetOf(middle + 1, rowHeight, extras);
    if (bottom > top) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** Heights of the rows that differ from rowHeight, by key, measured by one ResizeObserver. */
function useMeasuredHeights(rowHeight: number) {
  const [heights, setHeights] = useState<ReadonlyMap<number, number>>(new Map());
  const observer = useMemo(
    () =>
      typeof ResizeObserver === 'undefined'
        ? null
        : new ResizeObserver((records) => {
            setHeights((current) => {
              let next: Map<number, number> | null = null;
              for (const record of records) {
                const element = record.target as HTMLElement;
                const key = Number(element.dataset.key);
                const height = element.offsetHeight;
                const known = current.get(key) ?? rowHeight;
                if (height === known || height === 0) continue;
                next ??= new Map(current);
                if (height === rowHeight) next.delete(key);
                else next.set(key, height);
              }
              return next ?? current;
            });
          }),
    [rowHeight],
  );
  useEffect(() => () => observer?.disconnect(), [observer]);
  // One callback for every row, so React attaches it once per element, not once per render.
  const measure = useCallback(
    (element: HTMLDivElement | null) => {
      if (!element || !observer) return;
      observer.observe(element);
      return () => observer.unobserve(element);
    },
    [observer],
  );
  return { heights, measure };
}

/** The viewport's scroll position and height, read once per frame at most. */
function useViewport() {
  const ref = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 800 });
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    let frame = 0;
    const read = () => {
      frame = 0;
      setView({ top: element.scrollTop, height: element.clientHeight || 800 });
    };
    read();
    const onScroll = () => {
      if (!frame) frame = requestAnimationFrame(read);
    };
    element.addEventListener('scroll', onScroll, { passive: true });
    const resize = new ResizeObserver(read);
    resize.observe(element);
    return () => {
      element.removeEventListener('scroll', onScroll);
      resize.disconnect();
      if (frame) cancelAnimationFrame(frame);
    };
  }, []);
  return { ref, view };
}

export function VirtualList(props: VirtualListProps) {
  const { count, rowHeight, keyAt, renderRow, scrollTo, onScrolled, overscan = 8 } = props;
  const { ref, view } = useViewport();
  const { heights, measure } = useMeasuredHeights(rowHeight);

  const extras: Extras = useMemo(() => {
    const list: Array<[number, number]> = [];
    for (const [key, height] of heights) {
      const index = indexOfKey(count, keyAt, key);
      if (index !== -1) list.push([index, height - rowHeight]);
    }
    return list.sort((a, b) => a[0] - b[0]);
  }, [heights, count, keyAt, rowHeight]);

  const total = offsetOf(count, rowHeight, extras);
  const first = count === 0 ? 0 : firstRowBelow(view.top, count, rowHeight, extras);
  const start = Math.max(0, first - overscan);
  let end = first;
  while (end < count && offsetOf(end, rowHeight, extras) < view.top + view.height) end++;
  end = Math.min(count, end + overscan);

  // Brings the asked-for row into view, then says so (its element now exists to be focused).
  const handled = useRef(0);
  const [pending, setPending] = useState<number | null>(null);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!scrollTo || !element || handled.current === scrollTo.nonce) return;
    handled.current = scrollTo.nonce;
    const index = Math.min(Math.max(scrollTo.index, 0), count - 1);
    const top = offsetOf(index, rowHeight, extras);
    const bottom = offsetOf(index + 1, rowHeight, extras);
    const height = element.clientHeight;
    if (scrollTo.align === 'center') element.scrollTop = Math.max(0, top - height / 2 + rowHeight);
    else if (top < element.scrollTop) element.scrollTop = top;
    else if (bottom > element.scrollTop + height)
      element.scrollTop = Math.min(top, bottom - height);
    setPending(index);
  });
  useEffect(() => {
    if (pending === null || pending < start || pending >= end) return;
    setPending(null);
    onScrolled?.(pending);
  }, [pending, start, end, onScrolled]);

  const rows: ReactNode[] = [];
  for (let index = start; index < end; index++) {
    const key = keyAt(index);
    rows.push(
      <div
        key={key}
        data-key={key}
        className="vlist-row"
        style={{ top: offsetOf(index, rowHeight, extras) }}
        ref={measure}
      >
        {renderRow(index)}
      </div>,
    );
  }

  return (
    <div
      ref={ref}
      className={`vlist ${props.className ?? ''}`}
      role="list"
      aria-label={props.label}
      // A scrolling region is a tab stop of its own, so the keyboard can reach and scroll it.
      tabIndex={0}
      data-testid={props.testId}
      onKeyDown={props.onKeyDown}
    >
      <div className="vlist-space" style={{ height: total }}>
        {rows}
      </div>
    </div>
  );
}
