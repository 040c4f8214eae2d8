import { useQueries, useQuery } from '@tanstack/react-query';
import type { Booking, Segment } from '../api/ops';
import { call } from '../api/transport';
import { Button } from '../components/Button';
import { Empty } from '../components/Empty';
import { ErrorMessage } from '../components/ErrorMessage';
import { Loading } from '../components/Loading';
import { Page } from '../components/Page';
import { Pagination } from '../components/Pagination';
import { PriorityBadges } from '../components/PriorityBadges';
import { RiskFlags } from '../components/RiskFlags';
import { ValueBadge } from '../components/ValueBadge';
import { useI18n } from '../i18n';
import { addDays, formatDate, formatDateTime, formatPhone, formatRupiah, formatTime, localDate, today } from '../lib/format';
import { backupWarning } from '../lib/dataSafety';
import { opKey, useAction, useOp } from '../lib/queries';
import { href, navigate, type Route } from '../lib/router';
import { useSession, useToast } from '../session';

const SEGMENTS: Segment[] = ['high', 'medium', 'low'];
const PAGE_SIZE = 25;

export function Today({ route }: { route: Route }) {
  const { t, lang } = useI18n();
  const { tz, can } = useSession();
  const toast = useToast();
  const segment = (route.query.get('segment') as Segment | null) || null;
  const page = Number(route.query.get('page') || 1);

  // How many open bookings in all and in each segment (one page of one row each).
  const countInputs = [null, ...SEGMENTS].map((s) => ({ open: true, segment: s, page_size: 1 }));
  const counts = useQueries({
    queries: countInputs.map((input) => ({
      queryKey: opKey('bookings.list', input),
      queryFn: () => call('bookings.list', input),
    })),
  });
  const countOf = (i: number) => counts[i].data?.meta.total ?? '…';

  const status = useOp('status.get', {});
  const backup = backupWarning(status.data, can('settings.write'));

  const list = useOp('bookings.list', { open: true, segment, sort: 'priority_score:desc', page, page_size: PAGE_SIZE });

  const recalc = useAction(async () => {
    const out = await call('bookings.recalculate', {});
    toast(t('today.recalculated', { updated: out.updated, changes: out.segment_changes }));
  });

  const go = (seg: Segment | null, p = 1) => navigate(href('/', { segment: seg, page: p > 1 ? p : null }));

  return (
    <Page
      title={t('today.title')}
      subtitle={t('today.subtitle')}
      actions={
        can('priority.recalculate') && (
          <Button onClick={() => void recalc.run()} busy={recalc.busy} busyLabel={t('today.recalculating')}>
            ↻ {t('today.recalculate')}
          </Button>
        )
      }
      className="today"
    >
      <ErrorMessage error={recalc.error} />
      {backup && (
        <div className="banner banner-warn" role="status" data-testid="backup-warning">
          {t(backup.key, { days: backup.days, todo: t(backup.todo) })}{' '}
          {can('settings.write') && <a href="#/settings">{t('backup.title')} →</a>}
        </div>
      )}
      <div className="today-grid">
        <section className="board" aria-label={t('today.title')}>
          <div className="segment-tabs" role="tablist">
            <button
              role="tab"
              aria-selected={!segment}
              className={`seg-tab${!segment ? ' active' : ''}`}
              onClick={() => go(null)}
              data-segment="all"
            >
              {t('today.allSegments')} <span className="count">{countOf(0)}</span>
            </button>
            {SEGMENTS.map((s, i) => (
              <button
                key={s}
                role="tab"
                aria-selected={segment === s}
                className={`seg-tab seg-tab-${s}${segment === s ? ' active' : ''}`}
                onClick={() => go(s)}
                data-segment={s}
              >
                {t(`segment.${s}`)} <span className="count">{countOf(i + 1)}</span>
              </button>
            ))}
          </div>
          <ErrorMessage error={list.error} />
          {list.isPending ? (
            <Loading />
          ) : list.data && list.data.data.length === 0 ? (
            <Empty text={t('today.noOpen')} />
          ) : (
            <ol className="board-list" start={(page - 1) * PAGE_SIZE + 1}>
              {list.data?.data.map((b) => <BoardRow key={b.id} b={b} tz={tz} />)}
            </ol>
          )}
          <Pagination meta={list.data?.meta} onPage={(p) => go(segment, p)} />
        </section>
        <aside className="appointments" aria-label={t('today.appointments')}>
          <Appointments tz={tz} lang={lang} />
        </aside>
      </div>
    </Page>
  );
}

