// The guided flow for a new booking: what is booked (a unit, a free service
// slot, or neither) → the customer (found as you type, or entered new, with a
// same-name warning before saving) → details → summary → save.
import { useEffect, useState } from 'react';
import type { Customer, CustomerInput, OpInput, Slot, Unit } from '../api/ops';
import { ApiError, call } from '../api/transport';
import { Button } from '../components/Button';
import { DefinitionList } from '../components/DefinitionList';
import { ErrorMessage } from '../components/ErrorMessage';
import { Form } from '../components/Form';
import { MoneyField } from '../components/MoneyField';
import { Page } from '../components/Page';
import { PaymentFields } from '../components/PaymentFields';
import { Rows } from '../components/Rows';
import { SaveButton } from '../components/SaveButton';
import { SelectField } from '../components/SelectField';
import { SlotPicker } from '../components/SlotPicker';
import { TextArea } from '../components/TextArea';
import { TextField } from '../components/TextField';
import { ValueBadge } from '../components/ValueBadge';
import { useI18n } from '../i18n';
import { formatDate, formatDateTime, formatPhone, formatRupiah, moneyValue, optionalText, parseRupiah } from '../lib/format';
import { useAction, useOp } from '../lib/queries';
import { navigate, type Route } from '../lib/router';
import { useDebounced } from '../lib/useDebounced';
import { bindFields, useFormValues } from '../lib/useFormValues';
import { useSession } from '../session';
import { rememberCreated } from './BookingDetail';

type Kind = 'unit' | 'slot' | 'none';
type Step = 1 | 2 | 3 | 4;

const emptyCustomer = {
  name: '',
  phone: '',
  email: '',
  gender: '',
  address: '',
  ktp_number: '',
  npwp_number: '',
  birth_date: '',
  birth_place: '',
  occupation: '',
  language: '',
};
type CustomerForm = typeof emptyCustomer;

const emptyDetails = {
  event_at: '',
  price: '',
  booking_fee: '',
  client_count: '1',
  payment_status: 'pending',
  payment_method: '',
  payment_date: '',
  booking_status: 'pending',
  staff_id: '',
  address: '',
  notes: '',
};
type Details = typeof emptyDetails;

/** Which step owns an API field, to go back there when the core names it. */
export function stepOfField(field: string | null): Step | null {
  if (!field) return null;
  if (field === 'customer' || field === 'customer_id' || field.startsWith('customer.')) return 2;
  if (field === 'unit_id' || field === 'slot_id') return 1;
  return 3;
}

function nameKey(s: string) {
  return s.trim().split(/\s+/).join(' ').toLowerCase();
}

