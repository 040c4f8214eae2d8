import { useState } from 'react';
import { Button } from '../../src/components/Button';
import { DataTable } from '../../src/components/DataTable';
import { FilterSelect } from '../../src/components/FilterSelect';
import { PageHeader } from '../../src/components/PageHeader';
import { useI18n } from '../../src/i18n';
import { formatPhone } from '../../src/lib/format';
import type { MasterCustomer } from '../api/client';
import { useBranches, useGet } from '../lib/queries';

type By = 'phone' | 'q';

/** Pelanggan: the customer master, searched by phone (any spelling) or by name; each with its branches and bookings. */
export function Customers() {
  const { t } = useI18n();
  const [by, setBy] = useState<By>('phone');
  const [text, setText] = useState('');
  // the search runs on submit: a half-typed phone number is not an error
  const [search, setSearch] = useState<{ by: By; text: string }>({ by: 'phone', text: '' });
  const [page, setPage] = useState(1);
  const branches = useBranches();
  const names = new Map((branches.data?.data ?? []).map((b) => [b.id, b.name]));
  const q = search.text.trim();
  const query = useGet('/api/v1/customers', {
    phone: q && search.by === 'phone' ? q : undefined,
    q: q && search.by === 'q' ? q : undefined,
    page,
    page_size: 50,
  });
  return (
    <>
      <PageHeader title={t('hq.customers.title')} subtitle={t('hq.customers.subtitle')} />
      <form
        className="filters no-print"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setPage(1);
          setSearch({ by, text });
        }}
      >
        <FilterSelect
          label={t('hq.customers.searchBy')}
          name="by"
          value={by}
          onChange={(v) => setBy(v === 'q' ? 'q' : 'phone')}
          options={[
            { value: 'phone', label: t('hq.customers.byPhone') },
            { value: 'q', label: t('hq.customers.byName') },
          ]}
        />
        <label className="filter filter-search grow">
          <span>{by === 'phone' ? t('hq.customers.byPhone') : t('hq.customers.byName')}</span>
          <input
            type="search"
            name="search"
            data-search
            autoFocus
            value={text}
            inputMode={by === 'phone' ? 'tel' : undefined}
            placeholder={by === 'phone' ? '0812-3456-7890' : 'Budi'}
            onChange={(e) => setText(e.target.value)}
          />
        </label>
        <Button type="submit" kind="primary">
          {t('hq.customers.search')}
        </Button>
      </form>
      <DataTable<MasterCustomer>
        testId="customers"
        query={query}
        rowKey={(c) => c.id}
        rowProps={(c) => ({ 'data-phone': c.phone ?? undefined })}
        empty={t('hq.customers.empty')}
        onPage={setPage}
        columns={[
          {
            id: 'name',
            header: t('hq.customers.name'),
            cell: (c) => (
              <>
                <strong>{c.name}</strong>
                {(c.code || c.customer_type) && (
                  <div className="muted small" data-testid="master-origin">
                    {[c.code, c.customer_type].filter(Boolean).join(' · ')}
                  </div>
                )}
              </>
            ),
          },
          { id: 'phone', header: t('hq.customers.phone'), className: 'nowrap', cell: (c) => formatPhone(c.phone ?? null) },
          { id: 'email', header: t('hq.customers.email'), cell: (c) => c.email ?? '—' },
          {
            id: 'branches',
            header: t('hq.customers.branches'),
            cell: (c) => (
              <ul className="plain-list">
                {c.branches.map((b) => (
                  <li key={`${b.branch_id}/${b.customer_id}`}>
                    {names.get(b.branch_id) ?? b.branch_id}
                    {b.code && <span className="muted small"> · {b.code}</span>}
                  </li>
                ))}
              </ul>
            ),
            cellProps: () => ({ 'data-testid': 'customer-branches' }),
          },
          {
            id: 'bookings',
            header: t('hq.customers.bookings'),
            headerClassName: 'num',
            className: 'num',
            cell: (c) => c.bookings,
            cellProps: () => ({ 'data-testid': 'customer-bookings' }),
          },
        ]}
      />
    </>
  );
}
