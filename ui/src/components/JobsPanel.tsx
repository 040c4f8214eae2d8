import { call } from '../api/transport';
import { useI18n } from '../i18n';
import { formatDateTime } from '../lib/format';
import { jobResultText } from '../lib/messaging';
import { useAction, useOp } from '../lib/queries';
import { useSession, useToast } from '../session';
import { Button } from './Button';
import { ErrorMessage } from './ErrorMessage';
import { Loading } from './Loading';

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
      <ErrorMessage error={jobs.error ?? run.error} />
      {!jobs.data ? (
        jobs.error ? null : <Loading />
      ) : (
        <div className="table-wrap">
          <table className="table compact" data-testid="jobs">
            <thead>
              <tr>
                <th>{t('jobs.name')}</th>
                <th>{t('jobs.schedule')}</th>
                <th>{t('jobs.lastRun')}</th>
                <th>{t('jobs.result')}</th>
                <th>{t('jobs.nextRun')}</th>
                {can('jobs.run') && <th />}
              </tr>
            </thead>
            <tbody>
              {jobs.data.data.map((j) => (
                <tr key={j.name} data-job={j.name}>
                  <td>
                    <strong>{tv('job', j.name)}</strong>
                  </td>
                  <td className="nowrap">{t('jobs.daily', { time: j.time_of_day })}</td>
                  <td className="nowrap small">{j.last_run_at ? formatDateTime(j.last_run_at, tz, lang, { weekday: false }) : t('jobs.never')}</td>
                  <td className="small">{jobResultText(j.last_result, lang)}</td>
                  <td className="nowrap small">{formatDateTime(j.next_run_at, tz, lang, { weekday: false })}</td>
                  {can('jobs.run') && (
                    <td className="actions">
                      <Button kind="ghost" busy={run.busy} onClick={() => void run.run(j.name)}>
                        ▶ {t('jobs.runNow')}
                      </Button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
