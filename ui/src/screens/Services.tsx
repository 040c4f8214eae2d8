// The services of the catalogue and their editor.
import { useState } from 'react';
import type { Service } from '../api/ops';
import { call } from '../api/transport';
import { ActiveBadge } from '../components/ActiveBadge';
import { CheckField } from '../components/CheckField';
import { DataTable } from '../components/DataTable';
import { EditButton } from '../components/EditButton';
import { Form } from '../components/Form';
import { FormActions } from '../components/FormActions';
import { Modal } from '../components/Modal';
import { MoneyField } from '../components/MoneyField';
import { NewButton } from '../components/NewButton';
import { Page } from '../components/Page';
import { TextArea } from '../components/TextArea';
import { TextField } from '../components/TextField';
import { useI18n } from '../i18n';
import { formatRupiah, moneyValue } from '../lib/format';
import { useAction, useOp } from '../lib/queries';
import { useFormValues } from '../lib/useFormValues';
import { useSession } from '../session';

export function Services() {
  const { t } = useI18n();
  const { can } = useSession();
  const services = useOp('services.list', { page_size: 200 });
  const [editing, setEditing] = useState<Service | 'new' | null>(null);
  return (
    <Page
      title={t('services.title')}
      actions={
        can('catalog.write') && (
          <NewButton label={t('services.new')} onClick={() => setEditing('new')} />
        )
      }
    >
      <DataTable
        query={services}
        empty={t('services.none')}
        rowKey={(s) => s.id}
        columns={[
          { id: 'name', header: t('services.name'), cell: (s) => <strong>{s.name}</strong> },
          { id: 'duration', header: t('services.duration'), cell: (s) => t('common.minutes', { n: s.duration_min }) },
          { id: 'price', header: t('services.price'), headerClassName: 'num', className: 'num', cell: (s) => formatRupiah(s.price) },
          { id: 'description', header: t('services.description'), className: 'muted', cell: (s) => s.description ?? '' },
          { id: 'active', header: t('bookings.status'), cell: (s) => <ActiveBadge active={s.active} /> },
          can('catalog.write') && {
            id: 'actions',
            header: null,
            className: 'actions',
            cell: (s) => <EditButton onClick={() => setEditing(s)} />,
          },
        ]}
      />
      {editing && (
        <ServiceEditor
          service={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
          }}
        />
      )}
    </Page>
  );
}

function ServiceEditor({ service, onClose, onSaved }: { service?: Service; onClose: () => void; onSaved: () => void }) {
  const { t } = useI18n();
  const { values: f, set, field } = useFormValues({
    name: service?.name ?? '',
    duration_min: service ? String(service.duration_min) : '60',
    price: service?.price ?? '',
    description: service?.description ?? '',
    active: service?.active ?? true,
  });
  const save = useAction(async () => {
    const values = {
      name: f.name,
      duration_min: Number(f.duration_min),
      price: moneyValue(f.price) ?? '',
      description: f.description.trim() || null,
      active: f.active,
    };
    if (service) await call('services.update', { id: service.id, version: service.version, ...values });
    else await call('services.create', values);
    onSaved();
  });
  return (
    <Modal title={service ? t('services.edit') : t('services.new')} onClose={onClose}>
      <Form onSubmit={() => void save.run()} error={save.error}>
        <TextField {...field('name')} label={t('services.name')} />
        <TextField {...field('duration_min')} label={t('services.duration')} type="number" min={5} />
        <MoneyField {...field('price')} label={t('services.price')} />
        <TextArea {...field('description')} label={t('services.description')} />
        <CheckField name="active" label={t('common.active')} checked={f.active} onChange={set('active')} />
        <FormActions onCancel={onClose} busy={save.busy} />
      </Form>
    </Modal>
  );
}
