import { useState } from 'react';
import type { AuditEntry, Booking, CreatedBooking, OpInput, Slot } from '../api/ops';
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
import { PaymentFields } from '../components/PaymentFields';
import { PriorityBadges } from '../components/PriorityBadges';
import { RiskFlags } from '../components/RiskFlags';
import { SelectField } from '../components/SelectField';
import { SlotPicker } from '../components/SlotPicker';
import { TextArea } from '../components/TextArea';
import { TextField } from '../components/TextField';
import { CheckField } from '../components/CheckField';
import { ValueBadge } from '../components/ValueBadge';
import { useI18n, type Key } from '../i18n';
import { fieldLabel } from '../i18n/errors';
import { formatDate, formatDateTime, formatPhone, formatRupiah, moneyValue, toLocalInput, today } from '../lib/format';
import { useAction, useOp } from '../lib/queries';
import { href, type Route } from '../lib/router';
import { useFormValues } from '../lib/useFormValues';
import { useSession, useToast } from '../session';

/** The outcome of the guided flow, shown once on the new booking's page. */
let justCreated: CreatedBooking | null = null;
export function rememberCreated(b: CreatedBooking) {
  justCreated = b;
}

export function BookingDetail({ route }: { route: Route }) {
  const id = route.params.id ?? '';
  const { t, tv, lang } = useI18n();
  const { tz, can, settings } = useSession();
  const toast = useToast();
  const booking = useOp('bookings.get', { id });
  const segments = useOp('bookings.segment_history', { id });
  const audit = useOp('audit.list', { entity: 'booking', entity_id: id, page_size: 100 }, { enabled: can('audit.read') });
  const [created] = useState(() => (justCreated?.id === id ? justCreated : null));
  const [editing, setEditing] = useState(false);
  const [canceling, setCanceling] = useState(false);
  const [moving, setMoving] = useState(false);
  const [rating, setRating] = useState(false);

  const setStatus = useAction(async (to: 'active' | 'completed') => {
    const b = booking.data!;
    await call('bookings.update', { id, version: b.version, booking_status: to });
    toast(t('common.saved'));
  });

  if (booking.isPending) return <Loading />;
  if (!booking.data) return <ErrorMessage error={booking.error} />;
  const b = booking.data;
  const open = b.booking_status === 'pending' || b.booking_status === 'active';

  return (
    <div className="booking-detail">
      <div className="no-print">
        <PageHeader
          title={t('bookings.detail', { code: b.code })}
          subtitle={
            <span className="header-badges">
              <ValueBadge of="status" value={b.booking_status} />
              <ValueBadge of="payment" value={b.payment_status} />
              <ValueBadge of="segment" value={b.priority_segment} />
              <PriorityBadges b={b} />
              <RiskFlags flags={b.risk_flags} />
            </span>
          }
          actions={
            <>
              {open && (
                <Button onClick={() => setEditing(true)} accessKey="e">
                  ✎ {t('common.edit')}
                </Button>
              )}
              {b.booking_status === 'pending' && (
                <Button kind="primary" busy={setStatus.busy} onClick={() => void setStatus.run('active')}>
                  ✓ {t('bookings.confirm')}
                </Button>
              )}
              {b.booking_status === 'active' && (
                <Button kind="primary" busy={setStatus.busy} onClick={() => void setStatus.run('completed')}>
                  ✓ {t('bookings.complete')}
                </Button>
              )}
              {open && b.slot_id && b.service_id && (
                <Button onClick={() => setMoving(true)}>⇄ {t('bookings.move')}</Button>
              )}
              {open && can('bookings.cancel') && (
                <Button kind="danger" onClick={() => setCanceling(true)}>
                  {t('bookings.cancelBooking')}
                </Button>
              )}
              {b.booking_status === 'completed' && (
                <Button onClick={() => setRating(true)}>★ {t('bookings.rate')}</Button>
              )}
              <Button onClick={() => window.print()}>{t('common.print')}</Button>
            </>
          }
        />
        {created && <CreatedBanner created={created} />}
        {open && b.slot_id && b.risk_flags.includes('double_booking') && (
          <SlotMates b={b} onMove={() => setMoving(true)} />
        )}
        <ErrorMessage error={setStatus.error} />
        <div className="cards">
          <section className="card">
            <h2>{t('bookings.customer')}</h2>
            <DefinitionList
              items={[
                [t('customers.name'), <a href={href(`/customers/${b.customer_id}`)}>{b.customer_name}</a>],
                [t('customers.code'), b.customer_code],
                [t('customers.phone'), formatPhone(b.customer_phone)],
              ]}
            />
          </section>
          <section className="card">
            <h2>{t('common.details')}</h2>
            <DefinitionList
              items={[
                [t('bookings.event'), formatDateTime(b.event_at, tz, lang)],
                [t('bookings.bookingDate'), formatDate(b.booking_date, lang)],
                ...(b.unit_code ? [[t('bookings.unit'), b.unit_code] as [string, string]] : []),
                ...(b.service_name
                  ? [
                      [t('bookings.service'), b.service_name] as [string, string],
                      [t('bookings.provider'), b.provider_name ?? '—'] as [string, string],
                      [t('bookings.address'), b.address ?? '—'] as [string, string],
                    ]
                  : []),
                [t('bookings.source'), tv('source', b.source)],
                [t('bookings.clients'), String(b.client_count)],
                [t('bookings.staff'), b.staff_name ?? '—'],
                [t('bookings.notes'), b.notes ?? '—'],
                ...(b.rating ? [[t('bookings.rating'), '★'.repeat(b.rating)] as [string, string]] : []),
                ...(b.review ? [[t('bookings.review'), b.review] as [string, string]] : []),
              ]}
            />
          </section>
          <section className="card">
            <h2>{t('bookings.payment')}</h2>
            <DefinitionList
              items={[
                [t('bookings.price'), <strong>{formatRupiah(b.price)}</strong>],
                [t('bookings.fee'), formatRupiah(b.booking_fee)],
                [t('bookings.paymentStatus'), tv('payment', b.payment_status)],
                [t('bookings.paymentMethod'), tv('method', b.payment_method)],
                [t('bookings.paymentDate'), formatDate(b.payment_date, lang)],
              ]}
            />
          </section>
        </div>
        <div className="cards">
          <section className="card">
            <h2>{t('bookings.score')}</h2>
            <div className="big-score">
              <span className="score-num">{b.priority_score}</span> <ValueBadge of="segment" value={b.priority_segment} />
            </div>
            <DefinitionList
              items={[
                [t('bookings.urgency'), tv('urgency', b.urgency_level)],
                [t('bookings.monetary'), tv('monetary', b.monetary_level)],
                [t('bookings.risk'), b.risk_flags.length ? <RiskFlags flags={b.risk_flags} /> : '—'],
              ]}
            />
            <div className="muted small">
              {t('bookings.scoredAt', { at: formatDateTime(b.updated_priority_at, tz, lang) })}
            </div>
          </section>
          <section className="card">
            <h2>{t('bookings.segmentHistory')}</h2>
            <ErrorMessage error={segments.error} />
            {segments.data?.data.length ? (
              <table className="table compact">
                <tbody>
                  {segments.data.data.map((c, i) => (
                    <tr key={i}>
                      <td>{formatDateTime(c.changed_at, tz, lang)}</td>
                      <td>
                        {c.from_segment ? <ValueBadge of="segment" value={c.from_segment} /> : '—'} →{' '}
                        <ValueBadge of="segment" value={c.to_segment} />
                      </td>
                      <td className="num">{c.score}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <Empty text={t('bookings.noHistory')} />
            )}
          </section>
          {can('audit.read') && (
            <section className="card card-wide">
              <h2>{t('bookings.history')}</h2>
              <ErrorMessage error={audit.error} />
              {audit.data?.data.length ? <AuditTable entries={audit.data.data} tz={tz} /> : <Empty text={t('bookings.noHistory')} />}
            </section>
          )}
        </div>
      </div>
      <PrintForm b={b} tz={tz} business={settings.business_name ?? 'Loket'} />
      {editing && (
        <EditBooking
          b={b}
          tz={tz}
          onClose={() => setEditing(false)}
          onSaved={() => {
            setEditing(false);
            toast(t('common.saved'));
          }}
        />
      )}
      {rating && (
        <RateBooking
          b={b}
          onClose={() => setRating(false)}
          onDone={() => {
            setRating(false);
            toast(t('common.saved'));
          }}
        />
      )}
      {moving && (
        <MoveBooking
          b={b}
          onClose={() => setMoving(false)}
          onDone={() => {
            setMoving(false);
            toast(t('bookings.moved'));
          }}
        />
      )}
      {canceling && (
        <CancelBooking
          b={b}
          onClose={() => setCanceling(false)}
          onDone={() => {
            setCanceling(false);
          }}
        />
      )}
    </div>
  );
}

function CreatedBanner({ created }: { created: CreatedBooking }) {
  const { t } = useI18n();
  return (
    <div className="banner banner-ok" data-testid="created-banner">
      <div>
        <strong>{t('bookings.created', { code: created.code })}</strong>
        {created.customer_created && <div>{t('bookings.customerCreated', { code: created.customer_code })}</div>}
      </div>
      {created.possible_duplicate_of.length > 0 && (
        <div className="duplicate-warning" role="alert" data-testid="possible-duplicate">
          <strong>⚠ {t('bookings.possibleDuplicate')}</strong>
          <div>{t('bookings.possibleDuplicateHint')}</div>
          <ul>
            {created.possible_duplicate_of.map((c) => (
              <li key={c.id}>
                <a href={href(`/customers/${c.id}`)}>
                  {c.code} — {c.name}
                </a>{' '}
                · {formatPhone(c.phone)}
                {c.email ? ` · ${c.email}` : ''}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

const VALUE_GROUPS: Record<string, string> = {
  booking_status: 'status',
  payment_status: 'payment',
  payment_method: 'method',
  priority_segment: 'segment',
  urgency_level: 'urgency',
  monetary_level: 'monetary',
};

function showValue(field: string, value: string, tv: (g: string, v: string) => string): string {
  if (value === '—') return value;
  if (VALUE_GROUPS[field]) return tv(VALUE_GROUPS[field], value);
  if (field === 'price' || field === 'booking_fee') return formatRupiah(value);
  return value;
}

function AuditTable({ entries, tz }: { entries: AuditEntry[]; tz: string }) {
  const { t, tv, lang } = useI18n();
  return (
    <table className="table compact audit">
      <tbody>
        {entries.map((e) => {
          const changes = diff(e.before, e.after);
          const actionKey = `action.${e.action}`;
          return (
            <tr key={e.id}>
              <td className="nowrap">{formatDateTime(e.at, tz, lang)}</td>
              <td>
                {t('bookings.changedBy', {
                  action: actionKey in ACTIONS ? t(actionKey as Key) : e.action,
                  user: e.username,
                })}
              </td>
              <td className="small">
                {changes.map(([k, from, to]) => (
                  <div key={k}>
                    {fieldLabel(k, lang)}: {showValue(k, from, tv)} → <strong>{showValue(k, to, tv)}</strong>
                  </div>
                ))}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

const ACTIONS = {
  'action.create': 1,
  'action.update': 1,
  'action.confirm': 1,
  'action.complete': 1,
  'action.cancel': 1,
  'action.move': 1,
  'action.expire': 1,
  'action.rescore': 1,
};
const SKIP = new Set(['version', 'updated_at', 'updated_priority_at', 'created_at', 'event_end_at', 'slot_id', 'provider_id']);

function show(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function diff(before: unknown, after: unknown): [string, string, string][] {
  const a = (before && typeof before === 'object' ? before : {}) as Record<string, unknown>;
  const b = (after && typeof after === 'object' ? after : {}) as Record<string, unknown>;
  if (!Object.keys(a).length) return [];
  const out: [string, string, string][] = [];
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (SKIP.has(k)) continue;
    if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) out.push([k, show(a[k]), show(b[k])]);
  }
  return out;
}

function EditBooking({
  b,
  tz,
  onClose,
  onSaved,
}: {
  b: Booking;
  tz: string;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t } = useI18n();
  const staff = useOp('staff.list', { active: true, page_size: 200 });
  const initial = {
    event_at: toLocalInput(b.event_at, tz),
    booking_date: b.booking_date,
    client_count: String(b.client_count),
    price: String(b.price),
    booking_fee: String(b.booking_fee),
    payment_status: b.payment_status as string,
    payment_method: (b.payment_method ?? '') as string,
    payment_date: b.payment_date ?? '',
    staff_id: b.staff_id ?? '',
    notes: b.notes ?? '',
    address: b.address ?? '',
  };
  const { values: f, field } = useFormValues(initial);
  const save = useAction(async () => {
    const input: OpInput<'bookings.update'> = { id: b.id, version: b.version };
    const changed = (k: keyof typeof f) => f[k] !== initial[k];
    if (changed('event_at')) input.event_at = f.event_at || null;
    if (changed('booking_date')) input.booking_date = f.booking_date || null;
    if (changed('client_count')) input.client_count = f.client_count === '' ? null : (Number(f.client_count) as number);
    if (changed('price')) input.price = moneyValue(f.price);
    if (changed('booking_fee')) input.booking_fee = moneyValue(f.booking_fee) ?? '0';
    if (changed('payment_status')) input.payment_status = f.payment_status as never;
    if (changed('payment_method')) input.payment_method = (f.payment_method || null) as never;
    if (changed('payment_date')) input.payment_date = f.payment_date || null;
    if (changed('staff_id')) input.staff_id = f.staff_id || null;
    if (changed('notes')) input.notes = f.notes || null;
    if (changed('address')) input.address = f.address || null;
    await call('bookings.update', input);
    onSaved();
  });
  return (
    <Modal title={t('bookings.edit', { code: b.code })} onClose={onClose} wide>
      <Form onSubmit={() => void save.run()} error={save.error} className="form grid-2">
        {!b.slot_id && (
          <TextField {...field('event_at')} label={t('bookings.event')} type="datetime-local" />
        )}
        <TextField {...field('booking_date')} label={t('bookings.bookingDate')} type="date" max={today(tz)} />
        <MoneyField {...field('price')} label={t('bookings.price')} />
        <MoneyField {...field('booking_fee')} label={t('bookings.fee')} />
        <PaymentFields field={field} />
        <TextField {...field('client_count')} label={t('bookings.clients')} type="number" min={1} />
        <SelectField
          {...field('staff_id')}
          label={t('bookings.staff')}
          empty="—"
          options={(staff.data?.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
        />
        {b.slot_id && <TextField {...field('address')} label={t('bookings.address')} />}
        <TextArea {...field('notes')} label={t('bookings.notes')} />
        <FormActions onCancel={onClose} busy={save.busy} span2 />
      </Form>
    </Modal>
  );
}

/**
 * A double booking on one slot (head office sold it while this desk,
 * offline, booked it too): who else holds the slot, with the way out.
 */
function SlotMates({ b, onMove }: { b: Booking; onMove: () => void }) {
  const { t, tv } = useI18n();
  const mates = useOp('bookings.list', { slot_id: b.slot_id, open: true, page_size: 10 });
  const others = (mates.data?.data ?? []).filter((o) => o.id !== b.id);
  if (others.length === 0) return null;
  return (
    <div className="banner banner-warn" role="status" data-testid="slot-mates">
      {t('bookings.doubleWith')}{' '}
      {others.map((o, i) => (
        <span key={o.id}>
          {i > 0 && ', '}
          <a href={href(`/bookings/${o.id}`)}>{o.code}</a> — {o.customer_name} ({tv('source', o.source)}, {formatPhone(o.customer_phone)})
        </span>
      ))}
      . {t('bookings.doubleHint')}{' '}
      <Button kind="ghost" onClick={onMove}>
        ⇄ {t('bookings.move')}
      </Button>
    </div>
  );
}

/**
 * Moves the booking to another free slot of its service, e.g. to resolve a
 * double booking; the customer is told over WhatsApp unless unticked.
 */
function MoveBooking({ b, onClose, onDone }: { b: Booking; onClose: () => void; onDone: () => void }) {
  const { t, lang } = useI18n();
  const { tz } = useSession();
  const [slot, setSlot] = useState<Slot | null>(null);
  const [notify, setNotify] = useState(true);
  const move = useAction(async () => {
    if (!slot) return;
    await call('bookings.move', { id: b.id, version: b.version, slot_id: slot.id, notify });
    onDone();
  });
  return (
    <Modal title={t('bookings.moveTitle', { code: b.code })} onClose={onClose} wide>
      <Form onSubmit={() => void move.run()} error={move.error}>
        <p className="span-2 muted">
          {t('bookings.moveFrom', { when: formatDateTime(b.event_at, tz, lang), provider: b.provider_name ?? '—' })}
        </p>
        <div className="span-2">
          <SlotPicker slot={slot} setSlot={setSlot} service={{ id: b.service_id ?? '', name: b.service_name ?? '' }} />
        </div>
        <CheckField name="notify" label={t('bookings.moveNotify', { name: b.customer_name })} checked={notify} onChange={setNotify} />
        <div className="form-actions span-2">
          <Button onClick={onClose}>{t('common.back')}</Button>
          <Button type="submit" kind="primary" busy={move.busy} disabled={!slot}>
            {t('bookings.move')}
          </Button>
        </div>
      </Form>
    </Modal>
  );
}

function CancelBooking({ b, onClose, onDone }: { b: Booking; onClose: () => void; onDone: () => void }) {
  const { t } = useI18n();
  const [reason, setReason] = useState('');
  const cancel = useAction(async () => {
    await call('bookings.cancel', { id: b.id, reason: reason.trim() || null });
    onDone();
  });
  return (
    <Modal title={t('bookings.cancelConfirm', { code: b.code })} onClose={onClose}>
      <Form onSubmit={() => void cancel.run()} error={cancel.error}>
        <TextField name="reason" label={t('bookings.cancelReason')} value={reason} onChange={setReason} />
        <div className="form-actions">
          <Button onClick={onClose}>{t('common.back')}</Button>
          <Button type="submit" kind="danger" busy={cancel.busy}>
            {t('bookings.cancelBooking')}
          </Button>
        </div>
      </Form>
    </Modal>
  );
}

function RateBooking({ b, onClose, onDone }: { b: Booking; onClose: () => void; onDone: () => void }) {
  const { t } = useI18n();
  const { values: f, field } = useFormValues({ rating: String(b.rating ?? '5'), review: b.review ?? '' });
  const save = useAction(async () => {
    await call('bookings.update', { id: b.id, version: b.version, rating: Number(f.rating), review: f.review.trim() || null });
    onDone();
  });
  return (
    <Modal title={`${t('bookings.rate')}: ${b.code}`} onClose={onClose}>
      <Form onSubmit={() => void save.run()} error={save.error}>
        <SelectField
          {...field('rating')}
          label={t('bookings.rating')}
          options={['5', '4', '3', '2', '1'].map((n) => ({ value: n, label: '★'.repeat(Number(n)) }))}
        />
        <TextArea {...field('review')} label={t('bookings.review')} />
        <FormActions onCancel={onClose} busy={save.busy} />
      </Form>
    </Modal>
  );
}

/** The printable booking form (only visible when printing). */
function PrintForm({ b, tz, business }: { b: Booking; tz: string; business: string }) {
  const { t, tv, lang } = useI18n();
  const rows: [string, string][] = [
    [t('bookings.code'), b.code],
    [t('bookings.bookingDate'), formatDate(b.booking_date, lang, { long: true })],
    [t('bookings.customer'), `${b.customer_name} (${b.customer_code})`],
    [t('customers.phone'), formatPhone(b.customer_phone)],
    [t('bookings.event'), formatDateTime(b.event_at, tz, lang)],
    ...(b.unit_code ? [[t('bookings.unit'), b.unit_code] as [string, string]] : []),
    ...(b.service_name
      ? [
          [t('bookings.service'), `${b.service_name} — ${b.provider_name ?? ''}`] as [string, string],
          [t('bookings.address'), b.address ?? '—'] as [string, string],
        ]
      : []),
    [t('bookings.clients'), String(b.client_count)],
    [t('bookings.price'), formatRupiah(b.price)],
    [t('bookings.fee'), formatRupiah(b.booking_fee)],
    [t('bookings.paymentStatus'), tv('payment', b.payment_status)],
    [t('bookings.paymentMethod'), tv('method', b.payment_method)],
    [t('bookings.status'), tv('status', b.booking_status)],
    [t('bookings.staff'), b.staff_name ?? '—'],
    [t('bookings.notes'), b.notes ?? '—'],
  ];
  return (
    <div className="print-only print-form">
      <header>
        <h1>{business}</h1>
        <h2>
          {t('bookings.printTitle')} {b.code}
        </h2>
      </header>
      <table>
        <tbody>
          {rows.map(([k, v]) => (
            <tr key={k}>
              <th>{k}</th>
              <td>{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="signatures">
        <div>
          <div className="sig-line" />
          {t('bookings.signatureCustomer')}
        </div>
        <div>
          <div className="sig-line" />
          {t('bookings.signatureStaff')}
        </div>
      </div>
      <footer>{t('bookings.printedAt', { at: formatDateTime(new Date().toISOString(), tz, lang) })}</footer>
    </div>
  );
}