export function NewBooking({ route }: { route: Route }) {
  const { t, tv, lang } = useI18n();
  const { tz } = useSession();
  const preUnit = route.query.get('unit');
  const preSlot = route.query.get('slot');
  const preCustomer = route.query.get('customer');
  const [step, setStep] = useState<Step>(1);
  const [kind, setKind] = useState<Kind>(preSlot ? 'slot' : preUnit ? 'unit' : 'none');
  const [unit, setUnit] = useState<Unit | null>(null);
  const [slot, setSlot] = useState<Slot | null>(null);
  const [existing, setExisting] = useState<Customer | null>(null);
  const [cust, setCust] = useState<CustomerForm>(emptyCustomer);
  const { values: details, setValues: setDetails, set: setDetail, field: detailField } = useFormValues<Details>(emptyDetails);
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const [sameNameOk, setSameNameOk] = useState(false);

  // A unit or slot chosen elsewhere (units grid, schedule calendar).
  useEffect(() => {
    if (preUnit) call('units.get', { id: preUnit }).then(setUnit, () => {});
    if (preSlot) call('slots.get', { id: preSlot }).then(setSlot, () => {});
    if (preCustomer) call('customers.get', { id: preCustomer }).then(setExisting, () => {});
    if (preUnit || preSlot) setStep(2);
  }, [preUnit, preSlot, preCustomer]);

  const services = useOp('services.list', { page_size: 200 });
  const serviceOfSlot = services.data?.data.find((s) => s.id === slot?.service_id);
  const defaultPrice = kind === 'unit' ? unit?.price : kind === 'slot' ? serviceOfSlot?.price : undefined;

  const save = useAction(async () => {
    const input: OpInput<'bookings.create'> = {
      unit_id: kind === 'unit' ? unit?.id : null,
      slot_id: kind === 'slot' ? slot?.id : null,
      event_at: kind === 'slot' ? null : details.event_at || null,
      price: moneyValue(details.price),
      booking_fee: moneyValue(details.booking_fee),
      client_count: details.client_count ? Number(details.client_count) : null,
      payment_status: details.payment_status as never,
      payment_method: (details.payment_method || null) as never,
      payment_date: details.payment_date || null,
      booking_status: details.booking_status as never,
      staff_id: details.staff_id || null,
      address: kind === 'slot' ? details.address || null : null,
      notes: details.notes || null,
    };
    if (existing) input.customer_id = existing.id;
    else input.customer = customerInput(cust);
    const out = await call('bookings.create', input);
    rememberCreated(out);
    navigate(`/bookings/${out.id}`);
    return out;
  });

  // A field error from the core: go back to the step with that field.
  useEffect(() => {
    const e = save.error;
    if (e instanceof ApiError && e.field) {
      const s = stepOfField(e.field);
      if (s) setStep(s);
    }
  }, [save.error]);

  const stepError = (s: Step) => {
    const e = save.error;
    if (!e) return null;
    if (e instanceof ApiError && e.field) return stepOfField(e.field) === s ? e : null;
    return s === 4 ? e : null;
  };

  /** Leaving a step: an error the core named in it has been dealt with. */
  const leave = (s: Step) => {
    if (stepError(s)) save.clearError();
  };
  const goCustomer = () => {
    if (kind === 'unit' && !unit) return;
    if (kind === 'slot' && !slot) return;
    leave(1);
    setStep(2);
  };
  const goDetails = () => {
    if (!existing) {
      const errs: Record<string, string> = {};
      if (!cust.name.trim()) errs['customer.name'] = `${t('customers.name')} ${t('wizard.required')}.`;
      if (!cust.phone.trim()) errs['customer.phone'] = `${t('customers.phone')} ${t('wizard.required')}.`;
      setLocalErrors(errs);
      if (Object.keys(errs).length) return;
    }
    if (kind === 'slot' && !details.address) {
      setDetails((d) => ({ ...d, address: existing?.address ?? cust.address }));
    }
    leave(2);
    setStep(3);
  };
  const goSummary = () => {
    const errs: Record<string, string> = {};
    if (kind === 'slot' && !details.address.trim())
      errs.address = `${t('bookings.address')} ${t('wizard.required')}.`;
    if (kind !== 'slot' && !details.price.trim() && !defaultPrice)
      errs.price = `${t('bookings.price')} ${t('wizard.required')}.`;
    setLocalErrors(errs);
    if (Object.keys(errs).length) return;
    leave(3);
    setStep(4);
  };

  const steps: [Step, string][] = [
    [1, t('wizard.step.what')],
    [2, t('wizard.step.customer')],
    [3, t('wizard.step.details')],
    [4, t('wizard.step.summary')],
  ];

  return (
    <Page title={t('wizard.title')} subtitle={t('wizard.stepOf', { n: step })} className="wizard">
      <ol className="steps" aria-label={t('wizard.title')}>
        {steps.map(([n, label]) => (
          <li key={n} className={n === step ? 'current' : n < step ? 'done' : ''} aria-current={n === step ? 'step' : undefined}>
            <button type="button" disabled={n > step} onClick={() => setStep(n)}>
              <span className="step-num">{n}</span> {label}
            </button>
          </li>
        ))}
      </ol>

      {step === 1 && (
        <StepWhat
          kind={kind}
          setKind={setKind}
          unit={unit}
          setUnit={setUnit}
          slot={slot}
          setSlot={setSlot}
          onNext={goCustomer}
          error={stepError(1)}
        />
      )}

      {step === 2 && (
        <StepCustomer
          existing={existing}
          setExisting={setExisting}
          cust={cust}
          setCust={setCust}
          localErrors={localErrors}
          error={stepError(2)}
          onNext={goDetails}
          onBack={() => setStep(1)}
          sameNameOk={sameNameOk}
          setSameNameOk={setSameNameOk}
        />
      )}

      {step === 3 && (
        <Form onSubmit={goSummary} error={stepError(3)} className="form grid-2 panel">
          {kind === 'slot' ? (
            <div className="span-2 muted">{t('wizard.eventFromSlot')}</div>
          ) : (
            <TextField {...detailField('event_at')} label={t('bookings.event')} type="datetime-local" />
          )}
          <MoneyField
            {...detailField('price')}
            label={t('bookings.price')}
            hint={
              localErrors.price ? undefined : defaultPrice ? t('wizard.priceDefault', { price: formatRupiah(defaultPrice) }) : undefined
            }
          />
          {localErrors.price && <div className="field-error span-2">{localErrors.price}</div>}
          {kind === 'slot' && (
            <TextField {...detailField('address')} label={t('bookings.address')} localError={localErrors.address} className="span-2" />
          )}
          <MoneyField {...detailField('booking_fee')} label={t('bookings.fee')} />
          <TextField {...detailField('client_count')} label={t('bookings.clients')} type="number" min={1} />
          <PaymentFields field={detailField} />
          <SelectField
            {...detailField('booking_status')}
            label={t('bookings.status')}
            options={['pending', 'active'].map((v) => ({ value: v, label: tv('status', v) }))}
          />
          <StaffSelect value={details.staff_id} onChange={setDetail('staff_id')} />
          <TextArea {...detailField('notes')} label={t('bookings.notes')} />
          <div className="form-actions span-2">
            <Button onClick={() => setStep(2)}>‹ {t('common.back')}</Button>
            <Button type="submit" kind="primary">
              {t('common.next')} ›
            </Button>
          </div>
        </Form>
      )}

      {step === 4 && (
        <Form onSubmit={() => void save.run()} error={stepError(4)} className="form panel summary">
          <DefinitionList
            items={[
              [
                t('wizard.step.what'),
                kind === 'unit' && unit
                  ? `${t('bookings.unit')} ${unit.code} — ${unit.unit_type}${unit.block ? `, ${t('units.block')} ${unit.block}` : ''}`
                  : kind === 'slot' && slot
                    ? `${t('wizard.slotAt', { service: slot.service_name, provider: slot.provider_name })}, ${formatDateTime(slot.starts_at, tz, lang)}`
                    : t('wizard.kind.none'),
              ],
              [
                t('bookings.customer'),
                existing
                  ? `${existing.name} (${existing.code}) · ${formatPhone(existing.phone)}`
                  : `${cust.name} · ${cust.phone} (${t('wizard.newCustomer')})`,
              ],
              [t('bookings.event'), kind === 'slot' && slot ? formatDateTime(slot.starts_at, tz, lang) : details.event_at ? formatLocal(details.event_at, lang) : '—'],
              [t('bookings.price'), formatRupiah(parseRupiah(details.price) ?? defaultPrice ?? null)],
              [t('bookings.fee'), formatRupiah(parseRupiah(details.booking_fee) ?? '0')],
              [t('bookings.clients'), details.client_count || '1'],
              [t('bookings.paymentStatus'), tv('payment', details.payment_status)],
              [t('bookings.paymentMethod'), tv('method', details.payment_method)],
              [t('bookings.status'), tv('status', details.booking_status)],
              ...(kind === 'slot' ? [[t('bookings.address'), details.address] as [string, string]] : []),
              [t('bookings.notes'), details.notes || '—'],
            ]}
          />
          {save.error instanceof ApiError && save.error.code === 'conflict' && kind !== 'none' && (
            <div>
              <Button onClick={() => { save.clearError(); setStep(1); kind === 'unit' ? setUnit(null) : setSlot(null); }}>
                {kind === 'unit' ? t('wizard.chooseUnit') : t('wizard.chooseSlot')}
              </Button>
            </div>
          )}
          <div className="form-actions">
            <Button onClick={() => setStep(3)}>‹ {t('common.back')}</Button>
            <SaveButton busy={save.busy}>✓ {t('wizard.save')}</SaveButton>
          </div>
        </Form>
      )}
    </Page>
  );
}

