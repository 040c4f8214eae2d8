import { useEffect, useState } from 'react';
import { CustomerEditor } from '../components/CustomerEditor';
import { DataTable } from '../components/DataTable';
import { FilterSelect } from '../components/FilterSelect';
import { NewButton } from '../components/NewButton';
import { Page } from '../components/Page';
import { SearchFilter } from '../components/SearchFilter';
import { useI18n } from '../i18n';
import { formatDateTime, formatPhone } from '../lib/format';
import { useOp } from '../lib/queries';
import { href, navigate, type Route } from '../lib/router';
import { useDebounced } from '../lib/useDebounced';
import { useSession } from '../session';

export function CustomersList({ route }: { route: Route }) {
  const { t } = useI18n();
  const { tz } = useSession();
  const { lang } = useI18n();
  const [q, setQ] = useState(route.query.get('q') ?? '');
  const dq = useDebounced(q.trim(), 250);
  const [sort, setSort] = useState('name:asc');
  const [page, setPage] = useState(1);
  const [creating, setCreating] = useState(false);
  useEffect(() => setPage(1), [dq, sort]);
  const list = useOp('customers.list', { q: dq || null, sort, page, page_size: 25 });
  return (
    <Page
      title={t('customers.title')}
      actions={
        <NewButton label={t('customers.new')} onClick={() => setCreating(true)} />
      }
    >
      <div className="filters">
        <SearchFilter value={q} onChange={setQ} placeholder={t('customers.searchHint')} />
        <FilterSelect
          label={t('common.sort')}
          value={sort}
          onChange={setSort}
          options={[
            { value: 'name:asc', label: t('customers.sort.name') },
            { value: 'code:asc', label: t('customers.sort.code') },
            { value: 'last_booking_at:desc', label: t('customers.sort.last') },
            { value: 'created_at:desc', label: t('customers.sort.created') },
          ]}
        />
      </div>
      <DataTable
        query={list}
        empty={t('customers.none')}
        onPage={setPage}
        rowKey={(c) => c.id}
        rowProps={(c) => ({ className: 'clickable', onClick: () => navigate(`/customers/${c.id}`) })}
        columns={[
          { id: 'code', header: t('customers.code'), cell: (c) => <a href={href(`/customers/${c.id}`)}>{c.code}</a> },
          { id: 'name', header: t('customers.name'), cell: (c) => c.name },
          { id: 'phone', header: t('customers.phone'), cell: (c) => formatPhone(c.phone) },
          { id: 'email', header: t('customers.email'), cell: (c) => c.email ?? '—' },
          { id: 'ktp', header: t('customers.ktp'), className: 'mono', cell: (c) => c.ktp_number ?? '—' },
          {
            id: 'last',
            header: t('customers.lastBooking'),
            cell: (c) => formatDateTime(c.last_booking_at, tz, lang, { weekday: false }),
          },
        ]}
      />
      {creating && (
        <CustomerEditor
          onClose={() => setCreating(false)}
          onSaved={(c) => {
            setCreating(false);
            navigate(`/customers/${c.id}`);
          }}
        />
      )}
    </Page>
  );
}
