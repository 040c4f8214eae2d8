import { useState, type ReactNode } from 'react';
import { DataTable, type Column } from '../../src/components/DataTable';
import { ErrorBanner } from '../../src/components/ErrorBanner';
import { FilterSelect } from '../../src/components/FilterSelect';
import { PageHeader } from '../../src/components/PageHeader';
import { useI18n } from '../../src/i18n';
import { errorText } from '../../src/i18n/errors';
import type { Point } from '../../src/lib/barLayout';
import { formatDate, formatRupiah } from '../../src/lib/format';
import { csvUrl, downloadCsv, type DayRow, type MessageRow, type MonthRow, type PageMeta, type SegmentRow } from '../api/client';
import { BarChart } from '../components/BarChart';
import { sumBy } from '../lib/chart';
import { useBranches, useGet } from '../lib/queries';

/** Rows a report screen loads (the API's largest page); the CSV has every row. */
const ROWS = 200;
const SEGMENTS = ['high', 'medium', 'low'];

type ReportPath =
  | '/api/v1/reports/bookings-per-day'
  | '/api/v1/reports/revenue-per-month'
  | '/api/v1/reports/segments'
  | '/api/v1/reports/messages';

interface Filters {
  from: string;
  to: string;
  branch_id: string;
}

/** A month `2026-12` in words: `Des 2026`. */
function monthLabel(month: string, lang: 'id' | 'en'): string {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m) return month;
  return new Intl.DateTimeFormat(lang === 'id' ? 'id-ID' : 'en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)),
  );
}

/** Sums per date (`2026-12-02`) as chart points labelled `02/12`. */
function byDay(sums: { key: string; value: number }[]): Point[] {
  return sums.map((s) => ({ key: s.key, label: `${s.key.slice(8, 10)}/${s.key.slice(5, 7)}`, value: s.value }));
}

/** One report: its title, a CSV link, the chart, then its rows. */
function Report<T>({
  id,
  title,
  path,
  filters,
  query,
  points,
  columns,
  rowKey,
  empty,
}: {
  id: string;
  title: string;
  path: ReportPath;
  filters: Filters;
  query: { isPending: boolean; error?: unknown; data?: { data: readonly T[]; meta: PageMeta } };
  points: (rows: readonly T[]) => Point[];
  columns: Column<T>[];
  rowKey: (row: T) => string;
  /** What an empty period says (default: no bookings). */
  empty?: string;
}) {
  const { t, lang } = useI18n();
  const [csvError, setCsvError] = useState<unknown>(null);
  const href = csvUrl(path, { from: filters.from || undefined, to: filters.to || undefined, branch_id: filters.branch_id || undefined });
  const rows = query.data?.data ?? [];
  const total = query.data?.meta.total ?? 0;
  let chart: ReactNode = null;
  if (query.data) chart = <BarChart points={points(rows)} title={title} testId={`chart-${id}`} />;
  return (
    <section className="card report" aria-labelledby={`report-${id}`} data-testid={`report-${id}`}>
      <div className="card-head">
        <h2 id={`report-${id}`}>{title}</h2>
        <div className="report-actions no-print">
          <a
            href={href}
            className="btn btn-ghost"
            data-testid={`csv-${id}`}
            download={`${id}.csv`}
            onClick={(e) => {
              e.preventDefault();
              setCsvError(null);
              downloadCsv(href, `${id}.csv`).catch(setCsvError);
            }}
          >
            {t('hq.reports.csv')}
          </a>
        </div>
      </div>
      {csvError ? <ErrorBanner text={t('hq.reports.csvFailed', { reason: errorText(csvError, lang) })} /> : null}
      {chart}
      {total > rows.length && <p className="muted small">{t('hq.reports.chartTruncated', { n: rows.length })}</p>}
      <DataTable<T> className="table compact" query={query} rowKey={rowKey} columns={columns} empty={empty ?? t('hq.reports.empty')} bare />
    </section>
  );
}