/** A local time as typed (`2026-12-01T10:00`, business time zone) for reading. */
function formatLocal(local: string, lang: 'id' | 'en'): string {
  const time = local.slice(11, 16);
  return `${formatDate(local.slice(0, 10), lang, { weekday: true })}, ${lang === 'id' ? time.replace(':', '.') : time}`;
}

function customerInput(c: CustomerForm): CustomerInput {
  return {
    name: c.name.trim(),
    phone: c.phone.trim(),
    email: optionalText(c.email),
    gender: (optionalText(c.gender) as CustomerInput['gender']) ?? null,
    address: optionalText(c.address),
    ktp_number: optionalText(c.ktp_number),
    npwp_number: optionalText(c.npwp_number),
    birth_date: optionalText(c.birth_date),
    birth_place: optionalText(c.birth_place),
    occupation: optionalText(c.occupation),
    language: (optionalText(c.language) as CustomerInput['language']) ?? null,
  };
}

function StaffSelect({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  const { t } = useI18n();
  const staff = useOp('staff.list', { active: true, page_size: 200 });
  return (
    <SelectField
      name="staff_id"
      label={t('bookings.staff')}
      value={value}
      onChange={onChange}
      empty="—"
      options={(staff.data?.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
    />
  );
}

function StepWhat({
  kind,
  setKind,
  unit,
  setUnit,
  slot,
  setSlot,
  onNext,
  error,
}: {
  kind: Kind;
  setKind: (k: Kind) => void;
  unit: Unit | null;
  setUnit: (u: Unit | null) => void;
  slot: Slot | null;
  setSlot: (s: Slot | null) => void;
  onNext: () => void;
  error: unknown;
}) {
  const { t } = useI18n();
  const ready = kind === 'none' || (kind === 'unit' && unit) || (kind === 'slot' && slot);
  return (
    <Form onSubmit={onNext} error={error} className="form panel">
      <fieldset className="kind-choice">
        {(['unit', 'slot', 'none'] as Kind[]).map((k) => (
          <label key={k} className={`kind-card${kind === k ? ' selected' : ''}`}>
            <input type="radio" name="kind" value={k} checked={kind === k} onChange={() => setKind(k)} />
            <span>{t(`wizard.kind.${k}`)}</span>
          </label>
        ))}
      </fieldset>
      {kind === 'unit' && <UnitPicker unit={unit} setUnit={setUnit} />}
      {kind === 'slot' && <SlotPicker slot={slot} setSlot={setSlot} />}
      <div className="form-actions">
        <Button type="submit" kind="primary" disabled={!ready}>
          {t('common.next')} ›
        </Button>
      </div>
    </Form>
  );
}

function UnitPicker({ unit, setUnit }: { unit: Unit | null; setUnit: (u: Unit | null) => void }) {
  const { t } = useI18n();
  const [q, setQ] = useState('');
  const dq = useDebounced(q, 250);
  const units = useOp('units.list', { status: 'available', unit_type: dq || null, page_size: 200, sort: 'code:asc' });
  return (
    <div className="picker" data-field="unit_id">
      <label className="filter filter-search">
        <span>{t('wizard.chooseUnit')}</span>
        <input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder={t('units.type')} />
      </label>
      {unit && (
        <div className="selected-item" data-testid="selected-unit">
          {t('wizard.selected')}: <strong>{unit.code}</strong> — {unit.unit_type} · {formatRupiah(unit.price)}{' '}
          {unit.status !== 'available' && <ValueBadge of="unitStatus" value={unit.status} />}
        </div>
      )}
      <ErrorMessage error={units.error} />
      <Rows query={units} empty={t('wizard.noUnits')}>
        {(rows) => (
          <div className="pick-grid">
            {rows.map((u) => (
              <button
                type="button"
                key={u.id}
                className={`pick-card${unit?.id === u.id ? ' selected' : ''}`}
                onClick={() => setUnit(u)}
                aria-pressed={unit?.id === u.id}
                data-unit={u.code}
              >
                <strong>{u.code}</strong>
                <span>{u.unit_type}</span>
                <span className="muted small">
                  {u.block ? `${t('units.block')} ${u.block}` : ''} {u.number ?? ''}
                </span>
                <span>{formatRupiah(u.price)}</span>
              </button>
            ))}
          </div>
        )}
      </Rows>
    </div>
  );
}

function StepCustomer({
  existing,
  setExisting,
  cust,
  setCust,
  localErrors,
  error,
  onNext,
  onBack,
  sameNameOk,
  setSameNameOk,
}: {
  existing: Customer | null;
  setExisting: (c: Customer | null) => void;
  cust: CustomerForm;
  setCust: (f: (c: CustomerForm) => CustomerForm) => void;
  localErrors: Record<string, string>;
  error: unknown;
  onNext: () => void;
  onBack: () => void;
  sameNameOk: boolean;
  setSameNameOk: (v: boolean) => void;
}) {
  const { t, tv } = useI18n();
  const [q, setQ] = useState(cust.phone || cust.name);
  const dq = useDebounced(q.trim(), 200);
  const searching = dq.length >= 2;
  const matches = useOp('customers.list', { q: dq, page_size: 8 }, { enabled: searching });
  const matchList = searching ? (matches.data?.data ?? []) : [];
  // Before saving: is there already a customer with exactly this name?
  const dname = useDebounced(nameKey(cust.name), 300);
  const checkName = dname.length >= 2 && !existing;
  const sameName = useOp('customers.list', { q: dname, page_size: 20 }, { enabled: checkName });
  const sameNameList = checkName ? (sameName.data?.data ?? []).filter((c) => nameKey(c.name) === dname) : [];

  // What is typed in the search box seeds the new customer's phone or name.
  const typed = (v: string) => {
    const before = q;
    setQ(v);
    // Only fill a field the user has not typed into themselves.
    const looksLikePhone = /^[+\d][\d\s().-]*$/.test(v.trim());
    setCust((c) =>
      looksLikePhone
        ? c.phone === '' || c.phone === before
          ? { ...c, phone: v }
          : c
        : c.name === '' || c.name === before
          ? { ...c, name: v }
          : c,
    );
  };
  const set = (k: keyof CustomerForm) => (v: string) => {
    if (k === 'name') setSameNameOk(false);
    setCust((c) => ({ ...c, [k]: v }));
  };
  const customerField = bindFields(cust, set, 'customer.');

  if (existing) {
    return (
      <Form onSubmit={onNext} error={error} className="form panel">
        <h2>{t('wizard.existingCustomer')}</h2>
        <DefinitionList
          items={[
            [t('customers.name'), existing.name],
            [t('customers.code'), existing.code],
            [t('customers.phone'), formatPhone(existing.phone)],
            [t('customers.email'), existing.email ?? '—'],
          ]}
        />
        <div className="form-actions">
          <Button onClick={onBack}>‹ {t('common.back')}</Button>
          <Button onClick={() => setExisting(null)}>{t('wizard.changeCustomer')}</Button>
          <Button type="submit" kind="primary">
            {t('common.next')} ›
          </Button>
        </div>
      </Form>
    );
  }

  return (
    <Form onSubmit={onNext} error={error} className="form panel">
      <div className="field find-customer">
        <label htmlFor="find-customer">{t('wizard.findCustomer')}</label>
        <input
          id="find-customer"
          type="search"
          data-search
          autoComplete="off"
          value={q}
          onChange={(e) => typed(e.target.value)}
          aria-describedby="find-hint"
        />
        <div className="field-hint" id="find-hint">
          {t('wizard.findHint')}
        </div>
      </div>
      {matchList.length > 0 && (
        <div className="matches" aria-label={t('wizard.matches')} data-testid="customer-matches">
          <h3>{t('wizard.matches')}</h3>
          <ul>
            {matchList.map((c) => (
              <li key={c.id}>
                <span>
                  <strong>{c.name}</strong> · {formatPhone(c.phone)} <span className="muted small">{c.code}</span>
                </span>
                <Button onClick={() => setExisting(c)}>{t('wizard.use')}</Button>
              </li>
            ))}
          </ul>
        </div>
      )}
      <h2>{t('wizard.newCustomer')}</h2>
      <div className="grid-2">
        <TextField {...customerField('name')} label={t('customers.name')} localError={localErrors['customer.name']} />
        <TextField {...customerField('phone')} label={t('customers.phone')} inputMode="tel" localError={localErrors['customer.phone']} />
        {sameNameList.length > 0 && !sameNameOk && (
          <div className="banner banner-warn span-2" role="alert" data-testid="same-name-warning">
            <strong>⚠ {t('wizard.sameName')}</strong>
            <div>{t('wizard.sameNameHint')}</div>
            <ul>
              {sameNameList.map((c) => (
                <li key={c.id}>
                  {c.name} ({c.code}) · {formatPhone(c.phone)}{' '}
                  <Button onClick={() => setExisting(c)}>{t('wizard.use')}</Button>
                </li>
              ))}
            </ul>
            <Button kind="ghost" onClick={() => setSameNameOk(true)}>
              {t('wizard.stillNew')}
            </Button>
          </div>
        )}
        <TextField {...customerField('email')} label={t('customers.email')} type="email" />
        <SelectField
          {...customerField('gender')}
          label={t('customers.gender')}
          empty="—"
          options={['female', 'male'].map((g) => ({ value: g, label: tv('gender', g) }))}
        />
        <TextField {...customerField('ktp_number')} label={t('customers.ktp')} inputMode="numeric" />
        <TextField {...customerField('npwp_number')} label={t('customers.npwp')} inputMode="numeric" />
        <TextField {...customerField('address')} label={t('customers.address')} className="span-2" />
        <TextField {...customerField('birth_date')} label={t('customers.birthDate')} type="date" />
        <TextField {...customerField('birth_place')} label={t('customers.birthPlace')} />
        <TextField {...customerField('occupation')} label={t('customers.occupation')} />
        <SelectField
          {...customerField('language')}
          label={t('customers.language')}
          empty={t('customers.languageDefault')}
          options={['id', 'en'].map((l) => ({ value: l, label: tv('language', l) }))}
        />
      </div>
      <div className="form-actions">
        <Button onClick={onBack}>‹ {t('common.back')}</Button>
        <Button type="submit" kind="primary">
          {t('common.next')} ›
        </Button>
      </div>
    </Form>
  );
}
