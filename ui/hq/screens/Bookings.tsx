import { useState } from 'react';
import { Badge } from '../../src/components/Badge';
import { DataTable } from '../../src/components/DataTable';
import { FilterSelect } from '../../src/components/FilterSelect';
import { PageHeader } from '../../src/components/PageHeader';
import { useI18n } from '../../src/i18n';
import { formatDate, formatPhone, formatRupiah } from '../../src/lib/format';
import type { HqBooking } from '../api/client';
import { useBranches, useGet } from '../lib/queries';

const STATUSES = ['pending', 'active', 'completed', 'canceled'] as const;
const SEGMENTS = ['high', 'medium', 'low'] as const;

interface Filters {
  branch_id: string;
  from: string;
  to: string;
  booking_status: string;
  segment: string;
}

const NONE: Filters = { branch_id: '', from: '', to: '', booking_status: '', segment: '' };

/** Booking: every branch's bookings, newest booking date first, filtered by branch, dates, status and segment. */
export function Bookings() {
  const { t, tv, lang } = useI18n();
  const [f, setF] = useState<Filters>(NONE);
  const [page, setPage] = useState(1);
  const set = (patch: Partial<Filters>) => {
    setF((old) => ({ ...old, ...patch }));
    setPage(1);
  };
  const branches = useBranches();
  const query = useGet('/api/v1/bookings', {
    branch_id: f.branch_id || undefined,
    from: f.from || undefined,
    to: f.to || undefined,
    booking_status: f.booking_status || undefined,
    segment: f.segment || undefined,
    page,
    page_size: 50,
  });
  const filtered = Object.values(f).some(Boolean);
  return (
    <>
      <PageHeader title={t('hq.bookings.title')} />
      <div className="filters no-print">
        <FilterSelect
          label={t('hq.bookings.branch')}
          name="branch_id"
          value={f.branch_id}
          onChange={(v) => set({ branch_id: v })}
          empty={t('hq.bookings.allBranches')}
          options={(branches.data?.data ?? []).map((b) => ({ value: b.id, label: b.name }))}
        />
        <label className="filter">
          <span>{t('common.from')}</span>
          <input type="date" name="from" value={f.from} onChange={(e) => set({ from: e.target.value })} />
        </label>
        <label className="filter">
          <span>{t('common.to')}</span>
          <input type="date" name="to" value={f.to} onChange={(e) => set({ to: e.target.value })} />
        </label>
        <FilterSelect
          label={t('hq.bookings.status')}
          name="booking_status"
          value={f.booking_status}
          onChange={(v) => set({ booking_status: v })}
          empty={t('common.all')}
          options={STATUSES.map((s) => ({ value: s, label: tv('status', s) }))}
        />
        <FilterSelect
          label={t('hq.bookings.segment')}
          name="segment"
          value={f.segment}
          onChange={(v) => set({ segment: v })}
          empty={t('common.all')}
          options={SEGMENTS.map((s) => ({ value: s, label: tv('segment', s) }))}
        />
        {filtered && (
          <button type="button" className="btn btn-ghost" onClick={() => set(NONE)}>
            {t('common.reset')}
          </button>
        )}
      </div>
      <DataTable<HqBooking>
        testId="bookings"
        query={query}
        rowKey={(b) => `${b.branch_id}/${b.id}`}
        rowProps={(b) => ({ 'data-branch': b.branch_name, 'data-code': b.code ?? undefined })}
        empty={t('hq.bookings.empty')}
        onPage={setPage}
        columns={[
          { id: 'branch', header: t('hq.bookings.branch'), cell: (b) => b.branch_name, cellProps: () => ({ 'data-testid': 'branch' }) },
          { id: 'code', header: t('hq.bookings.code'), className: 'nowrap', cell: (b) => b.code ?? '—' },
          { id: 'date', header: t('hq.bookings.date'), className: 'nowrap', cell: (b) => formatDate(b.booking_date, lang) },
          {
            id: 'customer',
            header: t('hq.bookings.customer'),
            cell: (b) => (
              <>
                {b.customer_name ?? '—'}
                {b.customer_phone && <div className="muted small">{formatPhone(b.customer_phone)}</div>}
              </>
            ),
          },
          { id: 'service', header: t('hq.bookings.service'), cell: (b) => b.service_name ?? b.unit_code ?? '—' },
          {
            id: 'status',
            header: t('hq.bookings.status'),
            cell: (b) => (b.booking_status ? <Badge kind={`status-${b.booking_status}`}>{tv('status', b.booking_status)}</Badge> : '—'),
          },
          {
            id: 'payment',
            header: t('hq.bookings.payment'),
            cell: (b) => (b.payment_status ? <Badge kind={`pay-${b.payment_status}`}>{tv('payment', b.payment_status)}</Badge> : '—'),
          },
          {
            id: 'segment',
            header: t('hq.bookings.segment'),
            cell: (b) => (b.priority_segment ? <Badge kind={`seg-${b.priority_segment}`}>{tv('segment', b.priority_segment)}</Badge> : '—'),
          },
          { id: 'price', header: t('hq.bookings.price'), headerClassName: 'num', className: 'num', cell: (b) => formatRupiah(b.price ?? null) },
        ]}
      />
    </>
  );
}
