// The business settings (admin): name, time zone, priority rules, slots.
import { useEffect } from 'react';
import { call } from '../api/transport';
import { BackupPanel } from '../components/BackupPanel';
import { ErrorMessage } from '../components/ErrorMessage';
import { Form } from '../components/Form';
import { Loading } from '../components/Loading';
import { MoneyField } from '../components/MoneyField';
import { Page } from '../components/Page';
import { SaveButton } from '../components/SaveButton';
import { SelectField } from '../components/SelectField';
import { TextField } from '../components/TextField';
import { useI18n } from '../i18n';
import { moneyValue } from '../lib/format';
import { setOpData, useAction, useOp } from '../lib/queries';
import { useFormValues } from '../lib/useFormValues';
import { useSession, useToast } from '../session';

const ZONES = ['Asia/Jakarta', 'Asia/Pontianak', 'Asia/Makassar', 'Asia/Jayapura'];

export function SettingsScreen() {
  const { t } = useI18n();
  const { setSettings, can } = useSession();
  const toast = useToast();
  const settings = useOp('settings.get', {});
  const { values: f, setValues: setF, field } = useFormValues<Record<string, string>>({});
  useEffect(() => {
    const s = settings.data;
    if (!s) return;
    setF({
      business_name: s.business_name ?? '',
      time_zone: s.time_zone ?? 'Asia/Jakarta',
      urgent_days: String(s.urgent_days ?? ''),
      soon_days: String(s.soon_days ?? ''),
      vip_price: String(s.vip_price ?? ''),
      premium_price: String(s.premium_price ?? ''),
      group_clients: String(s.group_clients ?? ''),
      high_segment_min: String(s.high_segment_min ?? ''),
      medium_segment_min: String(s.medium_segment_min ?? ''),
      max_slots_per_day: String(s.max_slots_per_day ?? ''),
      booking_expiry_days: String(s.booking_expiry_days ?? ''),
      session_idle_minutes: String(s.session_idle_minutes ?? ''),
    });
  }, [settings.data]);
  const int = (k: string) => (f[k]?.trim() ? Number(f[k]) : null);
  // The thresholds head office shares are shown, not sent: they change there.
  const fromHeadOffice = (settings.data?.from_head_office?.length ?? 0) > 0;
  const save = useAction(async () => {
    const priority = fromHeadOffice
      ? {}
      : {
          urgent_days: int('urgent_days'),
          soon_days: int('soon_days'),
          vip_price: moneyValue(f.vip_price ?? ''),
          premium_price: moneyValue(f.premium_price ?? ''),
          group_clients: int('group_clients'),
          high_segment_min: int('high_segment_min'),
          medium_segment_min: int('medium_segment_min'),
        };
    const out = await call('settings.update', {
      business_name: f.business_name,
      time_zone: f.time_zone,
      ...priority,
      max_slots_per_day: int('max_slots_per_day'),
      booking_expiry_days: int('booking_expiry_days'),
      session_idle_minutes: int('session_idle_minutes'),
    });
    setOpData('settings.get', {}, out);
    setSettings(out);
    toast(t('common.saved'));
  });
  if (!settings.data) return settings.error ? <ErrorMessage error={settings.error} /> : <Loading />;
  const zones = ZONES.includes(f.time_zone) || !f.time_zone ? ZONES : [f.time_zone, ...ZONES];
  const readOnly = !can('settings.write');
  return (
    <Page
      title={t('settings.title')}
      actions={
        can('sync.configure') && (
          <a className="btn btn-ghost" href="#/settings/sync">
            ⇅ {t('sync.settingsLink')}
          </a>
        )
      }
    >
      <Form onSubmit={() => void save.run()} error={save.error} className="form settings-form">
        <fieldset disabled={readOnly}>
          <legend>{t('settings.business')}</legend>
          <div className="grid-2">
            <TextField {...field('business_name')} label={t('settings.businessName')} />
            <SelectField {...field('time_zone')} label={t('settings.timeZone')} options={zones.map((z) => ({ value: z, label: z }))} />
          </div>
        </fieldset>
        <fieldset disabled={readOnly || fromHeadOffice}>
          <legend>{t('settings.priority')}</legend>
          {fromHeadOffice && <p className="muted">{t('settings.fromHeadOffice')}</p>}
          <div className="grid-3">
            <TextField {...field('urgent_days')} label={t('settings.urgentDays')} type="number" min={0} />
            <TextField {...field('soon_days')} label={t('settings.soonDays')} type="number" min={0} />
            <TextField {...field('group_clients')} label={t('settings.groupClients')} type="number" min={1} />
            <MoneyField {...field('vip_price')} label={t('settings.vipPrice')} />
            <MoneyField {...field('premium_price')} label={t('settings.premiumPrice')} />
            <div />
            <TextField {...field('high_segment_min')} label={t('settings.highMin')} type="number" />
            <TextField {...field('medium_segment_min')} label={t('settings.mediumMin')} type="number" />
          </div>
        </fieldset>
        <fieldset disabled={readOnly}>
          <legend>{t('settings.slots')}</legend>
          <div className="grid-2">
            <TextField {...field('max_slots_per_day')} label={t('settings.maxSlots')} type="number" min={1} />
            <TextField {...field('booking_expiry_days')} label={t('settings.expiryDays')} type="number" min={1} />
            <TextField {...field('session_idle_minutes')} label={t('settings.idleMinutes')} type="number" min={5} max={960} />
          </div>
        </fieldset>
        {!readOnly && (
          <div className="form-actions">
            <SaveButton busy={save.busy} />
          </div>
        )}
      </Form>
      {!readOnly && <BackupPanel />}
    </Page>
  );
}
