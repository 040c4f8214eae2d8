// Providers: editing with lat/long entered as numbers, and the "nearby" search.
import { useState } from 'react';
import type { OpInput, Provider, Service } from '../api/ops';
import { call } from '../api/transport';
import { ActiveBadge } from '../components/ActiveBadge';
import { Button } from '../components/Button';
import { CheckField } from '../components/CheckField';
import { DataTable } from '../components/DataTable';
import { EditButton } from '../components/EditButton';
import { Empty } from '../components/Empty';
import { Form } from '../components/Form';
import { FormActions } from '../components/FormActions';
import { Modal } from '../components/Modal';
import { NewButton } from '../components/NewButton';
import { Page } from '../components/Page';
import { SelectField } from '../components/SelectField';
import { TextField } from '../components/TextField';
import { useI18n } from '../i18n';
import { formatDateTime, formatPhone } from '../lib/format';
import { useAction, useOp } from '../lib/queries';
import { href, navigate } from '../lib/router';
import { useFormValues } from '../lib/useFormValues';
import { useSession, useToast } from '../session';

export function Providers() {
  const { t } = useI18n();
  const { can } = useSession();
  const providers = useOp('providers.list', { page_size: 200 });
  const services = useOp('services.list', { page_size: 200 });
  const [editing, setEditing] = useState<Provider | 'new' | null>(null);
  const serviceName = (id: string) => services.data?.data.find((s) => s.id === id)?.name ?? '…';
  return (
    <Page
      title={t('providers.title')}
      actions={
        can('catalog.write') && (
          <NewButton label={t('providers.new')} onClick={() => setEditing('new')} />
        )
      }
    >
      <DataTable
        query={providers}
        empty={t('providers.none')}
        rowKey={(p) => p.id}
        columns={[
          { id: 'name', header: t('providers.name'), cell: (p) => <strong>{p.name}</strong> },
          { id: 'whatsapp', header: t('providers.whatsapp'), cell: (p) => formatPhone(p.whatsapp_number) },
          {
            id: 'location',
            header: `${t('providers.latitude')}, ${t('providers.longitude')}`,
            className: 'mono small',
            cell: (p) => `${p.latitude.toFixed(6)}, ${p.longitude.toFixed(6)}`,
          },
          { id: 'services', header: t('providers.services'), cell: (p) => p.service_ids.map(serviceName).join(', ') || '—' },
          { id: 'max', header: t('providers.maxPerDay'), cell: (p) => p.max_slots_per_day ?? '—' },
          { id: 'active', header: t('bookings.status'), cell: (p) => <ActiveBadge active={p.active} /> },
          {
            id: 'actions',
            header: null,
            className: 'actions',
            cell: (p) => (
              <>
                <a className="btn btn-ghost" href={href('/schedule', { provider: p.id })}>
                  {t('providers.schedule')}
                </a>
                {can('catalog.write') && <EditButton onClick={() => setEditing(p)} />}
              </>
            ),
          },
        ]}
      />
      <Nearby services={services.data?.data ?? []} />
      {editing && (
        <ProviderEditor
          provider={editing === 'new' ? undefined : editing}
          services={services.data?.data ?? []}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
          }}
        />
      )}
    </Page>
  );
}

