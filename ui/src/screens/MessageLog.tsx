// The message log (outbox): every WhatsApp message this desk queued, its
// status and tries, resend and cancel, "deliver now"; below it the daily jobs.
import { useState } from 'react';
import type { Message, OpInput, OpOutput } from '../api/ops';
import { call } from '../api/transport';
import { Button } from '../components/Button';
import { CustomerPicker } from '../components/CustomerPicker';
import { DataTable } from '../components/DataTable';
import { DefinitionList } from '../components/DefinitionList';
import { ErrorMessage } from '../components/ErrorMessage';
import { FilterSelect } from '../components/FilterSelect';
import { JobsPanel } from '../components/JobsPanel';
import { MessageStatusBadge } from '../components/MessageStatusBadge';
import { Modal } from '../components/Modal';
import { Page } from '../components/Page';
import { useI18n } from '../i18n';
import { formatDateTime, formatPhone } from '../lib/format';
import { MESSAGE_KINDS, MESSAGE_STATUSES, canCancel, canResend } from '../lib/messaging';
import { useAction, useOp } from '../lib/queries';
import { addressFilters, href, navigate, type Route } from '../lib/router';
import { useSession, useToast } from '../session';

const REFRESH_MS = 10_000;

type Flushed = OpOutput<'messages.flush'>;

