import { changedValues } from '../lib/changes';
import type { Customer } from '../api/ops';
import { call } from '../api/transport';
import { useI18n } from '../i18n';
import { formatPhone, moneyValue, optionalText } from '../lib/format';
import { useAction } from '../lib/queries';
import { useFormValues } from '../lib/useFormValues';
import { Form } from './Form';
import { FormActions } from './FormActions';
import { Modal } from './Modal';
import { MoneyField } from './MoneyField';
import { SelectField } from './SelectField';
import { TextField } from './TextField';

/** A new customer, or an existing one with only the changed fields sent (masked KTP/NPWP start empty). */
export function CustomerEditor({
  customer,
  masked,
  onClose,
  onSaved,
}: {
  customer?: Customer;
  masked?: boolean;
  onClose: () => void;
  onSaved: (c: Customer) => void;
}) {
  const { t, tv } = useI18n();
  const initial = {
    name: customer?.name ?? '',
    phone: customer?.phone ? formatPhone(customer.phone) : '',
    email: customer?.email ?? '',
    gender: customer?.gender ?? '',
    address: customer?.address ?? '',
    ktp_number: masked ? '' : (customer?.ktp_number ?? ''),
    npwp_number: masked ? '' : (customer?.npwp_number ?? ''),
    birth_date: customer?.birth_date ?? '',
    birth_place: customer?.birth_place ?? '',
    occupation: customer?.occupation ?? '',
    monthly_income: customer?.monthly_income ?? '',
    emergency_contact: customer?.emergency_contact ?? '',
    customer_type: customer?.customer_type ?? '',
    language: customer?.language ?? '',
  };
  const { values: f, field } = useFormValues(initial);
  const save = useAction(async () => {
    const values = {
      name: f.name,
      phone: f.phone,
      email: optionalText(f.email),
      gender: (optionalText(f.gender) as never) ?? null,
      address: optionalText(f.address),
      ktp_number: optionalText(f.ktp_number),
      npwp_number: optionalText(f.npwp_number),
      birth_date: optionalText(f.birth_date),
      birth_place: optionalText(f.birth_place),
      occupation: optionalText(f.occupation),
      monthly_income: moneyValue(f.monthly_income),
      emergency_contact: optionalText(f.emergency_contact),
      customer_type: optionalText(f.customer_type),
      language: (optionalText(f.language) as never) ?? null,
    };
    onSaved(
      customer
        ? await call('customers.update', { id: customer.id, version: customer.version, ...changedValues(values, f, initial) })
        : await call('customers.create', values),
    );
  });
  const maskedHint = masked ? t('customers.masked') : undefined;
  // A sealed number this desk's key cannot open: say so beside its field.
  const unreadable = (field: string) => (customer?.unavailable?.includes(field) ? t('customers.unavailable') : maskedHint);

  return (
    <Modal title={customer ? t('customers.edit', { code: customer.code }) : t('customers.new')} onClose={onClose} wide>
      <Form onSubmit={() => void save.run()} error={save.error} className="form grid-2">
        <TextField {...field('name')} label={t('customers.name')} />
        <TextField {...field('phone')} label={t('customers.phone')} inputMode="tel" />
        <TextField {...field('email')} label={t('customers.email')} type="email" />
        <SelectField
          {...field('gender')}
          label={t('customers.gender')}
          empty="—"
          options={['female', 'male'].map((g) => ({ value: g, label: tv('gender', g) }))}
        />
        <TextField
          {...field('ktp_number')}
          label={t('customers.ktp')}
          inputMode="numeric"
          placeholder={masked ? (customer?.ktp_number ?? '') : ''}
          hint={unreadable('ktp_number')}
        />
        <TextField
          {...field('npwp_number')}
          label={t('customers.npwp')}
          inputMode="numeric"
          placeholder={masked ? (customer?.npwp_number ?? '') : ''}
          hint={unreadable('npwp_number')}
        />
        <TextField {...field('address')} label={t('customers.address')} className="span-2" />
        <TextField {...field('birth_date')} label={t('customers.birthDate')} type="date" />
        <TextField {...field('birth_place')} label={t('customers.birthPlace')} />
        <TextField {...field('occupation')} label={t('customers.occupation')} />
        <MoneyField {...field('monthly_income')} label={t('customers.income')} />
        <TextField {...field('emergency_contact')} label={t('customers.emergency')} />
        <TextField {...field('customer_type')} label={t('customers.type')} hint={t('customers.typeHint')} />
        <SelectField
          {...field('language')}
          label={t('customers.language')}
          empty={t('customers.languageDefault')}
          options={['id', 'en'].map((l) => ({ value: l, label: tv('language', l) }))}
        />
        <FormActions onCancel={onClose} busy={save.busy} span2 />
      </Form>
    </Modal>
  );
}
