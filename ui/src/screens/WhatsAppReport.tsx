// The WhatsApp report: how many messages each customer received about each
// subject (a vehicle, a unit or a booking), the statistics with a bar chart,
// deleting a row and resetting frequencies (a new counting period).
import { useState } from 'react';
import type { OpInput, ReportDetail } from '../api/ops';
import { call } from '../api/transport';
import { Badge } from '../components/Badge';
import { Button } from '../components/Button';
import { CustomerPicker } from '../components/CustomerPicker';
import { DataTable } from '../components/DataTable';
import { ErrorMessage } from '../components/ErrorMessage';
import { FilterSelect } from '../components/FilterSelect';
import { FrequencyChart } from '../components/FrequencyChart';
import { Loading } from '../components/Loading';
import { Page } from '../components/Page';
import { useI18n } from '../i18n';
import { formatDateTime, formatNumber, formatPhone } from '../lib/format';
import { useAction, useOp } from '../lib/queries';
import { addressFilters, href, type Route } from '../lib/router';
import { useSession, useToast } from '../session';

export function WhatsAppReport({ route }: { route: Route }) {
  const { t, tv, lang } = useI18n();
  const { tz, can } = useSession();
  const toast = useToast();
  const [q, set] = addressFilters(route, '/report', ['customer', 'subject', 'page']);
  const input: OpInput<'whatsapp_report.detail'> = {
    customer_id: q.customer || null,
    subject_type: (q.subject || null) as never,
    page: Number(q.page) || 1,
    page_size: 25,
  };
  const list = useOp('whatsapp_report.detail', input);
  const stats = useOp('whatsapp_report.statistics', {});
  const [customerName, setCustomerName] = useState('');
  const [result, setResult] = useState<{ message: string; count: number } | null>(null);
  const manage = can('report.manage');
  const refresh = () => {
    void list.refetch();
    void stats.refetch();
  };

  const reset = useAction(async (customer: { id: string; name: string } | null) => {
    const question = customer ? t('report.resetCustomerConfirm', { name: customer.name }) : t('report.resetAllConfirm');
    if (!window.confirm(question)) return;
    setResult(null);
    setResult(await call('whatsapp_report.reset_frequency', { customer_id: customer?.id ?? null }));
  });
  const remove = useAction(async (r: ReportDetail) => {
    if (!window.confirm(t('report.deleteConfirm', { name: r.customer_name, subject: r.subject_label }))) return;
    await call('whatsapp_report.delete', { id: r.id });
    toast(t('report.deleted'));
  });

  const s = stats.data;
  return (
    <Page
      title={t('report.title')}
      subtitle={t('report.subtitle')}
      actions={
        <>
          <Button kind="ghost" onClick={refresh}>
            ⟳ {t('common.refresh')}
          </Button>
          {manage && q.customer && (
            <Button busy={reset.busy} onClick={() => void reset.run({ id: q.customer, name: customerName || '…' })}>
              ↺ {t('report.resetCustomer')}
            </Button>
          )}
          {manage && (
            <Button kind="danger" busy={reset.busy} onClick={() => void reset.run(null)}>
              ↺ {t('report.resetAll')}
            </Button>
          )}
        </>
      }
    >
      {result && (
        <div className="banner banner-ok" role="status" data-testid="reset-result" data-count={result.count} title={result.message}>
          {t('report.resetDone', { count: result.count })}
        </div>
      )}
      <ErrorMessage error={reset.error ?? remove.error ?? stats.error} />
      <div className="stats">
        <div className="stat-cards">
          <div className="stat card" data-testid="stat-pairs">
            <div className="stat-value">{s ? formatNumber(s.total_customers_with_vehicles, lang) : '…'}</div>
            <div className="stat-label">{t('report.pairs')}</div>
          </div>
          <div className="stat card" data-testid="stat-messages">
            <div className="stat-value">{s ? formatNumber(s.total_messages_sent, lang) : '…'}</div>
            <div className="stat-label">{t('report.totalMessages')}</div>
          </div>
          <div className="stat card" data-testid="stat-average">
            <div className="stat-value">{s ? formatNumber(s.average_messages_per_customer, lang, 2) : '…'}</div>
            <div className="stat-label">{t('report.average')}</div>
          </div>
        </div>
        <section className="card chart-card" aria-labelledby="chart-title">
          <h2 id="chart-title">{t('report.chart')}</h2>
          {s ? <FrequencyChart data={s.customers_by_frequency} /> : <Loading />}
        </section>
      </div>
      <div className="filters no-print">
        <div className="filter filter-picker">
          <label htmlFor="report-customer">{t('report.customer')}</label>
          <CustomerPicker
            id="report-customer"
            value={q.customer}
            onChange={(id, c) => {
              setCustomerName(c?.name ?? '');
              set({ customer: id });
            }}
            placeholder={t('picker.any')}
          />
        </div>
        <FilterSelect
          name="subject_type"
          label={t('report.subject')}
          value={q.subject}
          onChange={(v) => set({ subject: v })}
          empty={t('common.all')}
          options={['vehicle', 'unit', 'booking'].map((v) => ({ value: v, label: tv('subjectType', v) }))}
        />
      </div>
      <DataTable
        query={list}
        empty={t('report.none')}
        onPage={(p) => set({ page: String(p) })}
        testId="report"
        rowKey={(r) => r.id}
        rowProps={(r) => ({ 'data-report': r.id, 'data-customer': r.customer_id })}
        columns={[
          {
            id: 'customer',
            header: t('report.customer'),
            cell: (r) => <a href={href(`/customers/${r.customer_id}`)}>{r.customer_name}</a>,
          },
          { id: 'phone', header: t('report.phone'), className: 'nowrap', cell: (r) => formatPhone(r.customer_phone) },
          {
            id: 'subject',
            header: t('report.subject'),
            cell: (r) => (
              <>
                <Badge kind="off">{tv('subjectType', r.subject_type)}</Badge>{' '}
                {r.subject_type === 'booking' ? <a href={href(`/bookings/${r.subject_id}`)}>{r.subject_label}</a> : r.subject_label}
              </>
            ),
          },
          {
            id: 'frequency',
            header: t('report.frequency'),
            headerClassName: 'num',
            className: 'num',
            cellProps: () => ({ 'data-testid': 'frequency' }),
            cell: (r) => r.frequency,
          },
          {
            id: 'last',
            header: t('report.lastMessage'),
            className: 'nowrap small',
            cell: (r) => formatDateTime(r.last_message_date, tz, lang, { weekday: false }),
          },
          manage && {
            id: 'actions',
            header: t('common.actions'),
            className: 'actions',
            cell: (r) => (
              <>
                <Button
                  kind="ghost"
                  busy={reset.busy}
                  title={t('report.resetCustomer')}
                  onClick={() => void reset.run({ id: r.customer_id, name: r.customer_name })}
                >
                  ↺ {t('report.resetRow')}
                </Button>
                <Button kind="ghost" busy={remove.busy} onClick={() => void remove.run(r)}>
                  {t('common.delete')}
                </Button>
              </>
            ),
          },
        ]}
      />
    </Page>
  );
}
