// The WhatsApp gateway's settings form, shared by the desk and head office.
import { useEffect } from 'react';
import type { GatewaySettings } from '../api/ops';
import { useI18n } from '../i18n';
import {
  DEFAULT_BASE_URL,
  GATEWAY_KINDS,
  META_TEMPLATE_KINDS,
  baseUrlAfterKindChange,
  gatewayFields,
  gatewayForm,
  gatewayUpdate,
  type GatewayForm,
  type GatewayKind,
  type GatewayUpdate,
  type MessageKind,
} from '../lib/messaging';
import { useAction } from '../lib/queries';
import { useFormValues } from '../lib/useFormValues';
import { Button } from './Button';
import { CheckField } from './CheckField';
import { Form } from './Form';
import { SaveButton } from './SaveButton';
import { SelectField } from './SelectField';
import { TextField } from './TextField';

/**
 * Which gateway sends, its address and token (shown masked; an empty field
 * keeps the stored one) and the Meta template mapping of `templateKinds`:
 * the desk's gateway screen and head office's WhatsApp screen. `save` sends
 * the update where it belongs.
 */
export function GatewaySettingsForm({
  settings,
  save: saveUpdate,
  templateKinds = META_TEMPLATE_KINDS,
  templatesHint,
  onSaved,
  onDirty,
}: {
  settings: GatewaySettings;
  save: (update: GatewayUpdate) => Promise<GatewaySettings>;
  templateKinds?: readonly string[];
  /** What the mapped templates are for (default: the desk's reminders). */
  templatesHint?: { legend: string; hint: string };
  onSaved: (s: GatewaySettings) => void;
  onDirty: (dirty: boolean) => void;
}) {
  const { t, tv } = useI18n();
  const formOf = (s: GatewaySettings) => gatewayForm(s, templateKinds);
  const { values: f, setValues: setF, field } = useFormValues<GatewayForm>(() => formOf(settings));
  useEffect(() => setF(formOf(settings)), [settings]);
  const dirty = JSON.stringify(f) !== JSON.stringify(formOf(settings));
  useEffect(() => {
    onDirty(dirty);
  }, [dirty, onDirty]);
  const fields = gatewayFields(f.kind);
  const setKind = (k: string) =>
    setF((s) => ({ ...s, kind: k as GatewayKind, base_url: baseUrlAfterKindChange(s, k as GatewayKind) }));
  const setMeta = (kind: string, k: 'name' | 'language' | 'parameters') => (v: string) =>
    setF((s) => ({ ...s, templates: { ...s.templates, [kind]: { ...s.templates[kind], [k]: v } } }));
  const save = useAction(async () => {
    onSaved(await saveUpdate(gatewayUpdate(f)));
  });
  const stored = settings.token;
  return (
    <Form onSubmit={() => void save.run()} error={save.error} className="form panel gateway-form" autoFocus={false}>
      {settings.auth_error && (
        <div className="banner banner-warn" role="alert" data-testid="gateway-paused">
          {t('gateway.paused', { error: settings.auth_error })}
        </div>
      )}
      <SelectField
        name="kind"
        label={t('gateway.kind')}
        value={f.kind}
        onChange={setKind}
        options={GATEWAY_KINDS.map((k) => ({ value: k, label: tv('gatewayKind', k) }))}
      />
      {f.kind === 'log' && <div className="banner banner-info">{t('gateway.logHint')}</div>}
      {fields.includes('base_url') && (
        <TextField
          {...field('base_url')}
          label={t('gateway.baseUrl')}
          inputMode="url"
          autoComplete="off"
          placeholder={DEFAULT_BASE_URL[f.kind]}
          hint={t('gateway.baseUrlHint', { url: DEFAULT_BASE_URL[f.kind] })}
        />
      )}
      {fields.includes('token') && (
        <>
          <TextField
            {...field('token')}
            label={f.kind === 'waha' ? t('gateway.apiKey') : t('gateway.token')}
            type="password"
            autoComplete="new-password"
            disabled={f.removeToken}
            placeholder={stored ?? ''}
            hint={
              settings.token_unavailable
                ? t('gateway.tokenUnavailable')
                : stored
                  ? t('gateway.tokenStored', { masked: stored })
                  : t('gateway.tokenNone')
            }
          />
          {stored && (
            <CheckField
              name="remove_token"
              label={t('gateway.removeToken')}
              checked={f.removeToken}
              onChange={(v) => setF((s) => ({ ...s, removeToken: v, token: v ? '' : s.token }))}
            />
          )}
        </>
      )}
      {fields.includes('phone_number_id') && (
        <TextField {...field('phone_number_id')} label={t('gateway.phoneNumberId')} autoComplete="off" />
      )}
      {fields.includes('api_version') && (
        <TextField {...field('api_version')} label={t('gateway.apiVersion')} placeholder="v21.0" />
      )}
      {fields.includes('session') && (
        <TextField {...field('session')} label={t('gateway.session')} placeholder="default" />
      )}
      {fields.includes('timeout_secs') && (
        <TextField {...field('timeout_secs')} label={t('gateway.timeout')} type="number" min={1} max={120} inputMode="numeric" />
      )}
      {fields.includes('templates') && (
        <fieldset>
          <legend>{templatesHint?.legend ?? t('gateway.metaTemplates')}</legend>
          <p className="muted small">{templatesHint?.hint ?? t('gateway.metaTemplatesHint')}</p>
          {templateKinds.map((k) => (
            <div key={k} className="meta-template">
              <h3>{tv('messageKind', k as MessageKind)}</h3>
              <div className="grid-3">
                <TextField name={`templates.${k}`} label={t('gateway.metaName')} value={f.templates[k].name} onChange={setMeta(k, 'name')} autoComplete="off" />
                <TextField name={`templates.${k}.language`} label={t('gateway.metaLanguage')} value={f.templates[k].language} onChange={setMeta(k, 'language')} placeholder="id" />
                <TextField
                  name={`templates.${k}.parameters`}
                  label={t('gateway.metaParams')}
                  value={f.templates[k].parameters}
                  onChange={setMeta(k, 'parameters')}
                  placeholder="customer_name, date, time"
                />
              </div>
            </div>
          ))}
          <p className="muted small">{t('gateway.metaParamsHint')}</p>
        </fieldset>
      )}
      <div className="form-actions">
        <Button disabled={!dirty} onClick={() => setF(formOf(settings))}>
          {t('common.cancel')}
        </Button>
        <SaveButton busy={save.busy} />
      </div>
    </Form>
  );
}
