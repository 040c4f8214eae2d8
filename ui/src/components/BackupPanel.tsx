// The settings screen's backup section (admin): back up now into a folder
// with a passphrase, the daily backup's folder, count and passphrase, and
// the latest attempts.
import { useEffect, useState } from 'react';
import { call } from '../api/transport';
import { useI18n } from '../i18n';
import { backupFormErrors, backupWarning, formatSize } from '../lib/dataSafety';
import { formatDateTime } from '../lib/format';
import { useAction, useOp } from '../lib/queries';
import { useFormValues } from '../lib/useFormValues';
import { useSession, useToast } from '../session';
import { Button } from './Button';
import { Form } from './Form';
import { TextField } from './TextField';

export function BackupPanel() {
  const { t, tv, lang } = useI18n();
  const { tz } = useSession();
  const toast = useToast();
  const overview = useOp('backup.list', {});
  // Where "back up now" writes: the folder, and the passphrase that seals the backup.
  const { values: target, set: setTarget, field: targetField } = useFormValues({ folder: '', passphrase: '' });
  const { folder, passphrase } = target;
  const [checked, setChecked] = useState(false);
  const local = checked ? backupFormErrors(folder, passphrase) : {};
  const now = useAction(async () => {
    const rec = await call('backup.create', { folder: folder.trim(), passphrase });
    setTarget('passphrase')('');
    setChecked(false);
    toast(t('backup.done', { path: rec.path ?? '' }));
    return rec;
  });

  const schedule = overview.data?.schedule;
  const warning = backupWarning(
    overview.data && { database: 'ok', backup_warning: overview.data.warning, last_backup_at: overview.data.last_ok_at, message: null },
    true,
  );
  const { values: daily, setValues: setDaily, field: dailyField } = useFormValues({ folder: '', keep: '7', passphrase: '' });
  useEffect(() => {
    if (schedule) setDaily({ folder: schedule.folder ?? '', keep: String(schedule.keep), passphrase: '' });
  }, [schedule]);
  const saveDaily = useAction(async () => {
    await call('backup.configure', {
      folder: daily.folder.trim() || null,
      keep: Number(daily.keep) || undefined,
      passphrase: daily.passphrase || undefined,
    });
    setDaily((d) => ({ ...d, passphrase: '' }));
    toast(t('common.saved'));
  });

  const submitNow = () => {
    setChecked(true);
    const errs = backupFormErrors(folder, passphrase);
    if (!errs.folder && !errs.passphrase) void now.run();
  };

  return (
    <section className="backup-panel" aria-labelledby="backup-title">
      <h2 id="backup-title">{t('backup.title')}</h2>
      <p className="muted">{t('backup.intro')}</p>
      {warning && (
        <div className="banner banner-warn" role="status">
          {t(warning.key, { days: warning.days, todo: '' })}
        </div>
      )}
      <Form onSubmit={submitNow} error={now.error} className="form" autoFocus={false} id="backup-now">
        <div className="grid-2">
          <TextField
            {...targetField('folder')}
            label={t('backup.folder')}
            placeholder="/media/usb/loket"
            localError={local.folder ? t(local.folder) : null}
          />
          <TextField
            {...targetField('passphrase')}
            label={t('backup.passphrase')}
            type="password"
            autoComplete="new-password"
            localError={local.passphrase ? t(local.passphrase) : null}
          />
        </div>
        <div className="form-actions">
          <Button kind="primary" type="submit" busy={now.busy} busyLabel={t('backup.running')}>
            {t('backup.now')}
          </Button>
        </div>
      </Form>

      <h3>{t('backup.schedule')}</h3>
      <p className="muted small">{t('backup.scheduleHint')}</p>
      <Form onSubmit={() => void saveDaily.run()} error={saveDaily.error} className="form" autoFocus={false} id="backup-schedule">
        <div className="grid-3">
          <TextField {...dailyField('folder')} label={t('backup.folder')} />
          <TextField {...dailyField('keep')} label={t('backup.keep')} type="number" min={1} max={365} />
          <TextField
            {...dailyField('passphrase')}
            label={t('backup.passphrase')}
            type="password"
            autoComplete="new-password"
            hint={schedule?.passphrase_set ? t('backup.passphraseSet') : undefined}
          />
        </div>
        <div className="form-actions">
          <Button type="submit" busy={saveDaily.busy}>
            {t('backup.saveSchedule')}
          </Button>
        </div>
      </Form>

      {!!overview.data?.recent.length && (
        <>
          <h3>{t('backup.recent')}</h3>
          <table className="table small">
            <thead>
              <tr>
                <th>{t('backup.when')}</th>
                <th>{t('backup.where')}</th>
                <th>{t('backup.size')}</th>
                <th>{t('backup.result')}</th>
              </tr>
            </thead>
            <tbody>
              {overview.data.recent.map((r) => (
                <tr key={r.id}>
                  <td>
                    {formatDateTime(r.finished_at, tz, lang)} <span className="muted">({tv('backup.trigger', r.trigger)})</span>
                  </td>
                  <td className="mono">{r.path}</td>
                  <td>{formatSize(r.size_bytes)}</td>
                  <td>{r.ok ? t('backup.ok') : t('backup.failed', { error: r.error ?? '' })}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
