// The reports' bar charts, scaled here (plain SVG, no chart library): bars
// of any labelled values, a rounded top and its ticks.
import { niceStep } from '../../src/lib/messaging';

export interface Bar {
  key: string;
  label: string;
  value: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Bars {
  bars: Bar[];
  /** The top of the scale: a round number at or above the largest value. */
  max: number;
  ticks: number[];
  plot: { x: number; y: number; width: number; height: number };
}

export interface Point {
  key: string;
  label: string;
  value: number;
}

/**
 * `points` (in their order) scaled into a `width` × `height` chart with room
 * for the axes' labels. Negative, missing or non-numeric values draw as 0.
 */
export function barLayout(
  points: readonly Point[],
  width: number,
  height: number,
  margin = { top: 20, right: 8, bottom: 34, left: 56 },
): Bars {
  const plot = {
    x: margin.left,
    y: margin.top,
    width: Math.max(0, width - margin.left - margin.right),
    height: Math.max(0, height - margin.top - margin.bottom),
  };
  const values = points.map((p) => (Number.isFinite(p.value) && p.value > 0 ? p.value : 0));
  const top = Math.max(0, ...values);
  const step = niceStep(top);
  const max = Math.max(step, Math.ceil(top / step) * step);
  const ticks: number[] = [];
  for (let i = 0; i * step <= max + step / 1e6; i++) ticks.push(i * step);
  const slot = points.length ? plot.width / points.length : 0;
  const barWidth = Math.min(slot * 0.7, 56);
  const bars = points.map((p, i) => {
    const h = max ? (values[i] / max) * plot.height : 0;
    return {
      key: p.key,
      label: p.label,
      value: values[i],
      x: plot.x + i * slot + (slot - barWidth) / 2,
      y: plot.y + plot.height - h,
      width: barWidth,
      height: h,
    };
  });
  return { bars, max, ticks, plot };
}

/**
 * Rows summed by a key (a report's rows are per branch: the chart shows
 * every branch together), in key order (dates, months) or in `order` when
 * given (segments). Values come as numbers or decimal strings.
 */
export function sumBy<R>(
  rows: readonly R[],
  key: (r: R) => string,
  value: (r: R) => number | string,
  order?: readonly string[],
): { key: string; value: number }[] {
  const sums = new Map<string, number>();
  for (const r of rows) {
    const v = Number(value(r));
    sums.set(key(r), (sums.get(key(r)) ?? 0) + (Number.isFinite(v) ? v : 0));
  }
  const keys = [...sums.keys()];
  if (order) {
    const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length);
    keys.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  } else {
    keys.sort();
  }
  return keys.map((k) => ({ key: k, value: sums.get(k)! }));
}

/** A tick or bar value short enough for an axis: `1,5 jt` / `1.5M`, `12 rb` / `12K`. */
export function compactNumber(n: number, lang: 'id' | 'en'): string {
  return new Intl.NumberFormat(lang === 'id' ? 'id-ID' : 'en-US', {
    notation: 'compact',
    maximumFractionDigits: 1,
  }).format(n);
}
