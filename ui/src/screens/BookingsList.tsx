import { useEffect, useState } from 'react';
import type { OpInput } from '../api/ops';
import { Button } from '../components/Button';
import { DataTable } from '../components/DataTable';
import { FilterSelect } from '../components/FilterSelect';
import { NewButton } from '../components/NewButton';
import { Page } from '../components/Page';
import { PriorityBadges } from '../components/PriorityBadges';
import { RiskFlags } from '../components/RiskFlags';
import { SearchFilter } from '../components/SearchFilter';
import { ValueBadge } from '../components/ValueBadge';
import { useI18n, type Key } from '../i18n';
import { useBookingColumns } from '../lib/bookingColumns';
import { useOp } from '../lib/queries';
import { addressFilters, navigate, type Route } from '../lib/router';
import { useDebounced } from '../lib/useDebounced';

const SORTS: [string, Key][] = [
  ['priority_score:desc', 'bookings.sort.priority'],
  ['event_at:asc', 'bookings.sort.eventAsc'],
  ['event_at:desc', 'bookings.sort.eventDesc'],
  ['booking_date:desc', 'bookings.sort.bookingDate'],
  ['created_at:desc', 'bookings.sort.created'],
  ['code:asc', 'bookings.sort.code'],
];

const FILTERS = [
  'code',
  'booking_status',
  'payment_status',
  'segment',
  'risk_flag',
  'booking_date_from',
  'booking_date_to',
  'open',
  'sort',
  'page',
  'page_size',
  'customer_id',
  'unit_id',
  'provider_id',
  'service_id',
  'staff_id',
] as const;

export function BookingsList({ route }: { route: Route }) {
  const { t, tv } = useI18n();
  const columns = useBookingColumns();
  const [q, set, filter] = addressFilters(route, '/bookings', FILTERS);
  const [code, setCode] = useState(q.code);
  const debouncedCode = useDebounced(code, 300);
  useEffect(() => {
    // keep the address in step with the search box
    if (debouncedCode !== q.code) set({ code: debouncedCode });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debouncedCode]);
  const input: OpInput<'bookings.list'> = {
    code: q.code || null,
    booking_status: (q.booking_status || null) as never,
    payment_status: (q.payment_status || null) as never,
    segment: (q.segment || null) as never,
    risk_flag: (q.risk_flag || null) as never,
    booking_date_from: q.booking_date_from || null,
    booking_date_to: q.booking_date_to || null,
    open: q.open === 'true' ? true : null,
    customer_id: q.customer_id || null,
    unit_id: q.unit_id || null,
    staff_id: q.staff_id || null,
    provider_id: q.provider_id || null,
    service_id: q.service_id || null,
    sort: q.sort || 'priority_score:desc',
    page: Number(q.page) || 1,
    page_size: Number(q.page_size) || 25,
  };
  const list = useOp('bookings.list', input);
  const staff = useOp('staff.list', { page_size: 200 });

  const sel = (name: (typeof FILTERS)[number], label: string, group: string, values: string[]) => (
    <FilterSelect
      {...filter(name)}
      label={label}
      empty={t('common.all')}
      options={values.map((v) => ({ value: v, label: tv(group, v) }))}
    />
  );

  return (
    <Page
      title={t('bookings.title')}
      actions={
        <NewButton label={t('nav.newBooking')} onClick={() => navigate('/bookings/new')} />
      }
    >
      <div className="filters no-print">
        <SearchFilter
          value={code}
          onChange={setCode}
          placeholder={t('common.searchPlaceholder')}
          label={t('bookings.searchCode')}
          grow={false}
          autoFocus={false}
        />
        {sel('booking_status', t('bookings.status'), 'status', ['pending', 'active', 'completed', 'canceled'])}
        {sel('payment_status', t('bookings.paymentStatus'), 'payment', ['pending', 'dp', 'paid', 'overdue'])}
        {sel('segment', t('bookings.segment'), 'segment', ['high', 'medium', 'low'])}
        {sel('risk_flag', t('bookings.risk'), 'risk', ['unpaid_h1', 'event_passed', 'double_booking'])}
        {!!staff.data?.data.length && (
          <FilterSelect
            {...filter('staff_id')}
            label={t('bookings.staff')}
            empty={t('common.all')}
            options={staff.data.data.map((s) => ({ value: s.id, label: s.name }))}
          />
        )}
        <label className="filter">
          <span>
            {t('bookings.bookingDate')} {t('bookings.from')}
          </span>
          <input type="date" value={q.booking_date_from} onChange={(e) => set({ booking_date_from: e.target.value })} />
        </label>
        <label className="filter">
          <span>{t('common.to')}</span>
          <input type="date" value={q.booking_date_to} onChange={(e) => set({ booking_date_to: e.target.value })} />
        </label>
        <label className="filter filter-check">
          <input
            type="checkbox"
            checked={q.open === 'true'}
            onChange={(e) => set({ open: e.target.checked ? 'true' : '' })}
          />
          <span>{t('bookings.openOnly')}</span>
        </label>
        <FilterSelect
          label={t('common.sort')}
          value={q.sort || 'priority_score:desc'}
          onChange={(v) => set({ sort: v })}
          options={SORTS.map(([v, k]) => ({ value: v, label: t(k) }))}
        />
        <FilterSelect
          label={t('common.perPage')}
          value={q.page_size || '25'}
          onChange={(v) => set({ page_size: v })}
          options={['10', '25', '50', '100', '200'].map((n) => ({ value: n, label: n }))}
        />
        <Button kind="ghost" onClick={() => { setCode(''); navigate('/bookings'); }}>
          {t('common.reset')}
        </Button>
      </div>
      <DataTable
        query={list}
        empty={t('bookings.none')}
        onPage={(p) => set({ page: String(p) })}
        rowKey={(b) => b.id}
        rowProps={(b) => ({
          className: `clickable${b.risk_flags.length ? ' risky' : ''}`,
          onClick: () => navigate(`/bookings/${b.id}`),
        })}
        columns={[
          columns.code,
          {
            id: 'customer',
            header: t('bookings.customer'),
            cell: (b) => (
              <>
                {b.customer_name}
                <div className="muted small">{b.unit_code ?? b.service_name ?? ''}</div>
              </>
            ),
          },
          columns.event,
          columns.bookingDate,
          columns.price,
          columns.status,
          columns.payment,
          {
            ...columns.segment,
            className: 'nowrap',
            cell: (b) => (
              <>
                <ValueBadge of="segment" value={b.priority_segment} /> <span className="muted small">{b.priority_score}</span>
              </>
            ),
          },
          {
            id: 'priority',
            header: `${t('bookings.urgency')} / ${t('bookings.monetary')}`,
            cell: (b) => (
              <div className="badges">
                <PriorityBadges b={b} />
                <RiskFlags flags={b.risk_flags} />
              </div>
            ),
          },
        ]}
      />
    </Page>
  );
}
