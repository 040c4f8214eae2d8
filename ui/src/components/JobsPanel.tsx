import { call } from '../api/transport';
import { useI18n } from '../i18n';
import { formatDateTime } from '../lib/format';
import { jobResultText } from '../lib/messaging';
import { useAction, useOp } from '../lib/queries';
import { useSession, useToast } from '../session';
import { Button } from './Button';
import { DataTable } from './DataTable';
import { ErrorMessage } from './ErrorMessage';

/** The daily jobs: when each last ran and with what result; "run now" for those allowed. */
export function JobsPanel() {
  const { t, tv, lang } = useI18n();
  const { tz, can } = useSession();
  const toast = useToast();
  const jobs = useOp('jobs.list', {});
  const run = useAction(async (name: string) => {
    const label = tv('job', name);
    if (!window.confirm(t('jobs.runConfirm', { job: label }))) return;
    const out = await call('jobs.run', { name });
    toast(t('jobs.ran', { job: label, result: jobResultText(out.result, lang) }));
  });
  return (
    <section className="card jobs" aria-labelledby="jobs-title">
      <h2 id="jobs-title">{t('jobs.title')}</h2>
      <ErrorMessage error={run.error} />
      <DataTable
        query={jobs}
        className="table compact"
        testId="jobs"
        rowKey={(j) => j.name}
        rowProps={(j) => ({ 'data-job': j.name })}
        columns={[
          { id: 'name', header: t('jobs.name'), cell: (j) => <strong>{tv('job', j.name)}</strong> },
          { id: 'schedule', header: t('jobs.schedule'), className: 'nowrap', cell: (j) => t('jobs.daily', { time: j.time_of_day }) },
          {
            id: 'last',
            header: t('jobs.lastRun'),
            className: 'nowrap small',
            cell: (j) => (j.last_run_at ? formatDateTime(j.last_run_at, tz, lang, { weekday: false }) : t('jobs.never')),
          },
          { id: 'result', header: t('jobs.result'), className: 'small', cell: (j) => jobResultText(j.last_result, lang) },
          {
            id: 'next',
            header: t('jobs.nextRun'),
            className: 'nowrap small',
            cell: (j) => formatDateTime(j.next_run_at, tz, lang, { weekday: false }),
          },
          can('jobs.run') && {
            id: 'run',
            header: null,
            className: 'actions',
            cell: (j) => (
              <Button kind="ghost" busy={run.busy} onClick={() => void run.run(j.name)}>
                ▶ {t('jobs.runNow')}
              </Button>
            ),
          },
        ]}
      />
    </section>
  );
}
