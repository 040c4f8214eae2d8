import { useEffect, useState } from 'react';
import type { Customer, OpInput } from '../api/ops';
import { call } from '../api/transport';
import { Button } from '../components/Button';
import { DefinitionList } from '../components/DefinitionList';
import { Empty } from '../components/Empty';
import { ErrorMessage } from '../components/ErrorMessage';
import { Form } from '../components/Form';
import { FormActions } from '../components/FormActions';
import { Loading } from '../components/Loading';
import { Modal } from '../components/Modal';
import { MoneyField } from '../components/MoneyField';
import { PageHeader } from '../components/PageHeader';
import { Pagination } from '../components/Pagination';
import { Rows } from '../components/Rows';
import { SearchFilter } from '../components/SearchFilter';
import { SelectField } from '../components/SelectField';
import { TextField } from '../components/TextField';
import { ValueBadge } from '../components/ValueBadge';
import { useI18n } from '../i18n';
import { formatDate, formatDateTime, formatPhone, formatRupiah, moneyValue, optionalText } from '../lib/format';
import { setOpData, useAction, useOp } from '../lib/queries';
import { useDebounced } from '../lib/useDebounced';
import { href, navigate, type Route } from '../lib/router';
import { useSession, useToast } from '../session';
import { CustomerVehicles } from './Vehicles';

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

