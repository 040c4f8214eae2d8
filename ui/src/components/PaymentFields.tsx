import { useI18n } from '../i18n';
import type { FieldBinding } from '../lib/useFormValues';
import { SelectField } from './SelectField';
import { TextField } from './TextField';

const STATUSES = ['pending', 'dp', 'paid', 'overdue'];
const METHODS = ['transfer', 'cash', 'check', 'credit'];

/** A booking's payment: status, method (may be none) and date; the same in the booking wizard and the booking editor. */
export function PaymentFields({ field }: { field: (k: 'payment_status' | 'payment_method' | 'payment_date') => FieldBinding }) {
  const { t, tv } = useI18n();
  return (
    <>
      <SelectField
        {...field('payment_status')}
        label={t('bookings.paymentStatus')}
        options={STATUSES.map((v) => ({ value: v, label: tv('payment', v) }))}
      />
      <SelectField
        {...field('payment_method')}
        label={t('bookings.paymentMethod')}
        empty="—"
        options={METHODS.map((v) => ({ value: v, label: tv('method', v) }))}
      />
      <TextField {...field('payment_date')} label={t('bookings.paymentDate')} type="date" />
    </>
  );
}
