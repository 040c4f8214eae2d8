import type { ReactNode } from 'react';
import { formatRupiah, parseRupiah } from '../lib/format';
import { TextField } from './TextField';

/** Money typed as `3.500.000` or `3500000`; shows the amount as read below it. */
export function MoneyField({
  name,
  label,
  value,
  onChange,
  hint,
}: {
  name: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  hint?: ReactNode;
}) {
  const parsed = value.trim() ? parseRupiah(value) : null;
  return (
    <TextField
      name={name}
      label={label}
      value={value}
      onChange={onChange}
      inputMode="decimal"
      placeholder="Rp"
      hint={parsed ? formatRupiah(parsed) : hint}
    />
  );
}
