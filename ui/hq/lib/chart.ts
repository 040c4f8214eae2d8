// The reports' charts: rows summed into their points, and the numbers on
// their axes (the bars are laid out by the desk's barLayout).

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
