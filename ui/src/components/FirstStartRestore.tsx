// On the login screen of a fresh install: restore a backup file (a full path
// on this machine) with its passphrase. The core allows it only while no
// user exists and checks the whole archive before it changes anything.
import { useState } from 'react';
import { call } from '../api/transport';
import { useI18n } from '../i18n';
import { useAction } from '../lib/queries';
import { Button } from './Button';
import { Form } from './Form';
import { TextField } from './TextField';

export function FirstStartRestore() {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [path, setPath] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [done, setDone] = useState(false);
  const restore = useAction(async () => {
    await call('backup.restore', { path: path.trim(), passphrase });
    setPassphrase('');
    setDone(true);
  });
  if (done) {
    return (
      <div className="banner banner-ok" role="status">
        {t('restore.done')}
      </div>
    );
  }
  if (!open) {
    return (
      <Button kind="ghost" onClick={() => setOpen(true)}>
        {t('restore.open')}
      </Button>
    );
  }
  return (
    <section className="first-start-restore" aria-labelledby="restore-title">
      <h2 id="restore-title">{t('restore.title')}</h2>
      <p className="muted small">{t('restore.hint')}</p>
      <Form onSubmit={() => void restore.run()} error={restore.error} id="restore-form">
        <TextField name="path" label={t('restore.file')} placeholder="/media/usb/loket-backup-….tar.gz" value={path} onChange={setPath} />
        <TextField name="passphrase" label={t('backup.passphrase')} type="password" autoComplete="off" value={passphrase} onChange={setPassphrase} />
        <Button type="submit" busy={restore.busy} busyLabel={t('restore.running')}>
          {t('restore.submit')}
        </Button>
      </Form>
    </section>
  );
}
