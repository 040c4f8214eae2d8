// The WhatsApp gateway (admin): which gateway sends, its address and token
// (shown masked; an empty field keeps the stored one), Meta's template
// mapping for reminders, a test message, and the automatic messages' settings.
import { useEffect, useState } from 'react';
import { GatewaySettingsForm } from '../components/GatewaySettingsForm';
import type { Language, OpOutput } from '../api/ops';
import { ApiError, call } from '../api/transport';
import { Button } from '../components/Button';
import { ErrorMessage } from '../components/ErrorMessage';
import { Form } from '../components/Form';
import { MessageStatusBadge } from '../components/MessageStatusBadge';
import { Page } from '../components/Page';
import { QueryView } from '../components/QueryView';
import { SaveButton } from '../components/SaveButton';
import { SelectField } from '../components/SelectField';
import { TextField } from '../components/TextField';
import { useI18n } from '../i18n';
import { formatPhone } from '../lib/format';
import { setOpData, useAction, useOp } from '../lib/queries';
import { useFormValues } from '../lib/useFormValues';
import { useSession, useToast } from '../session';

export function GatewayScreen() {
  const { t } = useI18n();
  const { can } = useSession();
  const toast = useToast();
  const gateway = useOp('gateway.get', {});
  const [saved, setSaved] = useState(true);
  return (
    <Page title={t('gateway.title')} subtitle={t('gateway.subtitle')}>
      <QueryView query={gateway}>
        {(settings) => (
          <div className="gateway-layout">
            <GatewaySettingsForm
              settings={settings}
              save={(update) => call('gateway.update', update)}
              onSaved={(s) => {
                setOpData('gateway.get', {}, s);
                toast(t('gateway.saved'));
              }}
              onDirty={(d) => setSaved(!d)}
            />
            <div className="gateway-side">
              <TestMessage unsaved={!saved} />
              {can('settings.write') && <AutoMessages />}
            </div>
          </div>
        )}
      </QueryView>
    </Page>
  );
}

type TestResult = OpOutput<'gateway.test'>;

function TestMessage({ unsaved }: { unsaved: boolean }) {
  const { t, tv } = useI18n();
  const [to, setTo] = useState('');
  const [result, setResult] = useState<TestResult | null>(null);
  const send = useAction(async () => {
    setResult(null);
    try {
      setResult(await call('gateway.test', { to }));
    } catch (e) {
      // The core names the recipient `to`; the form's field is the phone number.
      if (e instanceof ApiError && e.field === 'to') {
        throw new ApiError(e.code, e.message.replace(/^to: /, ''), 'test_phone', e.status);
      }
      throw e;
    }
  });
  return (
    <section className="panel" aria-labelledby="gateway-test-title">
      <h2 id="gateway-test-title">{t('gateway.test')}</h2>
      <p className="muted small">{t('gateway.testHint')}</p>
      <Form onSubmit={() => void send.run()} error={send.error} autoFocus={false}>
        <TextField name="test_phone" label={t('gateway.testPhone')} value={to} onChange={setTo} inputMode="tel" placeholder="0812…" />
        {unsaved && <div className="banner banner-warn">{t('gateway.unsaved')}</div>}
        <div className="form-actions">
          <Button type="submit" kind="primary" busy={send.busy} busyLabel={t('common.working')}>
            ✉ {t('gateway.testSend')}
          </Button>
        </div>
      </Form>
      {result && (
        <div
          className={`banner ${result.status === 'sent' ? 'banner-ok' : result.status === 'queued' ? 'banner-warn' : 'banner-error'}`}
          role="status"
          data-testid="test-result"
          data-status={result.status}
        >
          <div>
            <MessageStatusBadge status={result.status} /> {formatPhone(result.message.to)}
          </div>
          {result.status === 'sent' ? (
            result.gateway === 'log' ? (
              <div>{t('gateway.testLogOnly')}</div>
            ) : (
              <div>{t('gateway.testSent', { gateway: tv('gatewayKind', result.gateway) })}</div>
            )
          ) : result.status === 'queued' ? (
            <div>{t('gateway.testQueued', { error: result.error ?? '—' })}</div>
          ) : (
            <div>{t('gateway.testFailed', { error: result.error ?? '—' })}</div>
          )}
          {result.gateway_message_id && <div className="mono small">{t('gateway.testId', { id: result.gateway_message_id })}</div>}
        </div>
      )}
    </section>
  );
}

/** Message language, reminder hour and the service-reminder window (business settings). */
function AutoMessages() {
  const { t, tv } = useI18n();
  const { setSettings } = useSession();
  const toast = useToast();
  const settings = useOp('settings.get', {});
  const { values: f, setValues: setF, field } = useFormValues({
    message_language: 'id',
    reminder_hour: '',
    maintenance_window_days: '',
    maintenance_spacing_days: '',
  });
  useEffect(() => {
    const s = settings.data;
    if (!s) return;
    setF({
      message_language: s.message_language,
      reminder_hour: String(s.reminder_hour),
      maintenance_window_days: String(s.maintenance_window_days),
      maintenance_spacing_days: String(s.maintenance_spacing_days),
    });
  }, [settings.data]);
  const int = (v: string) => (v.trim() ? Number(v) : null);
  const save = useAction(async () => {
    const out = await call('settings.update', {
      message_language: f.message_language as Language,
      reminder_hour: int(f.reminder_hour),
      maintenance_window_days: int(f.maintenance_window_days),
      maintenance_spacing_days: int(f.maintenance_spacing_days),
    });
    setOpData('settings.get', {}, out);
    setSettings(out);
    toast(t('common.saved'));
  });
  if (!settings.data) return settings.error ? <ErrorMessage error={settings.error} /> : null;
  return (
    <section className="panel" aria-labelledby="auto-messages-title">
      <h2 id="auto-messages-title">{t('gateway.auto')}</h2>
      <Form onSubmit={() => void save.run()} error={save.error} autoFocus={false}>
        <SelectField
          {...field('message_language')}
          label={t('gateway.messageLanguage')}
          options={(['id', 'en'] as const).map((l) => ({ value: l, label: tv('language', l) }))}
        />
        <TextField {...field('reminder_hour')} label={t('gateway.reminderHour')} type="number" min={0} max={23} />
        <TextField {...field('maintenance_window_days')} label={t('gateway.maintenanceWindow')} type="number" min={0} />
        <TextField {...field('maintenance_spacing_days')} label={t('gateway.maintenanceSpacing')} type="number" min={1} />
        <div className="form-actions">
          <SaveButton busy={save.busy} />
        </div>
      </Form>
    </section>
  );
}
