// The WhatsApp report's bar chart: how many customer + subject pairs received
// 1, 2, 3 … messages. Plain SVG (no chart library); readable without seeing
// it: role="img" with a label and a <title> listing every value, and each
// value is also written above its bar.
import { useI18n } from '../i18n';
import { barLayout } from '../lib/barLayout';
import { frequencyPoints } from '../lib/messaging';

const WIDTH = 440;
const HEIGHT = 200;
// counts are small numbers: a narrow value axis
const MARGIN = { left: 36 };

export function FrequencyChart({ data }: { data: Record<string, number> }) {
  const { t } = useI18n();
  const layout = barLayout(frequencyPoints(data), WIDTH, HEIGHT, MARGIN);
  if (!layout.bars.length) return <p className="muted">{t('report.chartEmpty')}</p>;
  const summary = layout.bars.map((b) => t('report.barText', { n: b.key, count: b.value })).join('; ');
  const label = `${t('report.chart')}: ${summary}`;
  const { plot } = layout;
  const bottom = plot.y + plot.height;
  const fontSize = layout.bars.length > 24 ? 9 : 12;
  return (
    <svg
      className="chart"
      role="img"
      aria-label={label}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      width="100%"
      preserveAspectRatio="xMidYMid meet"
      data-testid="frequency-chart"
    >
      <title>{label}</title>
      <g className="chart-grid" aria-hidden="true">
        {layout.ticks.map((v) => {
          const y = bottom - (layout.max ? (v / layout.max) * plot.height : 0);
          return (
            <g key={v}>
              <line x1={plot.x} x2={plot.x + plot.width} y1={y} y2={y} />
              <text x={plot.x - 6} y={y + 4} textAnchor="end">
                {v}
              </text>
            </g>
          );
        })}
      </g>
      <g className="chart-bars">
        {layout.bars.map((b) => (
          <g key={b.key} data-frequency={b.key} data-count={b.value}>
            <rect x={b.x} y={b.y} width={b.width} height={Math.max(b.height, b.value ? 1 : 0)} rx={2} />
            <text className="chart-value" x={b.x + b.width / 2} y={b.y - 5} textAnchor="middle" fontSize={fontSize}>
              {b.value}
            </text>
            <text className="chart-label" x={b.x + b.width / 2} y={bottom + 16} textAnchor="middle" fontSize={fontSize}>
              {b.label}
            </text>
          </g>
        ))}
      </g>
      <line className="chart-axis" x1={plot.x} x2={plot.x + plot.width} y1={bottom} y2={bottom} aria-hidden="true" />
      <text className="chart-caption" x={plot.x + plot.width} y={HEIGHT - 3} textAnchor="end" aria-hidden="true">
        {t('report.xAxis')}
      </text>
    </svg>
  );
}