export function CustomerDetail({ route }: { route: Route }) {
  const id = route.params.id ?? '';
  const { t, tv, lang } = useI18n();
  const { tz, can } = useSession();
  const toast = useToast();
  const customer = useOp('customers.get', { id });
  const [page, setPage] = useState(1);
  const bookings = useOp('customers.bookings', { id, page, page_size: 20, sort: 'booking_date:desc' });
  const [editing, setEditing] = useState(false);
  const remove = useAction(async () => {
    await call('customers.delete', { id });
    toast(t('common.saved'));
    navigate('/customers');
  });
  if (customer.isPending) return <Loading />;
  if (!customer.data) return <ErrorMessage error={customer.error} />;
  const c = customer.data;
  const masked = !can('customers.sensitive');
  return (
    <div>
      <PageHeader
        title={`${c.name}`}
        subtitle={c.code}
        actions={
          <>
            <Button kind="primary" onClick={() => navigate(`/bookings/new?customer=${c.id}`)}>
              + {t('nav.newBooking')}
            </Button>
            <Button onClick={() => setEditing(true)}>✎ {t('common.edit')}</Button>
            {can('customers.delete') && (
              <Button
                kind="danger"
                busy={remove.busy}
                onClick={() => window.confirm(t('customers.deleteConfirm', { code: c.code })) && void remove.run()}
              >
                {t('common.delete')}
              </Button>
            )}
          </>
        }
      />
      <ErrorMessage error={remove.error} />
      <div className="cards">
        <section className="card">
          <h2>{t('common.details')}</h2>
          <DefinitionList
            items={[
              [t('customers.phone'), formatPhone(c.phone)],
              [t('customers.email'), c.email ?? '—'],
              [t('customers.gender'), tv('gender', c.gender)],
              [t('customers.address'), c.address ?? '—'],
              [t('customers.birthDate'), formatDate(c.birth_date, lang)],
              [t('customers.birthPlace'), c.birth_place ?? '—'],
              [t('customers.occupation'), c.occupation ?? '—'],
              [t('customers.income'), c.monthly_income ? formatRupiah(c.monthly_income) : '—'],
              [t('customers.emergency'), c.emergency_contact ?? '—'],
              [t('customers.language'), c.language ? tv('language', c.language) : t('customers.languageDefault')],
            ]}
          />
        </section>
        <section className="card">
          <h2>KTP / NPWP</h2>
          <DefinitionList
            items={[
              [t('customers.ktp'), <span className="mono">{c.ktp_number ?? '—'}</span>],
              [t('customers.npwp'), <span className="mono">{c.npwp_number ?? '—'}</span>],
            ]}
          />
          {masked && <p className="muted small">({t('customers.masked')})</p>}
          <DefinitionList items={[[t('customers.lastBooking'), formatDateTime(c.last_booking_at, tz, lang)]]} />
        </section>
      </div>
      <section className="card">
        <h2>{t('customers.bookings')}</h2>
        <ErrorMessage error={bookings.error} />
        {!bookings.data?.data.length ? (
          <Empty text={t('bookings.none')} />
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>{t('bookings.code')}</th>
                <th>{t('bookings.event')}</th>
                <th>{t('bookings.price')}</th>
                <th>{t('bookings.status')}</th>
                <th>{t('bookings.payment')}</th>
                <th>{t('bookings.segment')}</th>
              </tr>
            </thead>
            <tbody>
              {bookings.data.data.map((b) => (
                <tr key={b.id} className="clickable" onClick={() => navigate(`/bookings/${b.id}`)}>
                  <td>
                    <a href={href(`/bookings/${b.id}`)}>{b.code}</a>
                  </td>
                  <td>{formatDateTime(b.event_at, tz, lang)}</td>
                  <td className="num">{formatRupiah(b.price)}</td>
                  <td>
                    <ValueBadge of="status" value={b.booking_status} />
                  </td>
                  <td>
                    <ValueBadge of="payment" value={b.payment_status} />
                  </td>
                  <td>
                    <ValueBadge of="segment" value={b.priority_segment} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <Pagination meta={bookings.data?.meta} onPage={setPage} />
      </section>
      <CustomerVehicles customerId={c.id} />
      {editing && (
        <CustomerEditor
          customer={c}
          masked={masked}
          onClose={() => setEditing(false)}
          onSaved={(n) => {
            setEditing(false);
            setOpData('customers.get', { id }, n);
            toast(t('common.saved'));
          }}
        />
      )}
    </div>
  );
}

function CustomerEditor({
  customer,
  masked,
  onClose,
  onSaved,
}: {
  customer?: Customer;
  masked?: boolean;
  onClose: () => void;
  onSaved: (c: Customer) => void;
}) {
  const { t, tv } = useI18n();
  const initial = {
    name: customer?.name ?? '',
    phone: customer?.phone ? formatPhone(customer.phone) : '',
    email: customer?.email ?? '',
    gender: customer?.gender ?? '',
    address: customer?.address ?? '',
    ktp_number: masked ? '' : (customer?.ktp_number ?? ''),
    npwp_number: masked ? '' : (customer?.npwp_number ?? ''),
    birth_date: customer?.birth_date ?? '',
    birth_place: customer?.birth_place ?? '',
    occupation: customer?.occupation ?? '',
    monthly_income: customer?.monthly_income ?? '',
    emergency_contact: customer?.emergency_contact ?? '',
    language: customer?.language ?? '',
  };
  const [f, setF] = useState(initial);
  const set = (k: keyof typeof f) => (v: string) => setF((s) => ({ ...s, [k]: v }));
  const save = useAction(async () => {
    if (!customer) {
      const c = await call('customers.create', {
        name: f.name,
        phone: f.phone,
        email: optionalText(f.email),
        gender: (optionalText(f.gender) as never) ?? null,
        address: optionalText(f.address),
        ktp_number: optionalText(f.ktp_number),
        npwp_number: optionalText(f.npwp_number),
        birth_date: optionalText(f.birth_date),
        birth_place: optionalText(f.birth_place),
        occupation: optionalText(f.occupation),
        monthly_income: moneyValue(f.monthly_income),
        emergency_contact: optionalText(f.emergency_contact),
        language: (optionalText(f.language) as never) ?? null,
      });
      onSaved(c);
      return;
    }
    const input: OpInput<'customers.update'> = { id: customer.id, version: customer.version };
    const changed = (k: keyof typeof f) => f[k] !== initial[k];
    if (changed('name')) input.name = f.name;
    if (changed('phone')) input.phone = f.phone;
    if (changed('email')) input.email = optionalText(f.email);
    if (changed('gender')) input.gender = (optionalText(f.gender) as never) ?? null;
    if (changed('address')) input.address = optionalText(f.address);
    if (changed('ktp_number')) input.ktp_number = optionalText(f.ktp_number);
    if (changed('npwp_number')) input.npwp_number = optionalText(f.npwp_number);
    if (changed('birth_date')) input.birth_date = optionalText(f.birth_date);
    if (changed('birth_place')) input.birth_place = optionalText(f.birth_place);
    if (changed('occupation')) input.occupation = optionalText(f.occupation);
    if (changed('monthly_income')) input.monthly_income = moneyValue(f.monthly_income);
    if (changed('emergency_contact')) input.emergency_contact = optionalText(f.emergency_contact);
    if (changed('language')) input.language = (optionalText(f.language) as never) ?? null;
    onSaved(await call('customers.update', input));
  });
  const maskedHint = masked ? t('customers.masked') : undefined;
  return (
    <Modal title={customer ? t('customers.edit', { code: customer.code }) : t('customers.new')} onClose={onClose} wide>
      <Form onSubmit={() => void save.run()} error={save.error} className="form grid-2">
        <TextField name="name" label={t('customers.name')} value={f.name} onChange={set('name')} />
        <TextField name="phone" label={t('customers.phone')} value={f.phone} onChange={set('phone')} inputMode="tel" />
        <TextField name="email" label={t('customers.email')} type="email" value={f.email} onChange={set('email')} />
        <SelectField
          name="gender"
          label={t('customers.gender')}
          value={f.gender}
          onChange={set('gender')}
          empty="—"
          options={['female', 'male'].map((g) => ({ value: g, label: tv('gender', g) }))}
        />
        <TextField
          name="ktp_number"
          label={t('customers.ktp')}
          value={f.ktp_number}
          onChange={set('ktp_number')}
          inputMode="numeric"
          placeholder={masked ? (customer?.ktp_number ?? '') : ''}
          hint={maskedHint}
        />
        <TextField
          name="npwp_number"
          label={t('customers.npwp')}
          value={f.npwp_number}
          onChange={set('npwp_number')}
          inputMode="numeric"
          placeholder={masked ? (customer?.npwp_number ?? '') : ''}
          hint={maskedHint}
        />
        <TextField name="address" label={t('customers.address')} value={f.address} onChange={set('address')} className="span-2" />
        <TextField name="birth_date" label={t('customers.birthDate')} type="date" value={f.birth_date} onChange={set('birth_date')} />
        <TextField name="birth_place" label={t('customers.birthPlace')} value={f.birth_place} onChange={set('birth_place')} />
        <TextField name="occupation" label={t('customers.occupation')} value={f.occupation} onChange={set('occupation')} />
        <MoneyField name="monthly_income" label={t('customers.income')} value={f.monthly_income} onChange={set('monthly_income')} />
        <TextField name="emergency_contact" label={t('customers.emergency')} value={f.emergency_contact} onChange={set('emergency_contact')} />
        <SelectField
          name="language"
          label={t('customers.language')}
          value={f.language}
          onChange={set('language')}
          empty={t('customers.languageDefault')}
          options={['id', 'en'].map((l) => ({ value: l, label: tv('language', l) }))}
        />
        <FormActions onCancel={onClose} busy={save.busy} span2 />
      </Form>
    </Modal>
  );
}