export function MessageLog({ route }: { route: Route }) {
  const { t, tv, lang } = useI18n();
  const { tz, can } = useSession();
  const toast = useToast();
  const [q, set, filter] = addressFilters(route, '/messages', ['status', 'kind', 'customer', 'page']);
  const input: OpInput<'messages.list'> = {
    status: (q.status || null) as never,
    kind: (q.kind || null) as never,
    customer_id: q.customer || null,
    page: Number(q.page) || 1,
    page_size: 25,
  };
  // Both refresh every REFRESH_MS while the window is visible.
  const list = useOp('messages.list', input, { refetchInterval: REFRESH_MS });
  // Whether messages are going out at all, for every role that reads the log.
  const status = useOp('messages.status', {}, { refetchInterval: REFRESH_MS });
  const [open, setOpen] = useState<Message | null>(null);
  const [flushed, setFlushed] = useState<Flushed | null>(null);
  const manage = can('messages.manage');

  const flush = useAction(async () => {
    setFlushed(null);
    setFlushed(await call('messages.flush', {}));
  });
  const act = useAction(async (m: Message, what: 'resend' | 'cancel') => {
    const to = formatPhone(m.to);
    const question =
      what === 'cancel'
        ? t('messages.cancelConfirm', { to })
        : m.status === 'unknown'
          ? t('messages.resendUnknownConfirm', { to })
          : t('messages.resendConfirm', { to });
    if (!window.confirm(question)) return;
    const out = what === 'resend' ? await call('messages.resend', { id: m.id }) : await call('messages.cancel', { id: m.id });
    toast(t(what === 'resend' ? 'messages.resent' : 'messages.canceled'));
    if (open?.id === m.id) setOpen(out);
  });

  const actions = (m: Message) =>
    manage && (
      <>
        {canResend(m.status) && (
          <Button kind="ghost" busy={act.busy} onClick={() => void act.run(m, 'resend')}>
            ↻ {t('messages.resend')}
          </Button>
        )}
        {canCancel(m.status) && (
          <Button kind="ghost" busy={act.busy} onClick={() => void act.run(m, 'cancel')}>
            ✕ {t('messages.cancel')}
          </Button>
        )}
      </>
    );

  return (
    <Page
      title={t('messages.title')}
      subtitle={t('messages.subtitle')}
      actions={
        <>
          <Button kind="ghost" onClick={() => void list.refetch()}>
            ⟳ {t('common.refresh')}
          </Button>
          {manage && (
            <Button kind="primary" busy={flush.busy} busyLabel={t('common.working')} onClick={() => void flush.run()}>
              ✉ {t('messages.deliverNow')}
            </Button>
          )}
        </>
      }
    >
      {status.data?.paused && !flushed && (
        <div className="banner banner-warn" role="status" data-testid="delivery-paused">
          {t('messages.paused', { error: status.data.paused })} {t('messages.pausedHelp')}
        </div>
      )}
      {status.data && (status.data.failed > 0 || status.data.unknown > 0) && (
        <div className="banner banner-warn" role="status" data-testid="delivery-attention">
          {t('messages.attention', { failed: status.data.failed, unknown: status.data.unknown })}
        </div>
      )}
      {flushed && (
        <div className={`banner ${flushed.paused ? 'banner-warn' : 'banner-ok'}`} role="status" data-testid="flush-result">
          {t('messages.delivered', {
            sent: flushed.sent,
            retrying: flushed.retrying,
            failed: flushed.failed,
            queued: flushed.queued,
          })}
          {flushed.paused && <div>{t('messages.paused', { error: flushed.paused })}</div>}
        </div>
      )}
      <ErrorMessage error={flush.error ?? act.error} />
      <div className="filters no-print">
        <FilterSelect
          {...filter('status')}
          label={t('messages.status')}
          empty={t('common.all')}
          options={MESSAGE_STATUSES.map((s) => ({ value: s, label: tv('messageStatus', s) }))}
        />
        <FilterSelect
          {...filter('kind')}
          label={t('messages.kind')}
          empty={t('common.all')}
          options={MESSAGE_KINDS.map((k) => ({ value: k, label: tv('messageKind', k) }))}
        />
        <div className="filter filter-picker">
          <label htmlFor="messages-customer">{t('messages.customer')}</label>
          <CustomerPicker id="messages-customer" value={q.customer} onChange={(id) => set({ customer: id })} placeholder={t('picker.any')} />
        </div>
        <Button kind="ghost" onClick={() => navigate('/messages')}>
          {t('common.reset')}
        </Button>
      </div>
      <DataTable
        query={list}
        empty={t('messages.none')}
        onPage={(p) => set({ page: String(p) })}
        testId="messages"
        rowKey={(m) => m.id}
        rowProps={(m) => ({ 'data-message': m.id, className: 'clickable', onClick: () => setOpen(m) })}
        columns={[
          { id: 'kind', header: t('messages.kind'), cell: (m) => tv('messageKind', m.kind) },
          {
            id: 'to',
            header: t('messages.to'),
            className: 'nowrap',
            cell: (m) => (
              <>
                {formatPhone(m.to)}
                {m.customer_name && <div className="muted small">{m.customer_name}</div>}
              </>
            ),
          },
          { id: 'status', header: t('messages.status'), cell: (m) => <MessageStatusBadge status={m.status} /> },
          { id: 'attempts', header: t('messages.attempts'), headerClassName: 'num', className: 'num', cell: (m) => m.attempts },
          {
            id: 'error',
            header: t('messages.lastError'),
            cellProps: (m) => ({ className: m.last_error ? 'error-cell' : 'muted', title: m.last_error ?? undefined }),
            cell: (m) => m.last_error ?? '—',
          },
          { id: 'gateway', header: t('messages.gatewayId'), className: 'mono small gateway-id', cell: (m) => m.gateway_message_id ?? '—' },
          {
            id: 'when',
            header: `${t('messages.created')} / ${t('messages.sentAt')}`,
            className: 'nowrap small',
            cell: (m) => (
              <>
                <div title={t('messages.created')}>{formatDateTime(m.created_at, tz, lang, { weekday: false })}</div>
                {m.sent_at && (
                  <div className="sent-at" title={t('messages.sentAt')}>
                    ✓ {formatDateTime(m.sent_at, tz, lang, { weekday: false })}
                  </div>
                )}
              </>
            ),
          },
          {
            id: 'actions',
            header: t('common.actions'),
            className: 'actions',
            // the row opens the message; its buttons do only what they say
            cellProps: () => ({ onClick: (e) => e.stopPropagation() }),
            cell: (m) => (
              <>
                <Button kind="ghost" onClick={() => setOpen(m)}>
                  {t('common.open')}
                </Button>
                {actions(m)}
              </>
            ),
          },
        ]}
      />
      {open && (
        <Modal title={t('messages.detail', { to: formatPhone(open.to) })} onClose={() => setOpen(null)} wide>
          <DefinitionList
            items={[
              [t('messages.kind'), tv('messageKind', open.kind)],
              [t('messages.status'), <MessageStatusBadge status={open.status} />],
              [t('messages.to'), formatPhone(open.to)],
              [
                t('messages.customer'),
                open.customer_id ? <a href={href(`/customers/${open.customer_id}`)}>{open.customer_name ?? '…'}</a> : '—',
              ],
              [t('messages.booking'), open.booking_id ? <a href={href(`/bookings/${open.booking_id}`)}>{t('common.open')}</a> : '—'],
              [t('messages.language'), tv('language', open.language)],
              [t('messages.attempts'), String(open.attempts)],
              [t('messages.gateway'), open.gateway ? tv('gatewayKind', open.gateway) : '—'],
              [t('messages.gatewayId'), <span className="mono">{open.gateway_message_id ?? '—'}</span>],
              [t('messages.lastError'), open.last_error ?? '—'],
              [t('messages.created'), formatDateTime(open.created_at, tz, lang)],
              [t('messages.nextAttempt'), formatDateTime(open.next_attempt_at, tz, lang)],
              [t('messages.sentAt'), formatDateTime(open.sent_at, tz, lang)],
            ]}
          />
          <h3>{t('messages.body')}</h3>
          <div className="bubble" data-testid="message-body">
            {open.body}
          </div>
          <div className="form-actions">
            {actions(open)}
            <Button onClick={() => setOpen(null)}>{t('common.close')}</Button>
          </div>
        </Modal>
      )}
      <JobsPanel />
    </Page>
  );
}
