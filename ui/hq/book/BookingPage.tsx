// The public booking page (`/book`, `/book/{branch}`): a customer books a
// service without an account, phone first. Branch → service → day and free
// time → their details → "waiting for your YA on WhatsApp". The link in that
// WhatsApp message opens `/book/confirm?code=…&token=…`, which confirms.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useMemo, useState, type ReactNode } from 'react';
import { Button } from '../../src/components/Button';
import { ErrorMessage } from '../../src/components/ErrorMessage';
import { Form } from '../../src/components/Form';
import { LanguageSwitch } from '../../src/components/LanguageSwitch';
import { Loading } from '../../src/components/Loading';
import { SlotButton } from '../../src/components/SlotButton';
import { TextArea } from '../../src/components/TextArea';
import { TextField } from '../../src/components/TextField';
import { useI18n } from '../../src/i18n';
import { fieldErrors } from '../../src/i18n/errors';
import { addDays, formatDate, formatRupiah, formatTime, localDate, today } from '../../src/lib/format';
import { useAction } from '../../src/lib/queries';
import {
  publicGet,
  publicPost,
  type BookingState,
  type PublicBranch,
  type PublicService,
  type PublicSlot,
} from '../api/client';
import type { Schemas } from '../api/client';

type Verified = Schemas['Verified'];
type OwnBooking = Schemas['OwnBooking'];

/** The business time zone: the free times are shown in it. */
const TZ = 'Asia/Jakarta';
/** Days offered to choose from. */
const DAYS = 14;

/** The branch slug in `/book/{slug}`, if any. */
export function slugOf(pathname: string): string | null {
  const m = /^\/book\/([^/]+)\/?$/.exec(pathname);
  return m && m[1] !== 'confirm' && m[1] !== 'manage' ? decodeURIComponent(m[1]) : null;
}

export function BookingPage() {
  const { t } = useI18n();
  const path = window.location.pathname.replace(/\/$/, '');
  useEffect(() => {
    document.title = t('book.title');
  }, [t]);
  return (
    <div className="book-page">
      <header className="book-header">
        <a className="book-brand" href="/book">
          {t('book.title')}
        </a>
        <a href="/book/manage">{t('book.manageLink')}</a>
        <LanguageSwitch />
      </header>
      <main className="book-main">
        {path === '/book/confirm' ? <ConfirmFromLink /> : path === '/book/manage' ? <ManageBooking /> : <BookingFlow />}
      </main>
    </div>
  );
}

interface Details {
  name: string;
  gender: '' | 'male' | 'female';
  phone: string;
  email: string;
  address: string;
  notes: string;
  website: string;
}

const EMPTY: Details = { name: '', gender: '', phone: '', email: '', address: '', notes: '', website: '' };

