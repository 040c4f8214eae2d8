// Customers' vehicles: the list (by owner, plate search, due for service),
// the editor, and the small section on a customer's page.
import { useEffect, useState } from 'react';
import type { OpInput, Vehicle } from '../api/ops';
import { ApiError, call } from '../api/transport';
import { Button } from '../components/Button';
import { CustomerPicker } from '../components/CustomerPicker';
import { Empty } from '../components/Empty';
import { ErrorMessage } from '../components/ErrorMessage';
import { Field } from '../components/Field';
import { Form } from '../components/Form';
import { FormActions } from '../components/FormActions';
import { Loading } from '../components/Loading';
import { Modal } from '../components/Modal';
import { PageHeader } from '../components/PageHeader';
import { Pagination } from '../components/Pagination';
import { Rows } from '../components/Rows';
import { SearchFilter } from '../components/SearchFilter';
import { ServiceDueBadge } from '../components/ServiceDueBadge';
import { TextField } from '../components/TextField';
import { useI18n } from '../i18n';
import { addDays, formatDate, today } from '../lib/format';
import { useAction, useOp } from '../lib/queries';
import { useDebounced } from '../lib/useDebounced';
import { nextServiceDate, normalisePlate, serviceDue } from '../lib/messaging';
import { href, navigate, type Route } from '../lib/router';
import { useSession, useToast } from '../session';

/** Today's date and the reminder window, for the "due soon" badges. */
function useDue() {
  const { tz, settings } = useSession();
  const day = today(tz);
  const windowDays = settings.maintenance_window_days ?? 7;
  return { day, windowDays, due: (v: Pick<Vehicle, 'next_service_at'>) => serviceDue(v.next_service_at, day, windowDays) };
}

function NextService({ v }: { v: Vehicle }) {
  const { lang } = useI18n();
  const { due } = useDue();
  return (
    <span className="nowrap">
      {formatDate(v.next_service_at, lang)} <ServiceDueBadge due={due(v)} />
    </span>
  );
}

