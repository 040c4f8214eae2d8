// Sync with head office: where this desk stands (last sync, changes waiting,
// the last error in words), "Sync now" with a progress bar and its result,
// and what head office refused, each to be marked resolved.
import { useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { call } from '../api/transport';
import { Button } from '../components/Button';
import { DataTable } from '../components/DataTable';
import { DefinitionList } from '../components/DefinitionList';
import { ErrorMessage } from '../components/ErrorMessage';
import { Page } from '../components/Page';
import { QueryView } from '../components/QueryView';
import { useI18n } from '../i18n';
import { formatDateTime } from '../lib/format';
import { opKey, useAction, useOp } from '../lib/queries';
import {
  durationText,
  lastAttemptFailed,
  refusalText,
  relativeTime,
  syncFailureText,
  type SyncRejection,
  type SyncRun,
  type SyncStatus,
} from '../lib/sync';
import { useNow } from '../lib/useNow';
import { useSyncStatus } from '../lib/useSyncStatus';
import { useSession, useToast } from '../session';

export function SyncScreen() {
  const { t } = useI18n();
  const { can } = useSession();
  const status = useSyncStatus();
  const settings = useOp('sync.settings.get', {}, { enabled: can('sync.configure') });
  return (
    <Page
      title={t('sync.title')}
      subtitle={t('sync.subtitle')}
      actions={
        can('sync.configure') && (
          <a className="btn btn-ghost" href="#/settings/sync">
            ⚙ {t('sync.settingsLink')}
          </a>
        )
      }
    >
      <QueryView query={status}>
        {(s) =>
          s.configured ? (
            <>
              <StatusPanel status={s} interval={settings.data?.interval_min} />
              {can('sync.run') && <SyncNow status={s} />}
            </>
          ) : (
            <div className="banner banner-info" data-testid="sync-not-configured">
              {t('sync.notConfigured')} {!can('sync.configure') && t('sync.askAdmin')}
            </div>
          )
        }
      </QueryView>
      <Rejections />
    </Page>
  );
}

function StatusPanel({ status: s, interval }: { status: SyncStatus; interval?: number }) {
  const { t, lang } = useI18n();
  const { tz } = useSession();
  const now = useNow();
  const when = (at: string | null | undefined) =>
    at ? `${formatDateTime(at, tz, lang)} (${relativeTime(at, now, lang)})` : t('sync.never');
  const failed = lastAttemptFailed(s);
  const items: [string, ReactNode][] = [
    [t('sync.branch'), s.branch_name ?? <span className="muted">{t('sync.branchUnknown')}</span>],
    [t('sync.lastSuccess'), <span data-testid="sync-last-success">{when(s.last_success_at)}</span>],
    [t('sync.lastAttempt'), when(s.last_attempt_at)],
    [t('sync.pending'), <strong data-testid="sync-pending-count">{s.pending_changes}</strong>],
  ];
  if (interval !== undefined) {
    items.push([t('sync.schedule'), interval > 0 ? t('sync.everyMinutes', { n: interval }) : t('sync.manualOnly')]);
  }
  return (
    <section className="panel sync-status" aria-label={t('sync.indicator')}>
      <DefinitionList items={items} />
      {failed && s.last_error && (
        <div className="banner banner-error sync-last-error" role="alert" data-testid="sync-last-error">
          <strong>{t('sync.lastError')}:</strong> {syncFailureText(s.last_error, lang)}
        </div>
      )}
    </section>
  );
}

function SyncNow({ status }: { status: SyncStatus }) {
  const { t, lang } = useI18n();
  const client = useQueryClient();
  const [result, setResult] = useState<SyncRun | null>(null);
  const [sending, setSending] = useState(0);
  const run = useAction(async () => {
    setResult(null);
    setSending(status.pending_changes);
    // The header says "syncing" at once; the core's status follows.
    client.setQueryData(opKey('sync.status', {}), (old: SyncStatus | undefined) => old && { ...old, running: true });
    try {
      const out = await call('sync.run', {});
      setResult(out);
      return out;
    } finally {
      // After a failure too: the status now carries the error.
      void client.invalidateQueries({ queryKey: ['sync.status'] });
    }
  });
  // running here, or elsewhere (another tab, the automatic sync)
  const busy = run.busy || status.running;
  const waiting = run.busy ? sending : status.pending_changes;
  return (
    <section className="panel sync-now" aria-label={t('sync.now')}>
      <div className="sync-now-head">
        <Button kind="primary" busy={busy} busyLabel={t('sync.running')} onClick={() => void run.run()}>
          ⟳ {t('sync.now')}
        </Button>
      </div>
      {busy && (
        <div className="sync-progress" data-testid="sync-progress">
          <div className="progress" role="progressbar" aria-label={t('sync.progress')} aria-busy="true">
            <div className="progress-bar progress-indeterminate" />
          </div>
          <div className="muted small">
            {waiting > 0 ? t('sync.progressPending', { n: waiting }) : t('sync.progressNothing')}
          </div>
        </div>
      )}
      {!busy && result && (
        <div className={`banner ${result.rejected > 0 ? 'banner-warn' : 'banner-ok'}`} role="status" data-testid="sync-result">
          <div>{t('sync.done', { duration: durationText(result.duration_ms, lang) })}</div>
          <dl className="sync-counts">
            <div>
              <dt>{t('sync.pushed')}</dt>
              <dd data-testid="sync-pushed">{result.pushed}</dd>
            </div>
            <div>
              <dt>{t('sync.pulled')}</dt>
              <dd data-testid="sync-pulled">{result.pulled}</dd>
            </div>
            <div>
              <dt>{t('sync.rejected')}</dt>
              <dd data-testid="sync-rejected">{result.rejected}</dd>
            </div>
          </dl>
        </div>
      )}
      {/* shown while another run goes on too: "already running" (409) is about that one */}
      {run.error ? (
        <div data-testid="sync-run-error">
          <ErrorMessage error={run.error} />
        </div>
      ) : null}
    </section>
  );
}

function Rejections() {
  const { t, tv, lang } = useI18n();
  const { tz, can } = useSession();
  const toast = useToast();
  const [page, setPage] = useState(1);
  const list = useOp('sync.rejections', { page, page_size: 25 });
  const resolve = useAction(async (r: SyncRejection) => {
    await call('sync.rejections.resolve', { seq: r.seq });
    toast(t('sync.resolvedToast', { seq: r.seq }));
  });
  return (
    <section className="sync-rejections" aria-labelledby="sync-rejections-title">
      <h2 id="sync-rejections-title">{t('sync.rejections')}</h2>
      <p className="muted small">{t('sync.rejectionsHint')}</p>
      <ErrorMessage error={resolve.error} />
      <DataTable
        query={list}
        rowKey={(r) => String(r.seq)}
        rowProps={(r) => ({ 'data-seq': r.seq, className: r.resolved_at ? 'resolved' : undefined })}
        empty={t('sync.rejectionsNone')}
        onPage={setPage}
        testId="sync-rejections"
        columns={[
          { id: 'seq', header: t('sync.change'), cell: (r) => r.seq, className: 'num' },
          {
            id: 'record',
            header: t('sync.record'),
            cell: (r) => (
              <>
                {tv('syncEntity', r.entity)} <span className="mono muted small">{r.entity_id}</span>
              </>
            ),
          },
          { id: 'reason', header: t('sync.reason'), cell: (r) => refusalText(r.reason, lang) },
          { id: 'at', header: t('sync.rejectedAt'), cell: (r) => formatDateTime(r.rejected_at, tz, lang), className: 'nowrap' },
          {
            id: 'actions',
            header: '',
            className: 'actions',
            cell: (r) =>
              r.resolved_at ? (
                <span className="badge badge-ok">{t('sync.resolvedAt', { when: formatDateTime(r.resolved_at, tz, lang) })}</span>
              ) : can('sync.run') ? (
                <Button kind="ghost" busy={resolve.busy} onClick={() => void resolve.run(r)}>
                  ✓ {t('sync.resolve')}
                </Button>
              ) : null,
          },
        ]}
      />
    </section>
  );
}
