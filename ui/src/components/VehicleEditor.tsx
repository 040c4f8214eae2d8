import { useState } from 'react';
import { changedValues } from '../lib/changes';
import type { Vehicle } from '../api/ops';
import { ApiError, call } from '../api/transport';
import { useI18n } from '../i18n';
import { formatDate } from '../lib/format';
import { nextServiceDate, normalisePlate } from '../lib/messaging';
import { useAction } from '../lib/queries';
import { bindFields } from '../lib/useFormValues';
import { CustomerPicker } from './CustomerPicker';
import { Field } from './Field';
import { Form } from './Form';
import { FormActions } from './FormActions';
import { Modal } from './Modal';
import { TextField } from './TextField';

/** A new vehicle or an existing one; the next service date follows last service + interval unless typed. */
export function VehicleEditor({
  vehicle,
  customerId,
  fixedCustomer,
  onClose,
  onSaved,
}: {
  vehicle?: Vehicle;
  /** The owner to start with (a new vehicle). */
  customerId?: string;
  /** The owner may not be changed here (the customer's own page). */
  fixedCustomer?: boolean;
  onClose: () => void;
  onSaved: (v: Vehicle) => void;
}) {
  const { t, lang } = useI18n();
  const initial = {
    customer_id: vehicle?.customer_id ?? customerId ?? '',
    model: vehicle?.model ?? '',
    plate_number: vehicle?.plate_number ?? '',
    year: vehicle?.year != null ? String(vehicle.year) : '',
    last_service_at: vehicle?.last_service_at ?? '',
    service_interval_days: vehicle?.service_interval_days != null ? String(vehicle.service_interval_days) : '',
    next_service_at: vehicle?.next_service_at ?? '',
  };
  const [f, setF] = useState(initial);
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const set = (k: keyof typeof f) => (v: string) => {
    // the core's message for this field goes once it is being corrected
    if (save.error instanceof ApiError && save.error.field === k) save.clearError();
    setF((s) => {
      const next = { ...s, [k]: v };
      if (k === 'last_service_at' || k === 'service_interval_days') {
        // A next date that was only last service + interval follows them.
        const derivedBefore = nextServiceDate(s.last_service_at, Number(s.service_interval_days) || null);
        if (s.next_service_at && s.next_service_at === derivedBefore) next.next_service_at = '';
      }
      return next;
    });
  };
  const field = bindFields(f, set);
  const int = (v: string) => (v.trim() ? Number(v) : null);
  const date = (v: string) => (v.trim() ? v : null);
  const save = useAction(async () => {
    if (!f.customer_id) {
      setLocalErrors({ customer_id: `${t('vehicles.customer')} ${t('wizard.required')}.` });
      return;
    }
    setLocalErrors({});
    const values = {
      customer_id: f.customer_id,
      model: f.model,
      plate_number: f.plate_number,
      year: int(f.year),
      last_service_at: date(f.last_service_at),
      service_interval_days: int(f.service_interval_days),
      next_service_at: date(f.next_service_at),
    };
    onSaved(
      vehicle
        ? await call('vehicles.update', { id: vehicle.id, version: vehicle.version, ...changedValues(values, f, initial) })
        : await call('vehicles.create', values),
    );
  });
  const plate = normalisePlate(f.plate_number);
  const derived = nextServiceDate(f.last_service_at, Number(f.service_interval_days) || null);
  return (
    <Modal
      title={vehicle ? t('vehicles.edit', { plate: vehicle.plate_number }) : t('vehicles.new')}
      onClose={onClose}
      wide
    >
      <Form onSubmit={() => void save.run()} error={save.error} className="form grid-2">
        <Field name="customer_id" label={t('vehicles.customer')} localError={localErrors.customer_id} className="span-2">
          {(id, invalid) => (
            <CustomerPicker
              id={id}
              name="customer_id"
              value={f.customer_id}
              invalid={invalid}
              disabled={fixedCustomer}
              onChange={(cid) => {
                setLocalErrors({});
                setF((s) => ({ ...s, customer_id: cid }));
              }}
            />
          )}
        </Field>
        <TextField
          {...field('plate_number')}
          label={t('vehicles.plate')}
          autoComplete="off"
          className="plate-input"
          hint={plate && plate !== f.plate_number.trim() ? t('vehicles.plateAs', { plate }) : undefined}
        />
        <TextField {...field('model')} label={t('vehicles.model')} placeholder={t('vehicles.modelHint')} />
        <TextField {...field('year')} label={t('vehicles.year')} type="number" min={1900} inputMode="numeric" />
        <TextField {...field('last_service_at')} label={t('vehicles.lastService')} type="date" />
        <TextField {...field('service_interval_days')} label={t('vehicles.interval')} type="number" min={1} inputMode="numeric" />
        <TextField
          {...field('next_service_at')}
          label={t('vehicles.nextService')}
          type="date"
          hint={
            !f.next_service_at && derived
              ? t('vehicles.nextComputed', { date: formatDate(derived, lang) })
              : t('vehicles.nextHint')
          }
        />
        <FormActions onCancel={onClose} busy={save.busy} span2 />
      </Form>
    </Modal>
  );
}
