// A bar chart's geometry in plain SVG units (no chart library), for the
// desk's WhatsApp report and head office's reports alike: bars of labelled
// values in slots of equal width, a round top for the scale and its ticks.

/** One value to draw, in the chart's order. */
export interface Point {
  key: string;
  label: string;
  value: number;
}

export interface Bar extends Point {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface BarLayout {
  bars: Bar[];
  /** The top of the value axis: a round number at or above the largest value. */
  max: number;
  /** Values for grid lines, 0 … max. */
  ticks: number[];
  /** The plot area inside the chart. */
  plot: { x: number; y: number; width: number; height: number };
}

/** Room around the plot for the axes' labels; `left` holds the widest tick label. */
export interface Margin {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

const MARGIN: Margin = { top: 20, right: 8, bottom: 34, left: 56 };

/** A round step (1, 2 or 5 × 10ⁿ) giving at most `maxTicks` intervals up to `max`. */
export function niceStep(max: number, maxTicks = 5): number {
  if (max <= 0) return 1;
  const raw = max / maxTicks;
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) {
    const step = m * pow;
    if (step >= raw) return Math.max(1, step);
  }
  return Math.max(1, 10 * pow);
}

/**
 * `points` (in their order) scaled into a `width` × `height` chart with
 * `margin` left for the axes' labels. Negative, missing or non-numeric values
 * draw as 0.
 */
export function barLayout(points: readonly Point[], width: number, height: number, margin: Partial<Margin> = {}): BarLayout {
  const m = { ...MARGIN, ...margin };
  const plot = {
    x: m.left,
    y: m.top,
    width: Math.max(0, width - m.left - m.right),
    height: Math.max(0, height - m.top - m.bottom),
  };
  const values = points.map((p) => (Number.isFinite(p.value) && p.value > 0 ? p.value : 0));
  const top = Math.max(0, ...values);
  const step = niceStep(top);
  const max = Math.max(step, Math.ceil(top / step) * step);
  const ticks: number[] = [];
  // counted in steps, so fractional steps do not drift past the top
  for (let i = 0; i * step <= max + step / 1e6; i++) ticks.push(i * step);
  const slot = points.length ? plot.width / points.length : 0;
  // thin enough to read as bars when there are few of them
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
