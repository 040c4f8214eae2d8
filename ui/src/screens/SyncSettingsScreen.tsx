// The sync settings (admin, 'sync.configure'): head office's address, this
// branch's token (write-only: shown masked, an empty field keeps it), the
// interval of automatic syncs and an optional CA certificate (PEM).
import { useEffect, useState } from 'react';
import { call } from '../api/transport';
import { Form } from '../components/Form';
import { Page } from '../components/Page';
import { QueryView } from '../components/QueryView';
import { SaveButton } from '../components/SaveButton';
import { TextArea } from '../components/TextArea';
import { TextField } from '../components/TextField';
import { useI18n } from '../i18n';
import { setOpData, useAction, useOp } from '../lib/queries';
import { syncForm, syncFormErrors, syncUpdate, type SyncForm, type SyncSettings } from '../lib/sync';
import { useFormValues } from '../lib/useFormValues';
import { useToast } from '../session';

export function SyncSettingsScreen() {
  const { t } = useI18n();
  const settings = useOp('sync.settings.get', {});
  return (
    <Page
      title={t('sync.settingsTitle')}
      subtitle={t('sync.settingsSubtitle')}
      actions={
        <a className="btn btn-ghost" href="#/sync">
          ← {t('sync.back')}
        </a>
      }
    >
      <QueryView query={settings}>{(s) => <SyncSettingsForm settings={s} />}</QueryView>
    </Page>
  );
}

function SyncSettingsForm({ settings }: { settings: SyncSettings }) {
  const { t } = useI18n();
  const toast = useToast();
  const { values: f, setValues: setF, field } = useFormValues<SyncForm>(() => syncForm(settings));
  useEffect(() => setF(syncForm(settings)), [settings]);
  const [checked, setChecked] = useState(false);
  const local = checked ? syncFormErrors(f) : {};
  const save = useAction(async () => {
    const out = await call('sync.settings.update', syncUpdate(f));
    setOpData('sync.settings.get', {}, out);
    setChecked(false);
    toast(t('sync.saved'));
  });
  const submit = () => {
    setChecked(true);
    if (Object.keys(syncFormErrors(f)).length === 0) void save.run();
  };
  return (
    <Form onSubmit={submit} error={save.error} className="form panel sync-settings-form">
      <TextField
        {...field('hq_url')}
        label={t('sync.hqUrl')}
        inputMode="url"
        autoComplete="off"
        placeholder="https://hq.example.com"
        hint={t('sync.hqUrlHint')}
      />
      <TextField
        {...field('token')}
        label={t('sync.token')}
        type="password"
        autoComplete="new-password"
        placeholder={settings.token ?? ''}
        hint={settings.token ? t('sync.tokenStored', { masked: settings.token }) : t('sync.tokenNone')}
      />
      <TextField
        {...field('interval_min')}
        label={t('sync.interval')}
        type="number"
        inputMode="numeric"
        min={0}
        max={1440}
        hint={t('sync.intervalHint')}
        localError={local.interval_min ? t(local.interval_min) : null}
      />
      <TextArea {...field('ca_cert')} label={t('sync.caCert')} rows={5} hint={t('sync.caCertHint')} />
      <div className="form-actions">
        <SaveButton busy={save.busy} />
      </div>
    </Form>
  );
}