/** Laporan: bookings per day, revenue per month, segments and WhatsApp messages, each with a chart and a CSV download. */
export function Reports() {
  const { t, tv, lang } = useI18n();
  const [f, setF] = useState<Filters>({ from: '', to: '', branch_id: '' });
  const branches = useBranches();
  const q = { from: f.from || undefined, to: f.to || undefined, branch_id: f.branch_id || undefined, page_size: ROWS };
  const perDay = useGet('/api/v1/reports/bookings-per-day', q);
  const perMonth = useGet('/api/v1/reports/revenue-per-month', q);
  const segments = useGet('/api/v1/reports/segments', q);
  const messages = useGet('/api/v1/reports/messages', q);
  const branchCol = { id: 'branch', header: t('hq.bookings.branch') } as const;
  const num = { headerClassName: 'num', className: 'num' } as const;
  return (
    <>
      <PageHeader title={t('hq.reports.title')} subtitle={t('hq.reports.subtitle')} />
      <div className="filters no-print">
        <label className="filter">
          <span>{t('common.from')}</span>
          <input type="date" name="from" value={f.from} onChange={(e) => setF({ ...f, from: e.target.value })} />
        </label>
        <label className="filter">
          <span>{t('common.to')}</span>
          <input type="date" name="to" value={f.to} onChange={(e) => setF({ ...f, to: e.target.value })} />
        </label>
        <FilterSelect
          label={t('hq.bookings.branch')}
          name="branch_id"
          value={f.branch_id}
          onChange={(v) => setF({ ...f, branch_id: v })}
          empty={t('hq.bookings.allBranches')}
          options={(branches.data?.data ?? []).map((b) => ({ value: b.id, label: b.name }))}
        />
      </div>
      <Report<DayRow>
        id="bookings-per-day"
        title={t('hq.reports.perDay')}
        path="/api/v1/reports/bookings-per-day"
        filters={f}
        query={perDay}
        rowKey={(r) => `${r.date}/${r.branch_id}`}
        points={(rows) => byDay(sumBy(rows, (r) => r.date, (r) => r.bookings))}
        columns={[
          { id: 'date', header: t('hq.reports.date'), className: 'nowrap', cell: (r) => formatDate(r.date, lang) },
          { ...branchCol, cell: (r) => r.branch_name },
          { id: 'bookings', header: t('hq.reports.bookings'), ...num, cell: (r) => r.bookings },
          { id: 'revenue', header: t('hq.reports.revenue'), ...num, cell: (r) => formatRupiah(r.revenue) },
        ]}
      />
      <Report<MonthRow>
        id="revenue-per-month"
        title={t('hq.reports.perMonth')}
        path="/api/v1/reports/revenue-per-month"
        filters={f}
        query={perMonth}
        rowKey={(r) => `${r.month}/${r.branch_id}`}
        points={(rows) =>
          sumBy(rows, (r) => r.month, (r) => r.price).map((s) => ({ key: s.key, label: monthLabel(s.key, lang), value: s.value }))
        }
        columns={[
          { id: 'month', header: t('hq.reports.month'), className: 'nowrap', cell: (r) => monthLabel(r.month, lang) },
          { ...branchCol, cell: (r) => r.branch_name },
          { id: 'bookings', header: t('hq.reports.bookings'), ...num, cell: (r) => r.bookings },
          { id: 'price', header: t('hq.reports.revenue'), ...num, cell: (r) => formatRupiah(r.price) },
          { id: 'fees', header: t('hq.reports.fees'), ...num, cell: (r) => formatRupiah(r.booking_fees) },
          { id: 'paid', header: t('hq.reports.paid'), ...num, cell: (r) => formatRupiah(r.amount_paid) },
        ]}
      />
      <Report<SegmentRow>
        id="segments"
        title={t('hq.reports.segments')}
        path="/api/v1/reports/segments"
        filters={f}
        query={segments}
        rowKey={(r) => `${r.segment}/${r.branch_id}`}
        points={(rows) =>
          sumBy(rows, (r) => r.segment, (r) => r.bookings, SEGMENTS).map((s) => ({
            key: s.key,
            label: tv('segment', s.key),
            value: s.value,
          }))
        }
        columns={[
          { ...branchCol, cell: (r) => r.branch_name },
          { id: 'segment', header: t('hq.reports.segment'), cell: (r) => tv('segment', r.segment) },
          { id: 'bookings', header: t('hq.reports.bookings'), ...num, cell: (r) => r.bookings },
        ]}
      />
      <Report<MessageRow>
        id="messages"
        title={t('hq.reports.messages')}
        path="/api/v1/reports/messages"
        filters={f}
        query={messages}
        empty={t('hq.reports.messagesEmpty')}
        rowKey={(r) => `${r.date}/${r.branch_id}`}
        points={(rows) => byDay(sumBy(rows, (r) => r.date, (r) => r.sent))}
        columns={[
          { id: 'date', header: t('hq.reports.date'), className: 'nowrap', cell: (r) => formatDate(r.date, lang) },
          { ...branchCol, cell: (r) => r.branch_name },
          { id: 'sent', header: t('hq.reports.sent'), ...num, cell: (r) => r.sent },
          { id: 'failed', header: t('hq.reports.failed'), ...num, cell: (r) => r.failed },
          { id: 'log_only', header: t('hq.reports.logOnly'), ...num, cell: (r) => r.log_only },
        ]}
      />
    </>
  );
}