function BookingFlow() {
  const { t, lang } = useI18n();
  const slug = slugOf(window.location.pathname);
  const branches = useQuery({ queryKey: ['public-branches'], queryFn: () => publicGet<PublicBranch[]>('/public/v1/branches') });
  const [branchId, setBranchId] = useState<string | null>(null);
  const [service, setService] = useState<PublicService | null>(null);
  const [day, setDay] = useState(() => addDays(today(TZ), 1));
  const [slot, setSlot] = useState<PublicSlot | null>(null);
  const [details, setDetails] = useState<Details>(EMPTY);
  const [done, setDone] = useState<BookingState | null>(null);
  const dayId = useId();

  // A branch's own link chooses it.
  const branch = useMemo(() => {
    const list = branches.data ?? [];
    return list.find((b) => b.id === branchId) ?? (slug ? list.find((b) => b.slug === slug) : undefined) ?? (list.length === 1 ? list[0] : undefined);
  }, [branches.data, branchId, slug]);

  const services = useQuery({
    queryKey: ['public-services', branch?.id],
    queryFn: () => publicGet<PublicService[]>('/public/v1/services', { branch_id: branch!.id }),
    enabled: !!branch,
  });
  const slots = useQuery({
    queryKey: ['public-slots', branch?.id, service?.id, day],
    queryFn: () => publicGet<PublicSlot[]>('/public/v1/slots', { branch_id: branch!.id, service_id: service!.id, date: day }),
    enabled: !!branch && !!service,
    refetchInterval: 5_000,
  });

  const book = useAction(
    async () => {
      const state = await publicPost<BookingState>('/public/v1/bookings', {
        slot_id: slot?.id ?? '',
        customer: {
          name: details.name,
          gender: details.gender || null,
          phone: details.phone,
          email: details.email.trim() || null,
          address: details.address,
        },
        notes: details.notes.trim() || null,
        language: lang,
        website: details.website,
      });
      setDone(state);
    },
    { refreshes: false },
  );

  if (done) return <Waiting state={done} />;
  if (branches.isPending) return <Loading />;
  if (!branches.data) return <ErrorMessage error={branches.error} />;

  const set = (k: keyof Details) => (v: string) => setDetails((d) => ({ ...d, [k]: v }));
  const days = Array.from({ length: DAYS }, (_, i) => addDays(today(TZ), i));

  return (
    <>
      <section className="book-step" aria-labelledby="book-branch">
        <h2 id="book-branch">1. {t('book.branch')}</h2>
        {branches.data.length === 0 ? (
          <p className="muted">{t('book.noBranches')}</p>
        ) : (
          <div className="choice-list">
            {branches.data.map((b) => (
              <Choice
                key={b.id}
                selected={branch?.id === b.id}
                onClick={() => {
                  setBranchId(b.id);
                  setService(null);
                  setSlot(null);
                }}
              >
                <span>{b.name}</span>
                {b.address && <span className="muted small">{b.address}</span>}
              </Choice>
            ))}
          </div>
        )}
        {branch?.map_url && (
          <p>
            <a href={branch.map_url} target="_blank" rel="noopener noreferrer">
              {t('book.map')}: {branch.name} ↗
            </a>
          </p>
        )}
      </section>

      {branch && (
        <section className="book-step" aria-labelledby="book-service">
          <h2 id="book-service">2. {t('book.service')}</h2>
          {services.isPending ? (
            <Loading />
          ) : (services.data ?? []).length === 0 ? (
            <p className="muted">{t('book.noServices')}</p>
          ) : (
            <div className="choice-list">
              {(services.data ?? []).map((s) => (
                <Choice
                  key={s.id}
                  selected={service?.id === s.id}
                  onClick={() => {
                    setService(s);
                    setSlot(null);
                  }}
                >
                  <span>{s.name}</span>
                  <span className="muted small">
                    {formatRupiah(s.price)} · {t('book.minutes', { n: s.duration_min })}
                  </span>
                </Choice>
              ))}
            </div>
          )}
        </section>
      )}

      {branch && service && (
        <section className="book-step" aria-labelledby="book-time">
          <h2 id="book-time">3. {t('book.time')}</h2>
          <div className="book-day">
            <label htmlFor={dayId}>{t('book.day')}</label>
            <select
              id={dayId}
              value={day}
              onChange={(e) => {
                setDay(e.target.value);
                setSlot(null);
              }}
            >
              {days.map((d) => (
                <option key={d} value={d}>
                  {formatDate(d, lang, { weekday: true })}
                </option>
              ))}
            </select>
          </div>
          {slots.isPending ? (
            <Loading />
          ) : (slots.data ?? []).length === 0 ? (
            <p className="muted" data-testid="no-times">
              {t('book.noTimes')}
            </p>
          ) : (
            <div className="slot-buttons" data-testid="times">
              {(slots.data ?? []).map((s) => (
                <SlotButton key={s.id} selected={slot?.id === s.id} onClick={() => setSlot(s)}>
                  {formatTime(s.starts_at, TZ, lang)}
                </SlotButton>
              ))}
            </div>
          )}
        </section>
      )}

      {branch && service && slot && (
        <section className="book-step" aria-labelledby="book-details">
          <h2 id="book-details">4. {t('book.details')}</h2>
          <p className="muted">
            {service.name}, {formatDate(day, lang, { weekday: true })} {formatTime(slot.starts_at, TZ, lang)} — {branch.name}
          </p>
          <Form onSubmit={() => void book.run()} error={book.error} className="form book-form" autoFocus={false}>
            <TextField name="customer.name" label={t('customers.name')} value={details.name} onChange={set('name')} autoComplete="name" />
            <fieldset className="field" data-field="customer.gender">
              <legend>{t('customers.gender')}</legend>
              {(['female', 'male'] as const).map((g) => (
                <label key={g} className="radio">
                  <input type="radio" name="gender" value={g} checked={details.gender === g} onChange={() => set('gender')(g)} /> {t(`gender.${g}`)}
                </label>
              ))}
              <GenderError error={book.error} />
            </fieldset>
            <TextField name="customer.phone" label={t('book.phone')} value={details.phone} onChange={set('phone')} type="tel" inputMode="tel" autoComplete="tel" hint={t('book.phoneHint')} />
            <TextField name="customer.email" label={t('book.email')} value={details.email} onChange={set('email')} type="email" autoComplete="email" />
            <TextArea name="customer.address" label={t('book.address')} value={details.address} onChange={set('address')} />
            <TextArea name="notes" label={t('bookings.notes')} value={details.notes} onChange={set('notes')} />
            {/* People never see this; a bot that fills it is refused. */}
            <div className="book-trap" aria-hidden="true">
              <label>
                Website
                <input tabIndex={-1} autoComplete="off" name="website" value={details.website} onChange={(e) => set('website')(e.target.value)} />
              </label>
            </div>
            <Button type="submit" kind="primary" busy={book.busy}>
              {t('book.submit')}
            </Button>
          </Form>
        </section>
      )}
    </>
  );
}

/** A studio or a service to pick: pressed when chosen. */
function Choice({ selected, onClick, children }: { selected: boolean; onClick: () => void; children: ReactNode }) {
  return (
    <button type="button" className={`choice${selected ? ' selected' : ''}`} aria-pressed={selected} onClick={onClick}>
      {children}
    </button>
  );
}

