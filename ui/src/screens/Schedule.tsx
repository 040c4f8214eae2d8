// A provider's week: free and booked slots (a free one books through the
// guided flow), the working plan editor and slot generation with a preview.
import { useEffect, useMemo, useState } from 'react';
import type { OpOutput, Slot, WorkDay } from '../api/ops';
import { call } from '../api/transport';
import { Button } from '../components/Button';
import { Empty } from '../components/Empty';
import { ErrorMessage } from '../components/ErrorMessage';
import { FilterSelect } from '../components/FilterSelect';
import { Form } from '../components/Form';
import { Loading } from '../components/Loading';
import { Page } from '../components/Page';
import { SaveButton } from '../components/SaveButton';
import { SelectField } from '../components/SelectField';
import { TextField } from '../components/TextField';
import { useI18n, type Key } from '../i18n';
import { addDays, formatDate, formatDateTime, formatTime, localDate, today, weekStart } from '../lib/format';
import { setOpData, useAction, useOp } from '../lib/queries';
import { href, navigate, type Route } from '../lib/router';
import { useSession, useToast } from '../session';

export function Schedule({ route }: { route: Route }) {
  const { t, lang } = useI18n();
  const { tz, can } = useSession();
  const providers = useOp('providers.list', { page_size: 200 });
  const providerId = route.query.get('provider') || providers.data?.data[0]?.id || '';
  const week = weekStart(route.query.get('week') || today(tz));
  const go = (p: string, w: string) => navigate(href('/schedule', { provider: p, week: w }));

  const slots = useOp(
    'slots.list',
    { provider_id: providerId, from: week, to: addDays(week, 6), page_size: 200 },
    { enabled: !!providerId },
  );
  const days = useMemo(() => Array.from({ length: 7 }, (_, i) => addDays(week, i)), [week]);
  const byDay = useMemo(() => {
    const m: Record<string, Slot[]> = {};
    for (const s of slots.data?.data ?? []) (m[localDate(s.starts_at, tz)] ??= []).push(s);
    return m;
  }, [slots.data, tz]);
  const provider = providers.data?.data.find((p) => p.id === providerId);
  const now = Date.now();
  const todayStr = today(tz);

  return (
    <Page title={t('schedule.title')} subtitle={t('schedule.legend')}>
      <ErrorMessage error={providers.error} />
      <div className="filters">
        <FilterSelect
          name="provider"
          testId="schedule-provider"
          label={t('schedule.provider')}
          value={providerId}
          onChange={(p) => go(p, week)}
          empty={providerId ? undefined : t('schedule.chooseProvider')}
          options={(providers.data?.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
        />
        <div className="week-nav">
          <Button kind="ghost" onClick={() => go(providerId, addDays(week, -7))} aria-label={t('schedule.prevWeek')}>
            ‹
          </Button>
          <Button kind="ghost" onClick={() => go(providerId, today(tz))}>
            {t('schedule.thisWeek')}
          </Button>
          <Button kind="ghost" onClick={() => go(providerId, addDays(week, 7))} aria-label={t('schedule.nextWeek')}>
            ›
          </Button>
          <span className="week-label">
            {formatDate(week, lang)} – {formatDate(addDays(week, 6), lang)}
          </span>
        </div>
      </div>
      {!providers.isFetching && !providers.data?.data.length && <Empty text={t('providers.none')} />}
      {providerId && (
        <>
          <ErrorMessage error={slots.error} />
          <div className="week" aria-busy={slots.isFetching}>
            {days.map((d, i) => (
              <div key={d} className={`week-day${d === todayStr ? ' is-today' : ''}`} data-date={d}>
                <div className="week-day-head">
                  <strong>{t(`weekday.${i}` as Key)}</strong>
                  <span>{formatDate(d, lang)}</span>
                </div>
                <div className="week-day-slots">
                  {(byDay[d] ?? []).map((s) => {
                    const past = new Date(s.starts_at).getTime() <= now;
                    if (s.status === 'booked') {
                      return (
                        <a
                          key={s.id}
                          className="cal-slot booked"
                          href={s.booking_id ? href(`/bookings/${s.booking_id}`) : undefined}
                          title={`${s.service_name} · ${s.customer_name ?? ''}`}
                        >
                          <span className="cal-time">
                            {formatTime(s.starts_at, tz, lang)}–{formatTime(s.ends_at, tz, lang)}
                          </span>
                          <span className="cal-who">{s.customer_name ?? t('schedule.booked')}</span>
                          <span className="cal-what">{s.booking_code ?? ''}</span>
                        </a>
                      );
                    }
                    // A free slot of a deactivated service or provider cannot be booked.
                    return (
                      <button
                        key={s.id}
                        type="button"
                        className={`cal-slot free${past ? ' past' : ''}${s.offered ? '' : ' not-offered'}`}
                        disabled={past || !s.offered}
                        onClick={() => navigate(`/bookings/new?slot=${s.id}`)}
                        title={s.offered ? `${t('schedule.bookSlot')}: ${s.service_name}` : t('schedule.notOfferedHint')}
                        data-slot-start={s.starts_at}
                      >
                        <span className="cal-time">
                          {formatTime(s.starts_at, tz, lang)}–{formatTime(s.ends_at, tz, lang)}
                        </span>
                        <span className="cal-who">{s.offered ? t('schedule.free') : t('schedule.notOffered')}</span>
                        <span className="cal-what">{s.service_name}</span>
                      </button>
                    );
                  })}
                  {!slots.isFetching && !(byDay[d] ?? []).length && <div className="muted small">{t('schedule.noSlots')}</div>}
                </div>
              </div>
            ))}
          </div>
          {slots.isPending && <Loading />}
          <div className="schedule-panels">
            <WorkingPlan providerId={providerId} editable={can('schedule.write')} />
            {can('schedule.write') && provider && (
              <Generate
                providerId={providerId}
                serviceIds={provider.service_ids}
                from={week < todayStr ? todayStr : week}
              />
            )}
          </div>
        </>
      )}
    </Page>
  );
}

interface DayRow {
  works: boolean;
  start: string;
  end: string;
  breaks: string;
}

function toRows(days: WorkDay[]): DayRow[] {
  return Array.from({ length: 7 }, (_, i) => {
    const d = days.find((x) => x.weekday === i);
    return d
      ? { works: true, start: d.start, end: d.end, breaks: (d.breaks ?? []).map((b) => `${b.start}-${b.end}`).join(', ') }
      : { works: false, start: '09:00', end: '17:00', breaks: '' };
  });
}

/** `12:00-13:00, 15:00-15:15` → breaks; null when it cannot be read. */
export function parseBreaks(text: string): { start: string; end: string }[] | null {
  const out: { start: string; end: string }[] = [];
  for (const part of text.split(/[,;]/).map((s) => s.trim()).filter(Boolean)) {
    const m = part.match(/^(\d{1,2}[:.]\d{2})\s*[-–]\s*(\d{1,2}[:.]\d{2})$/);
    if (!m) return null;
    const norm = (s: string) => s.replace('.', ':').padStart(5, '0');
    out.push({ start: norm(m[1]), end: norm(m[2]) });
  }
  return out;
}

function WorkingPlan({ providerId, editable }: { providerId: string; editable: boolean }) {
  const { t } = useI18n();
  const toast = useToast();
  const plan = useOp('providers.working_plan.get', { id: providerId });
  const [rows, setRows] = useState<DayRow[]>(toRows([]));
  const [badBreaks, setBadBreaks] = useState<number | null>(null);
  useEffect(() => {
    if (plan.data) setRows(toRows(plan.data.days));
  }, [plan.data]);
  const save = useAction(async () => {
    const days: WorkDay[] = [];
    for (let i = 0; i < 7; i++) {
      const r = rows[i];
      if (!r.works) continue;
      const breaks = parseBreaks(r.breaks);
      if (!breaks) {
        setBadBreaks(i);
        return;
      }
      days.push({ weekday: i, start: r.start, end: r.end, breaks });
    }
    setBadBreaks(null);
    const out = await call('providers.working_plan.set', { id: providerId, days });
    setOpData('providers.working_plan.get', { id: providerId }, out);
    toast(t('common.saved'));
  });
  const set = (i: number, patch: Partial<DayRow>) => setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const apiField = save.error && typeof save.error === 'object' && 'field' in save.error ? String(save.error.field) : '';
  return (
    <section className="card working-plan">
      <h2>{t('schedule.workingPlan')}</h2>
      {plan.isPending ? (
        <Loading />
      ) : (
        <Form onSubmit={() => void save.run()} error={save.error} autoFocus={false} className="form">
          <table className="table compact plan">
            <thead>
              <tr>
                <th />
                <th>{t('schedule.works')}</th>
                <th>{t('schedule.start')}</th>
                <th>{t('schedule.end')}</th>
                <th>{t('schedule.breaks')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                <tr key={i} className={r.works ? '' : 'off'}>
                  <th>{t(`weekday.${i}` as Key)}</th>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`${t(`weekday.${i}` as Key)} ${t('schedule.works')}`}
                      checked={r.works}
                      disabled={!editable}
                      onChange={(e) => set(i, { works: e.target.checked })}
                    />
                  </td>
                  <td>
                    <input className="time" inputMode="numeric" placeholder="09:00" value={r.start} disabled={!editable || !r.works} onChange={(e) => set(i, { start: e.target.value })} aria-label={`${t(`weekday.${i}` as Key)} ${t('schedule.start')}`} />
                  </td>
                  <td>
                    <input className="time" inputMode="numeric" placeholder="17:00" value={r.end} disabled={!editable || !r.works} onChange={(e) => set(i, { end: e.target.value })} aria-label={`${t(`weekday.${i}` as Key)} ${t('schedule.end')}`} />
                  </td>
                  <td>
                    <input
                      value={r.breaks}
                      placeholder="12:00-13:00"
                      title={t('schedule.breaksHint')}
                      disabled={!editable || !r.works}
                      aria-invalid={badBreaks === i || apiField.startsWith(`days[`) || undefined}
                      onChange={(e) => set(i, { breaks: e.target.value })}
                      aria-label={`${t(`weekday.${i}` as Key)} ${t('schedule.breaks')}`}
                    />
                    {badBreaks === i && <div className="field-error">{t('schedule.breaksHint')}</div>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {editable && (
            <div className="form-actions">
              <SaveButton busy={save.busy}>{t('schedule.savePlan')}</SaveButton>
            </div>
          )}
        </Form>
      )}
    </section>
  );
}

function Generate({
  providerId,
  serviceIds,
  from,
}: {
  providerId: string;
  serviceIds: string[];
  from: string;
}) {
  const { t, tv, lang } = useI18n();
  const { tz } = useSession();
  const toast = useToast();
  const services = useOp('services.list', { page_size: 200 });
  const offered = (services.data?.data ?? []).filter((s) => serviceIds.includes(s.id));
  const [f, setF] = useState({ service_id: '', from, to: addDays(from, 13), buffer_min: '0' });
  useEffect(() => setF((s) => ({ ...s, from, to: addDays(from, 13) })), [from]);
  const serviceId = f.service_id || offered[0]?.id || '';
  const [preview, setPreview] = useState<OpOutput<'slots.generate'> | null>(null);
  const input = () => ({
    provider_id: providerId,
    service_id: serviceId,
    from: f.from,
    to: f.to,
    buffer_min: Number(f.buffer_min) || 0,
  });
  const dry = useAction(async () => setPreview(await call('slots.generate', { ...input(), dry_run: true })), {
    refreshes: false,
  });
  const real = useAction(async () => {
    const out = await call('slots.generate', { ...input(), dry_run: false });
    setPreview(null);
    toast(t('schedule.created', { n: out.created }));
  });
  const change = (patch: Partial<typeof f>) => {
    setF((s) => ({ ...s, ...patch }));
    setPreview(null);
  };
  const grouped = useMemo(() => {
    const m = new Map<string, string[]>();
    for (const s of preview?.starts ?? []) {
      const d = localDate(s, tz);
      m.set(d, [...(m.get(d) ?? []), s]);
    }
    return [...m.entries()];
  }, [preview, tz]);
  return (
    <section className="card generate">
      <h2>{t('schedule.generate')}</h2>
      <Form onSubmit={() => void dry.run()} error={dry.error ?? real.error} autoFocus={false} className="form grid-2">
        <SelectField
          name="service_id"
          label={t('bookings.service')}
          value={serviceId}
          onChange={(v) => change({ service_id: v })}
          options={offered.map((s) => ({ value: s.id, label: `${s.name} (${t('common.minutes', { n: s.duration_min })})` }))}
        />
        <TextField name="buffer_min" label={t('schedule.buffer')} type="number" min={0} value={f.buffer_min} onChange={(v) => change({ buffer_min: v })} />
        <TextField name="from" label={t('common.from')} type="date" value={f.from} onChange={(v) => change({ from: v })} />
        <TextField name="to" label={t('common.to')} type="date" value={f.to} onChange={(v) => change({ to: v })} />
        <div className="form-actions span-2">
          <Button type="submit" busy={dry.busy} busyLabel={t('schedule.previewing')} disabled={!serviceId || real.busy}>
            {t('schedule.preview')}
          </Button>
          {preview && preview.created > 0 && (
            <Button kind="primary" busy={real.busy} busyLabel={t('schedule.creating')} onClick={() => void real.run()}>
              {t('schedule.createN', { n: preview.created })}
            </Button>
          )}
        </div>
      </Form>
      {preview && (
        <div className="preview" data-testid="generate-preview">
          <p>
            <strong>{t('schedule.willCreate', { n: preview.created })}</strong>
            {preview.skipped.length > 0 && <span className="muted"> · {t('schedule.skipped', { n: preview.skipped.length })}</span>}
          </p>
          {preview.created === 0 && preview.skipped.length === 0 && <p className="muted">{t('schedule.noPlan')}</p>}
          <ul className="preview-days">
            {grouped.map(([d, starts]) => (
              <li key={d}>
                <strong>{formatDate(d, lang, { weekday: true })}</strong>:{' '}
                {starts.map((s) => formatTime(s, tz, lang)).join(', ')}
              </li>
            ))}
          </ul>
          {preview.skipped.length > 0 && (
            <details>
              <summary>{t('schedule.skipped', { n: preview.skipped.length })}</summary>
              <ul className="small">
                {preview.skipped.map((s, i) => (
                  <li key={i}>
                    {formatDateTime(s.starts_at, tz, lang)} — {tv('skip', s.reason)}
                  </li>
                ))}
              </ul>
            </details>
          )}
        </div>
      )}
    </section>
  );
}
