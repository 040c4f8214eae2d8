// Customers' vehicles: the list (by owner, plate search, due for service).
import { useEffect, useState } from 'react';
import type { OpInput, Vehicle } from '../api/ops';
import { call } from '../api/transport';
import { Button } from '../components/Button';
import { CustomerPicker } from '../components/CustomerPicker';
import { DataTable } from '../components/DataTable';
import { EditButton } from '../components/EditButton';
import { ErrorMessage } from '../components/ErrorMessage';
import { FilterSelect } from '../components/FilterSelect';
import { NewButton } from '../components/NewButton';
import { Page } from '../components/Page';
import { SearchFilter } from '../components/SearchFilter';
import { VehicleEditor } from '../components/VehicleEditor';
import { useI18n } from '../i18n';
import { addDays, formatDate } from '../lib/format';
import { useAction, useOp } from '../lib/queries';
import { href, navigate, type Route } from '../lib/router';
import { useDebounced } from '../lib/useDebounced';
import { useServiceDue } from '../lib/useServiceDue';
import { useVehicleColumns, vehicleRows } from '../lib/vehicleColumns';
import { useSession, useToast } from '../session';

export function VehiclesList({ route }: { route: Route }) {
  const { t, lang } = useI18n();
  const columns = useVehicleColumns();
  const toast = useToast();
  const { can } = useSession();
  const { day, windowDays } = useServiceDue();
  const customer = route.query.get('customer') ?? '';
  const [q, setQ] = useState(route.query.get('q') ?? '');
  const dq = useDebounced(q.trim(), 250);
  const [dueOnly, setDueOnly] = useState(route.query.get('due') === '1');
  const [sort, setSort] = useState('plate_number:asc');
  const [page, setPage] = useState(1);
  const [editing, setEditing] = useState<Vehicle | 'new' | null>(null);
  useEffect(() => setPage(1), [dq, sort, dueOnly, customer]);
  const input: OpInput<'vehicles.list'> = {
    customer_id: customer || null,
    q: dq || null,
    due_before: dueOnly ? addDays(day, windowDays) : null,
    sort,
    page,
    page_size: 25,
  };
  const list = useOp('vehicles.list', input);
  const remove = useAction(async (v: Vehicle) => {
    if (!window.confirm(t('vehicles.deleteConfirm', { plate: v.plate_number }))) return;
    await call('vehicles.delete', { id: v.id });
    toast(t('vehicles.deleted', { plate: v.plate_number }));
  });
  const setCustomer = (id: string) => navigate(href('/vehicles', { customer: id }));
  return (
    <Page
      title={t('vehicles.title')}
      subtitle={t('vehicles.subtitle')}
      actions={
        <NewButton label={t('vehicles.new')} onClick={() => setEditing('new')} />
      }
    >
      <div className="filters">
        <SearchFilter value={q} onChange={setQ} placeholder={t('vehicles.searchHint')} />
        <div className="filter filter-picker">
          <label htmlFor="vehicles-customer">{t('vehicles.customer')}</label>
          <CustomerPicker id="vehicles-customer" value={customer} onChange={(id) => setCustomer(id)} placeholder={t('picker.any')} />
        </div>
        <label className="filter filter-check">
          <input type="checkbox" checked={dueOnly} onChange={(e) => setDueOnly(e.target.checked)} />
          <span>{t('vehicles.dueOnly', { n: windowDays })}</span>
        </label>
        <FilterSelect
          label={t('common.sort')}
          value={sort}
          onChange={setSort}
          options={[
            { value: 'plate_number:asc', label: t('vehicles.sort.plate') },
            { value: 'next_service_at:asc', label: t('vehicles.sort.next') },
            { value: 'model:asc', label: t('vehicles.sort.model') },
            { value: 'created_at:desc', label: t('vehicles.sort.created') },
          ]}
        />
      </div>
      <ErrorMessage error={remove.error} />
      <DataTable
        query={list}
        empty={t('vehicles.none')}
        onPage={setPage}
        testId="vehicles"
        {...vehicleRows}
        columns={[
          columns.plate,
          columns.model,
          columns.year,
          {
            id: 'customer',
            header: t('vehicles.customer'),
            cell: (v) => <a href={href(`/customers/${v.customer_id}`)}>{v.customer_name}</a>,
          },
          {
            ...columns.lastService,
            cell: (v) => (
              <>
                {formatDate(v.last_service_at, lang)}
                {v.service_interval_days ? (
                  <div className="muted small">{t('vehicles.every', { n: v.service_interval_days })}</div>
                ) : null}
              </>
            ),
          },
          columns.nextService,
          {
            id: 'actions',
            header: t('common.actions'),
            className: 'actions',
            cell: (v) => (
              <>
                <EditButton onClick={() => setEditing(v)} />
                {can('customers.delete') && (
                  <Button kind="ghost" onClick={() => void remove.run(v)}>
                    {t('common.delete')}
                  </Button>
                )}
              </>
            ),
          },
        ]}
      />
      {editing && (
        <VehicleEditor
          vehicle={editing === 'new' ? undefined : editing}
          customerId={editing === 'new' ? customer || undefined : undefined}
          onClose={() => setEditing(null)}
          onSaved={(v) => {
            setEditing(null);
            toast(t('vehicles.saved', { plate: v.plate_number }));
          }}
        />
      )}
    </Page>
  );
}
