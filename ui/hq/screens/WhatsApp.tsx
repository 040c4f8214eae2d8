// WhatsApp (hq_admin): the booking bot's settings — on or off, the business it
// speaks for, the search radius, the greeting, the webhooks' secrets (write-
// only: shown masked, an empty field keeps the stored one) — and the gateway
// head office replies through, with the Meta templates for late messages.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { GatewaySettings } from '../../src/api/ops';
import { CheckField } from '../../src/components/CheckField';
import { ErrorMessage } from '../../src/components/ErrorMessage';
import { Form } from '../../src/components/Form';
import { GatewaySettingsForm } from '../../src/components/GatewaySettingsForm';
import { Loading } from '../../src/components/Loading';
import { PageHeader } from '../../src/components/PageHeader';
import { SaveButton } from '../../src/components/SaveButton';
import { TextArea } from '../../src/components/TextArea';
import { TextField } from '../../src/components/TextField';
import { useI18n, type Key } from '../../src/i18n';
import { HQ_META_TEMPLATE_KINDS } from '../../src/lib/messaging';
import { useAction } from '../../src/lib/queries';
import { getAs, put } from '../api/client';

/** `GET /api/v1/settings/bot`: each secret masked (`••••abcd`) or null. */
export interface BotSettings {
  enabled: boolean;
  business_name: string | null;
  public_url: string | null;
  radius_km: number;
  greeting: string | null;
  meta_app_secret: string | null;
  meta_verify_token: string | null;
  waha_api_key: string | null;
  waha_hmac_key: string | null;
  version: number;
}

const SECRETS = ['meta_app_secret', 'meta_verify_token', 'waha_api_key', 'waha_hmac_key'] as const;
type Secret = (typeof SECRETS)[number];

interface BotForm {
  enabled: boolean;
  business_name: string;
  public_url: string;
  radius_km: string;
  greeting: string;
  /** New values; empty keeps the stored one. */
  secrets: Record<Secret, string>;
}

function botForm(s: BotSettings): BotForm {
  return {
    enabled: s.enabled,
    business_name: s.business_name ?? '',
    public_url: s.public_url ?? '',
    radius_km: String(s.radius_km),
    greeting: s.greeting ?? '',
    secrets: { meta_app_secret: '', meta_verify_token: '', waha_api_key: '', waha_hmac_key: '' },
  };
}

/** The `PUT` body: the plain settings always, a secret only when a new one was typed. */
export function botUpdate(f: BotForm): Record<string, unknown> {
  const radius = Number(f.radius_km.replace(',', '.'));
  const out: Record<string, unknown> = {
    enabled: f.enabled,
    business_name: f.business_name.trim() || null,
    public_url: f.public_url.trim() || null,
    // Not a number: sent as typed, so head office names the field.
    radius_km: f.radius_km.trim() && Number.isFinite(radius) ? radius : f.radius_km,
    greeting: f.greeting.trim() || null,
  };
  for (const s of SECRETS) if (f.secrets[s].trim()) out[s] = f.secrets[s].trim();
  return out;
}

const BOT_KEY = ['/api/v1/settings/bot'];
const GATEWAY_KEY = ['/api/v1/settings/gateway'];