/** The gender choice's error (radio buttons are not a TextField). */
function GenderError({ error }: { error: unknown }) {
  const { lang } = useI18n();
  const text = fieldErrors(error, lang)['customer.gender'];
  return text ? (
    <div className="field-error" role="alert">
      {text}
    </div>
  ) : null;
}

function Waiting({ state }: { state: BookingState }) {
  const { t, lang } = useI18n();
  return (
    <section className="book-step book-done" role="status" data-testid="awaiting">
      <h2>{t('book.waitingTitle')}</h2>
      <p>
        {t('book.waiting', {
          code: state.code,
          by: state.confirm_by ? formatTime(state.confirm_by, TZ, lang) : '—',
        })}
      </p>
      <p className="book-code">{state.code}</p>
      <p className="muted">
        {state.service}, {formatDate(localDate(state.starts_at, TZ), lang, { weekday: true })} {formatTime(state.starts_at, TZ, lang)}
      </p>
    </section>
  );
}

/** `/book/confirm?code=…&token=…`: the WhatsApp message's link. */
function ConfirmFromLink() {
  const { t, lang } = useI18n();
  const params = new URLSearchParams(window.location.search);
  const code = params.get('code') ?? '';
  const token = params.get('token') ?? '';
  const confirm = useQuery({
    queryKey: ['public-confirm', code, token],
    queryFn: () => publicPost<BookingState>(`/public/v1/bookings/${encodeURIComponent(code)}/confirm`, { token }),
    retry: false,
    staleTime: Infinity,
  });
  if (confirm.isPending) return <Loading />;
  if (!confirm.data) return <ErrorMessage error={confirm.error} />;
  const s = confirm.data;
  return (
    <section className="book-step book-done" role="status" data-testid="confirmed">
      <h2>{t('book.confirmedTitle')}</h2>
      <p className="book-code">{s.code}</p>
      <p>
        {s.service}, {formatDate(localDate(s.starts_at, TZ), lang, { weekday: true })} {formatTime(s.starts_at, TZ, lang)}
      </p>
    </section>
  );
}

/**
 * `/book/manage`: the code and the phone; six digits sent to that phone's
 * WhatsApp; then the booking, which its customer may cancel while the
 * studio has not confirmed it.
 */
function ManageBooking() {
  const { t, lang, tv } = useI18n();
  const [code, setCode] = useState('');
  const [phone, setPhone] = useState('');
  const [otp, setOtp] = useState('');
  const [sent, setSent] = useState(false);
  const [verified, setVerified] = useState<Verified | null>(null);
  const [booking, setBooking] = useState<OwnBooking | null>(null);
  const ask = useAction(
    async () => {
      await publicPost('/public/v1/lookup', { code, phone, language: lang });
      setSent(true);
    },
    { refreshes: false },
  );
  const check = useAction(
    async () => {
      const v = await publicPost<Verified>('/public/v1/lookup/verify', { code, phone, otp });
      setVerified(v);
      setBooking(v.booking);
    },
    { refreshes: false },
  );
  const cancel = useAction(
    async () => {
      if (!verified) return;
      setBooking(await publicPost<OwnBooking>(`/public/v1/bookings/${encodeURIComponent(booking?.code ?? code)}/cancel`, { token: verified.token }));
    },
    { refreshes: false },
  );
  if (booking) {
    return (
      <section className="book-step" aria-labelledby="own-booking" data-testid="own-booking">
        <h2 id="own-booking">{t('book.yourBooking')}</h2>
        <p className="book-code">{booking.code}</p>
        <p>
          {booking.service}, {formatDate(localDate(booking.starts_at, TZ), lang, { weekday: true })} {formatTime(booking.starts_at, TZ, lang)}
        </p>
        <p data-testid="own-status">{tv('book.status', booking.status)}</p>
        <ErrorMessage error={cancel.error} />
        {booking.cancellable ? (
          <Button kind="danger" busy={cancel.busy} onClick={() => void cancel.run()}>
            {t('book.cancel')}
          </Button>
        ) : booking.status !== 'canceled' ? (
          <p className="muted">{t('book.callStudio')}</p>
        ) : null}
      </section>
    );
  }
  return (
    <section className="book-step" aria-labelledby="manage-title">
      <h2 id="manage-title">{t('book.manageTitle')}</h2>
      {!sent ? (
        <Form onSubmit={() => void ask.run()} error={ask.error} className="form book-form">
          <TextField name="code" label={t('book.code')} value={code} onChange={setCode} autoComplete="off" placeholder="BK-2026-W001" />
          <TextField name="phone" label={t('book.phone')} value={phone} onChange={setPhone} type="tel" inputMode="tel" autoComplete="tel" />
          <Button type="submit" kind="primary" busy={ask.busy}>
            {t('book.sendCode')}
          </Button>
        </Form>
      ) : (
        <Form onSubmit={() => void check.run()} error={check.error} className="form book-form">
          <p role="status">{t('book.codeSent')}</p>
          <TextField name="otp" label={t('book.otp')} value={otp} onChange={setOtp} inputMode="numeric" autoComplete="one-time-code" />
          <Button type="submit" kind="primary" busy={check.busy}>
            {t('book.showBooking')}
          </Button>
        </Form>
      )}
    </section>
  );
}