function ProviderEditor({
  provider,
  services,
  onClose,
  onSaved,
}: {
  provider?: Provider;
  services: Service[];
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t } = useI18n();
  const toast = useToast();
  const { values: f, setValues: setF, set, field } = useFormValues({
    name: provider?.name ?? '',
    whatsapp_number: provider ? formatPhone(provider.whatsapp_number) : '',
    latitude: provider ? String(provider.latitude) : '',
    longitude: provider ? String(provider.longitude) : '',
    max_slots_per_day: provider?.max_slots_per_day ? String(provider.max_slots_per_day) : '',
    service_ids: provider?.service_ids ?? ([] as string[]),
    active: provider?.active ?? true,
  });
  // An empty coordinate is left out, so the core names it as required.
  const num = (v: string) => (v.trim() === '' ? (undefined as unknown as number) : Number(v.replace(',', '.')));
  const save = useAction(async () => {
    const values = {
      name: f.name,
      whatsapp_number: f.whatsapp_number,
      latitude: num(f.latitude),
      longitude: num(f.longitude),
      max_slots_per_day: f.max_slots_per_day ? Number(f.max_slots_per_day) : null,
      service_ids: f.service_ids,
      active: f.active,
    };
    if (provider) {
      const input: OpInput<'providers.update'> = { id: provider.id, version: provider.version, ...values };
      await call('providers.update', input);
    } else {
      await call('providers.create', values);
    }
    toast(t('common.saved'));
    onSaved();
  });
  const toggle = (id: string) =>
    setF((s) => ({
      ...s,
      service_ids: s.service_ids.includes(id) ? s.service_ids.filter((x) => x !== id) : [...s.service_ids, id],
    }));
  return (
    <Modal title={provider ? t('providers.edit') : t('providers.new')} onClose={onClose} wide>
      <Form onSubmit={() => void save.run()} error={save.error} className="form grid-2">
        <TextField {...field('name')} label={t('providers.name')} />
        <TextField {...field('whatsapp_number')} label={t('providers.whatsapp')} inputMode="tel" />
        <TextField
          {...field('latitude')}
          label={t('providers.latitude')}
          type="number"
          step="any"
          min={-90}
          max={90}
          placeholder="-6.200000"
        />
        <TextField
          {...field('longitude')}
          label={t('providers.longitude')}
          type="number"
          step="any"
          min={-180}
          max={180}
          placeholder="106.816666"
        />
        <TextField
          {...field('max_slots_per_day')}
          label={t('providers.maxPerDay')}
          type="number"
          min={1}
          hint={t('providers.maxPerDayHint')}
        />
        <CheckField name="active" label={t('common.active')} checked={f.active} onChange={set('active')} />
        <fieldset className="span-2 checks" data-field="service_ids">
          <legend>{t('providers.services')}</legend>
          {services.map((s) => (
            <label key={s.id} className="check">
              <input type="checkbox" checked={f.service_ids.includes(s.id)} onChange={() => toggle(s.id)} /> {s.name}
            </label>
          ))}
        </fieldset>
        <FormActions onCancel={onClose} busy={save.busy} span2 />
      </Form>
    </Modal>
  );
}

function Nearby({ services }: { services: Service[] }) {
  const { t, lang } = useI18n();
  const { tz } = useSession();
  const { values: f, field } = useFormValues({ lat: '', lng: '', radius_km: '10', service_id: '' });
  const search = useAction(() =>
    call('providers.nearby', {
      lat: Number(f.lat.replace(',', '.')),
      lng: Number(f.lng.replace(',', '.')),
      radius_km: f.radius_km ? Number(f.radius_km) : null,
      service_id: f.service_id || null,
      limit: 20,
    }),
    { refreshes: false },
  );
  const [result, setResult] = useState<Awaited<ReturnType<typeof search.run>>>(undefined);
  return (
    <section className="card nearby">
      <h2>{t('providers.nearby')}</h2>
      <Form
        onSubmit={async () => setResult(await search.run())}
        error={search.error}
        className="form inline-form"
        autoFocus={false}
      >
        <TextField {...field('lat')} label={t('providers.latitude')} type="number" step="any" placeholder="-6.2" />
        <TextField {...field('lng')} label={t('providers.longitude')} type="number" step="any" placeholder="106.8" />
        <TextField {...field('radius_km')} label={t('providers.radius')} type="number" step="any" />
        <SelectField
          {...field('service_id')}
          label={t('bookings.service')}
          empty={t('common.all')}
          options={services.map((s) => ({ value: s.id, label: s.name }))}
        />
        <div className="form-actions">
          <Button type="submit" kind="primary" busy={search.busy}>
            {t('common.search')}
          </Button>
        </div>
      </Form>
      {result &&
        (result.data.length === 0 ? (
          <Empty text={t('providers.noNearby')} />
        ) : (
          <ul className="nearby-list">
            {result.data.map((n) => (
              <li key={n.provider.id}>
                <div>
                  <strong>{n.provider.name}</strong> · {t('providers.distance', { km: n.distance_km.toFixed(1) })} ·{' '}
                  {formatPhone(n.provider.whatsapp_number)}
                </div>
                <div className="slot-buttons">
                  <span className="muted small">{t('providers.nextSlots')}:</span>
                  {n.next_slots.length === 0 && <span className="muted small">—</span>}
                  {n.next_slots.map((s) => (
                    <button key={s.id} type="button" className="slot-btn" onClick={() => navigate(`/bookings/new?slot=${s.id}`)}>
                      {formatDateTime(s.starts_at, tz, lang)} <span className="muted small">{s.service_name}</span>
                    </button>
                  ))}
                </div>
              </li>
            ))}
          </ul>
        ))}
    </section>
  );
}