export function WhatsApp() {
  const { t } = useI18n();
  const bot = useQuery({ queryKey: BOT_KEY, queryFn: () => getAs<BotSettings>('/api/v1/settings/bot') });
  const gateway = useQuery({ queryKey: GATEWAY_KEY, queryFn: () => getAs<GatewaySettings>('/api/v1/settings/gateway') });
  const client = useQueryClient();
  // "Saved" shows while the form matches what was saved last.
  const [gatewaySaved, setGatewaySaved] = useState(false);
  const [gatewayDirty, setGatewayDirty] = useState(false);
  return (
    <>
      <PageHeader title={t('hq.whatsapp.title')} subtitle={t('hq.whatsapp.subtitle')} />
      <div className="gateway-layout">
        <section className="panel" aria-labelledby="bot-title">
          <h2 id="bot-title">{t('hq.bot.title')}</h2>
          {bot.isPending ? <Loading /> : bot.data ? <BotSettingsForm settings={bot.data} /> : <ErrorMessage error={bot.error} />}
        </section>
        <section className="panel" aria-labelledby="hq-gateway-title">
          <h2 id="hq-gateway-title">{t('hq.whatsapp.gateway')}</h2>
          {gateway.isPending ? (
            <Loading />
          ) : gateway.data ? (
            <GatewaySettingsForm
              settings={gateway.data}
              save={(update) => put<GatewaySettings>('/api/v1/settings/gateway', update)}
              templateKinds={HQ_META_TEMPLATE_KINDS}
              templatesHint={{ legend: t('hq.whatsapp.templates'), hint: t('hq.whatsapp.templatesHint') }}
              onSaved={(s) => {
                client.setQueryData(GATEWAY_KEY, s);
                setGatewaySaved(true);
              }}
              onDirty={setGatewayDirty}
            />
          ) : (
            <ErrorMessage error={gateway.error} />
          )}
          {gatewaySaved && !gatewayDirty && (
            <p role="status" className="muted" data-testid="gateway-saved">
              {t('gateway.saved')}
            </p>
          )}
        </section>
      </div>
    </>
  );
}

function BotSettingsForm({ settings }: { settings: BotSettings }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const [f, setF] = useState(() => botForm(settings));
  const [saved, setSaved] = useState(false);
  useEffect(() => setF(botForm(settings)), [settings]);
  const set = <K extends keyof BotForm>(k: K) => (v: BotForm[K]) => {
    setSaved(false);
    setF((s) => ({ ...s, [k]: v }));
  };
  const setSecret = (k: Secret) => (v: string) => {
    setSaved(false);
    setF((s) => ({ ...s, secrets: { ...s.secrets, [k]: v } }));
  };
  const save = useAction(async () => {
    const out = await put<BotSettings>('/api/v1/settings/bot', botUpdate(f));
    client.setQueryData(BOT_KEY, out);
    setSaved(true);
  });
  const origin = window.location.origin;
  return (
    <Form onSubmit={() => void save.run()} error={save.error} className="form" autoFocus={false}>
      <CheckField name="enabled" label={t('hq.bot.enabled')} checked={f.enabled} onChange={set('enabled')} />
      <TextField name="business_name" label={t('hq.bot.businessName')} value={f.business_name} onChange={set('business_name')} placeholder="Loket" hint={t('hq.bot.businessNameHint')} />
      <TextField
        name="public_url"
        label={t('hq.bot.publicUrl')}
        value={f.public_url}
        onChange={set('public_url')}
        inputMode="url"
        placeholder="https://booking.example.com"
        hint={t('hq.bot.publicUrlHint')}
      />
      <TextField name="radius_km" label={t('hq.bot.radius')} value={f.radius_km} onChange={set('radius_km')} inputMode="decimal" />
      <TextArea name="greeting" label={t('hq.bot.greeting')} value={f.greeting} onChange={set('greeting')} hint={t('hq.bot.greetingHint')} />
      <fieldset>
        <legend>{t('hq.bot.webhooks')}</legend>
        <p className="muted small">
          {t('hq.bot.webhooksHint')} <code>{origin}/webhooks/meta</code> · <code>{origin}/webhooks/waha</code>
        </p>
        {SECRETS.map((s) => (
          <TextField
            key={s}
            name={s}
            label={t(`hq.bot.${s}` as Key)}
            type="password"
            autoComplete="new-password"
            value={f.secrets[s]}
            onChange={setSecret(s)}
            placeholder={settings[s] ?? ''}
            hint={settings[s] ? t('gateway.tokenStored', { masked: settings[s] }) : t('hq.bot.secretNone')}
          />
        ))}
      </fieldset>
      <div className="form-actions">
        {saved && (
          <span role="status" className="muted" data-testid="bot-saved">
            {t('common.saved')}
          </span>
        )}
        <SaveButton busy={save.busy} />
      </div>
    </Form>
  );
}