function BoardRow({ b, tz }: { b: Booking; tz: string }) {
  const { t, lang } = useI18n();
  const risky = b.risk_flags.length > 0;
  return (
    <li className={`board-row seg-${b.priority_segment}${risky ? ' risky' : ''}`} data-code={b.code}>
      <a href={href(`/bookings/${b.id}`)} className="board-link">
        <div className="score" title={t('bookings.score')}>
          <span className="score-num">{b.priority_score}</span>
          <ValueBadge of="segment" value={b.priority_segment} />
        </div>
        <div className="board-main">
          <div className="board-title">
            <strong>{b.customer_name}</strong>
            <span className="muted">{formatPhone(b.customer_phone)}</span>
            <span className="code">{b.code}</span>
          </div>
          <div className="board-sub">
            <span>
              {t('today.event')}: {formatDateTime(b.event_at, tz, lang)}
            </span>
            {b.unit_code && <span>· {b.unit_code}</span>}
            {b.service_name && (
              <span>
                · {b.service_name}
                {b.provider_name ? ` (${b.provider_name})` : ''}
              </span>
            )}
          </div>
          <div className="board-badges">
            <ValueBadge of="status" value={b.booking_status} />
            <PriorityBadges b={b} />
            <RiskFlags flags={b.risk_flags} />
          </div>
        </div>
        <div className="board-price">{formatRupiah(b.price)}</div>
      </a>
    </li>
  );
}

function Appointments({ tz, lang }: { tz: string; lang: 'id' | 'en' }) {
  const { t } = useI18n();
  const day0 = today(tz);
  const day1 = addDays(day0, 1);
  const data = useQuery({
    queryKey: ['today.appointments', tz, day0],
    queryFn: async () => {
      // Open bookings by event time, read until past tomorrow (at most a few pages).
      const out: Booking[] = [];
      for (let page = 1; page <= 5; page++) {
        const res = await call('bookings.list', { open: true, sort: 'event_at:asc', page, page_size: 200 });
        let beyond = false;
        for (const b of res.data) {
          if (!b.event_at) continue;
          const d = localDate(b.event_at, tz);
          if (d > day1) beyond = true;
          else if (d >= day0) out.push(b);
        }
        if (beyond || page >= res.meta.page_count) break;
      }
      return out;
    },
  });
  return (
    <>
      <h2>{t('today.appointments')}</h2>
      <ErrorMessage error={data.error} />
      {[day0, day1].map((d, i) => {
        const items = (data.data ?? []).filter((b) => b.event_at && localDate(b.event_at, tz) === d);
        return (
          <div key={d} className="appt-day">
            <h3>
              {i === 0 ? t('today.today') : t('today.tomorrow')}{' '}
              <span className="muted">{formatDate(d, lang, { weekday: true })}</span>
            </h3>
            {data.isPending ? (
              <Loading />
            ) : items.length === 0 ? (
              <div className="muted small">{t('today.noAppointments')}</div>
            ) : (
              <ul className="appt-list">
                {items.map((b) => (
                  <li key={b.id} className={b.risk_flags.length ? 'risky' : ''}>
                    <a href={href(`/bookings/${b.id}`)}>
                      <span className="appt-time">{formatTime(b.event_at, tz, lang)}</span>
                      <span className="appt-who">
                        {b.customer_name}
                        <span className="muted small">
                          {' '}
                          {b.code}
                          {b.service_name ? ` · ${b.service_name}` : b.unit_code ? ` · ${b.unit_code}` : ''}
                        </span>
                      </span>
                      <RiskFlags flags={b.risk_flags} />
                    </a>
                  </li>
                ))}
              </ul>
            )}
          </div>
        );
      })}
    </>
  );
}
