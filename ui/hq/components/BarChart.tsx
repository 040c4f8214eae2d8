// A report's bar chart in plain SVG (no chart library), drawn like the
// desk's WhatsApp chart: readable without seeing it (role="img", a label and
// a <title> listing every value), each value also written above its bar.
import { useI18n } from '../../src/i18n';
import { barLayout, type Point } from '../../src/lib/barLayout';
import { compactNumber } from '../lib/chart';

const WIDTH = 720;
const HEIGHT = 220;

export function BarChart({ points, title, testId }: { points: readonly Point[]; title: string; testId?: string }) {
  const { t, lang } = useI18n();
  const layout = barLayout(points, WIDTH, HEIGHT);
  if (!layout.bars.length) return <p className="muted">{t('hq.reports.empty')}</p>;
  const label = `${t('hq.reports.chartOf', { title })}: ${layout.bars.map((b) => `${b.label} ${compactNumber(b.value, lang)}`).join('; ')}`;
  const { plot } = layout;
  const bottom = plot.y + plot.height;
  const fontSize = layout.bars.length > 16 ? 9 : 11;
  return (
    <svg
      className="chart"
      role="img"
      aria-label={label}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      width="100%"
      preserveAspectRatio="xMidYMid meet"
      data-testid={testId}
    >
      <title>{label}</title>
      <g className="chart-grid" aria-hidden="true">
        {layout.ticks.map((v) => {
          const y = bottom - (layout.max ? (v / layout.max) * plot.height : 0);
          return (
            <g key={v}>
              <line x1={plot.x} x2={plot.x + plot.width} y1={y} y2={y} />
              <text x={plot.x - 6} y={y + 4} textAnchor="end">
                {compactNumber(v, lang)}
              </text>
            </g>
          );
        })}
      </g>
      <g className="chart-bars">
        {layout.bars.map((b) => (
          <g key={b.key} data-key={b.key} data-value={b.value}>
            <rect x={b.x} y={b.y} width={b.width} height={Math.max(b.height, b.value ? 1 : 0)} rx={2} />
            <text className="chart-value" x={b.x + b.width / 2} y={b.y - 5} textAnchor="middle" fontSize={fontSize}>
              {compactNumber(b.value, lang)}
            </text>
            <text className="chart-label" x={b.x + b.width / 2} y={bottom + 16} textAnchor="middle" fontSize={fontSize}>
              {b.label}
            </text>
          </g>
        ))}
      </g>
      <line className="chart-axis" x1={plot.x} x2={plot.x + plot.width} y1={bottom} y2={bottom} aria-hidden="true" />
    </svg>
  );
}