export function VehiclesList({ route }: { route: Route }) {
  const { t } = useI18n();
  const toast = useToast();
  const { can } = useSession();
  const { day, windowDays } = useDue();
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
    <div>
      <PageHeader
        title={t('vehicles.title')}
        subtitle={t('vehicles.subtitle')}
        actions={
          <Button kind="primary" onClick={() => setEditing('new')}>
            + {t('vehicles.new')}
          </Button>
        }
      />
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
        <label className="filter">
          <span>{t('common.sort')}</span>
          <select value={sort} onChange={(e) => setSort(e.target.value)}>
            <option value="plate_number:asc">{t('vehicles.sort.plate')}</option>
            <option value="next_service_at:asc">{t('vehicles.sort.next')}</option>
            <option value="model:asc">{t('vehicles.sort.model')}</option>
            <option value="created_at:desc">{t('vehicles.sort.created')}</option>
          </select>
        </label>
      </div>
      <ErrorMessage error={list.error ?? remove.error} />
      <Rows query={list} empty={t('vehicles.none')}>
        {(rows) => (
          <div className="table-wrap">
            <table className="table" data-testid="vehicles">
              <thead>
                <tr>
                  <th>{t('vehicles.plate')}</th>
                  <th>{t('vehicles.model')}</th>
                  <th>{t('vehicles.year')}</th>
                  <th>{t('vehicles.customer')}</th>
                  <th>{t('vehicles.lastService')}</th>
                  <th>{t('vehicles.nextService')}</th>
                  <th>{t('common.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((v) => (
                  <VehicleRow
                    key={v.id}
                    v={v}
                    onEdit={() => setEditing(v)}
                    onDelete={can('customers.delete') ? () => void remove.run(v) : undefined}
                  />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Rows>
      <Pagination meta={list.data?.meta} onPage={setPage} />
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
    </div>
  );
}

function VehicleRow({ v, onEdit, onDelete }: { v: Vehicle; onEdit: () => void; onDelete?: () => void }) {
  const { t, lang } = useI18n();
  return (
    <tr data-plate={v.plate_number}>
      <td className="mono nowrap">
        <strong>{v.plate_number}</strong>
      </td>
      <td>{v.model}</td>
      <td>{v.year ?? '—'}</td>
      <td>
        <a href={href(`/customers/${v.customer_id}`)}>{v.customer_name}</a>
      </td>
      <td className="nowrap">
        {formatDate(v.last_service_at, lang)}
        {v.service_interval_days ? <div className="muted small">{t('vehicles.every', { n: v.service_interval_days })}</div> : null}
      </td>
      <td>
        <NextService v={v} />
      </td>
      <td className="actions">
        <Button kind="ghost" onClick={onEdit}>
          ✎ {t('common.edit')}
        </Button>
        {onDelete && (
          <Button kind="ghost" onClick={onDelete}>
            {t('common.delete')}
          </Button>
        )}
      </td>
    </tr>
  );
}

export function VehicleEditor({
  vehicle,
  customerId,
  fixedCustomer,
  onClose,
  onSaved,
}: {
  vehicle?: Vehicle;
  /** The owner to start with (a new vehicle). */
  customerId?: string;
  /** The owner may not be changed here (the customer's own page). */
  fixedCustomer?: boolean;
  onClose: () => void;
  onSaved: (v: Vehicle) => void;
}) {
  const { t, lang } = useI18n();
  const initial = {
    customer_id: vehicle?.customer_id ?? customerId ?? '',
    model: vehicle?.model ?? '',
    plate_number: vehicle?.plate_number ?? '',
    year: vehicle?.year != null ? String(vehicle.year) : '',
    last_service_at: vehicle?.last_service_at ?? '',
    service_interval_days: vehicle?.service_interval_days != null ? String(vehicle.service_interval_days) : '',
    next_service_at: vehicle?.next_service_at ?? '',
  };
  const [f, setF] = useState(initial);
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const set = (k: keyof typeof f) => (v: string) => {
    // the core's message for this field goes once it is being corrected
    if (save.error instanceof ApiError && save.error.field === k) save.clearError();
    setF((s) => {
      const next = { ...s, [k]: v };
      if (k === 'last_service_at' || k === 'service_interval_days') {
        // A next date that was only last service + interval follows them.
        const derivedBefore = nextServiceDate(s.last_service_at, Number(s.service_interval_days) || null);
        if (s.next_service_at && s.next_service_at === derivedBefore) next.next_service_at = '';
      }
      return next;
    });
  };
  const int = (v: string) => (v.trim() ? Number(v) : null);
  const date = (v: string) => (v.trim() ? v : null);
  const save = useAction(async () => {
    if (!f.customer_id) {
      setLocalErrors({ customer_id: `${t('vehicles.customer')} ${t('wizard.required')}.` });
      return;
    }
    setLocalErrors({});
    if (!vehicle) {
      onSaved(
        await call('vehicles.create', {
          customer_id: f.customer_id,
          model: f.model,
          plate_number: f.plate_number,
          year: int(f.year),
          last_service_at: date(f.last_service_at),
          service_interval_days: int(f.service_interval_days),
          next_service_at: date(f.next_service_at),
        }),
      );
      return;
    }
    const input: OpInput<'vehicles.update'> = { id: vehicle.id, version: vehicle.version };
    const changed = (k: keyof typeof f) => f[k] !== initial[k];
    if (changed('customer_id')) input.customer_id = f.customer_id;
    if (changed('model')) input.model = f.model;
    if (changed('plate_number')) input.plate_number = f.plate_number;
    if (changed('year')) input.year = int(f.year);
    if (changed('last_service_at')) input.last_service_at = date(f.last_service_at);
    if (changed('service_interval_days')) input.service_interval_days = int(f.service_interval_days);
    if (changed('next_service_at')) input.next_service_at = date(f.next_service_at);
    onSaved(await call('vehicles.update', input));
  });
  const plate = normalisePlate(f.plate_number);
  const derived = nextServiceDate(f.last_service_at, Number(f.service_interval_days) || null);
  return (
    <Modal
      title={vehicle ? t('vehicles.edit', { plate: vehicle.plate_number }) : t('vehicles.new')}
      onClose={onClose}
      wide
    >
      <Form onSubmit={() => void save.run()} error={save.error} className="form grid-2">
        <Field name="customer_id" label={t('vehicles.customer')} localError={localErrors.customer_id} className="span-2">
          {(id, invalid) => (
            <CustomerPicker
              id={id}
              name="customer_id"
              value={f.customer_id}
              invalid={invalid}
              disabled={fixedCustomer}
              onChange={(cid) => {
                setLocalErrors({});
                setF((s) => ({ ...s, customer_id: cid }));
              }}
            />
          )}
        </Field>
        <TextField
          name="plate_number"
          label={t('vehicles.plate')}
          value={f.plate_number}
          onChange={set('plate_number')}
          autoComplete="off"
          className="plate-input"
          hint={plate && plate !== f.plate_number.trim() ? t('vehicles.plateAs', { plate }) : undefined}
        />
        <TextField name="model" label={t('vehicles.model')} value={f.model} onChange={set('model')} placeholder={t('vehicles.modelHint')} />
        <TextField name="year" label={t('vehicles.year')} type="number" min={1900} value={f.year} onChange={set('year')} inputMode="numeric" />
        <TextField name="last_service_at" label={t('vehicles.lastService')} type="date" value={f.last_service_at} onChange={set('last_service_at')} />
        <TextField
          name="service_interval_days"
          label={t('vehicles.interval')}
          type="number"
          min={1}
          value={f.service_interval_days}
          onChange={set('service_interval_days')}
          inputMode="numeric"
        />
        <TextField
          name="next_service_at"
          label={t('vehicles.nextService')}
          type="date"
          value={f.next_service_at}
          onChange={set('next_service_at')}
          hint={
            !f.next_service_at && derived
              ? t('vehicles.nextComputed', { date: formatDate(derived, lang) })
              : t('vehicles.nextHint')
          }
        />
        <FormActions onCancel={onClose} busy={save.busy} span2 />
      </Form>
    </Modal>
  );
}

/** The vehicles of one customer, on the customer's page. */
export function CustomerVehicles({ customerId }: { customerId: string }) {
  const { t, lang } = useI18n();
  const toast = useToast();
  const list = useOp('vehicles.list', { customer_id: customerId, page_size: 50 });
  const [editing, setEditing] = useState<Vehicle | 'new' | null>(null);
  return (
    <section className="card" data-testid="customer-vehicles">
      <div className="card-head">
        <h2>{t('vehicles.title')}</h2>
        <Button onClick={() => setEditing('new')}>+ {t('vehicles.add')}</Button>
      </div>
      <ErrorMessage error={list.error} />
      {!list.data?.data.length ? (
        list.isFetching ? <Loading /> : <Empty text={t('vehicles.noneForCustomer')} />
      ) : (
        <table className="table compact">
          <thead>
            <tr>
              <th>{t('vehicles.plate')}</th>
              <th>{t('vehicles.model')}</th>
              <th>{t('vehicles.year')}</th>
              <th>{t('vehicles.lastService')}</th>
              <th>{t('vehicles.nextService')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data.data.map((v) => (
              <tr key={v.id} data-plate={v.plate_number}>
                <td className="mono nowrap">
                  <strong>{v.plate_number}</strong>
                </td>
                <td>{v.model}</td>
                <td>{v.year ?? '—'}</td>
                <td className="nowrap">{formatDate(v.last_service_at, lang)}</td>
                <td>
                  <NextService v={v} />
                </td>
                <td className="actions">
                  <Button kind="ghost" onClick={() => setEditing(v)}>
                    ✎ {t('common.edit')}
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {editing && (
        <VehicleEditor
          vehicle={editing === 'new' ? undefined : editing}
          customerId={customerId}
          fixedCustomer={editing === 'new'}
          onClose={() => setEditing(null)}
          onSaved={(v) => {
            setEditing(null);
            toast(t('vehicles.saved', { plate: v.plate_number }));
          }}
        />
      )}
    </section>
  );
}
