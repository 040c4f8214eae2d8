import { useEffect, useState } from 'react';
import { Button } from '../components/Button';
import { CustomerEditor } from '../components/CustomerEditor';
import { ErrorMessage } from '../components/ErrorMessage';
import { PageHeader } from '../components/PageHeader';
import { Pagination } from '../components/Pagination';
import { Rows } from '../components/Rows';
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
    <div>
      <PageHeader
        title={t('customers.title')}
        actions={
          <Button kind="primary" onClick={() => setCreating(true)}>
            + {t('customers.new')}
          </Button>
        }
      />
      <div className="filters">
        <SearchFilter value={q} onChange={setQ} placeholder={t('customers.searchHint')} />
        <label className="filter">
          <span>{t('common.sort')}</span>
          <select value={sort} onChange={(e) => setSort(e.target.value)}>
            <option value="name:asc">{t('customers.sort.name')}</option>
            <option value="code:asc">{t('customers.sort.code')}</option>
            <option value="last_booking_at:desc">{t('customers.sort.last')}</option>
            <option value="created_at:desc">{t('customers.sort.created')}</option>
          </select>
        </label>
      </div>
      <ErrorMessage error={list.error} />
      <Rows query={list} empty={t('customers.none')}>
        {(rows) => (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th>{t('customers.code')}</th>
                  <th>{t('customers.name')}</th>
                  <th>{t('customers.phone')}</th>
                  <th>{t('customers.email')}</th>
                  <th>{t('customers.ktp')}</th>
                  <th>{t('customers.lastBooking')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((c) => (
                  <tr key={c.id} className="clickable" onClick={() => navigate(`/customers/${c.id}`)}>
                    <td>
                      <a href={href(`/customers/${c.id}`)}>{c.code}</a>
                    </td>
                    <td>{c.name}</td>
                    <td>{formatPhone(c.phone)}</td>
                    <td>{c.email ?? '—'}</td>
                    <td className="mono">{c.ktp_number ?? '—'}</td>
                    <td>{formatDateTime(c.last_booking_at, tz, lang, { weekday: false })}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Rows>
      <Pagination meta={list.data?.meta} onPage={setPage} />
      {creating && (
        <CustomerEditor
          onClose={() => setCreating(false)}
          onSaved={(c) => {
            setCreating(false);
            navigate(`/customers/${c.id}`);
          }}
        />
      )}
    </div>
  );
}
