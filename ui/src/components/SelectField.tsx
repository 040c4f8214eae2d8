import type { ReactNode } from 'react';
import { Field } from './Field';

export function SelectField({
  name,
  label,
  value,
  onChange,
  options,
  hint,
  empty,
  disabled,
}: {
  name: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  options: { value: string; label: string }[];
  hint?: ReactNode;
  /** Label of an empty first option (none when omitted). */
  empty?: string;
  disabled?: boolean;
}) {
  return (
    <Field name={name} label={label} hint={hint}>
      {(id, invalid) => (
        <select
          id={id}
          name={name}
          value={value}
          disabled={disabled}
          aria-invalid={invalid || undefined}
          onChange={(e) => onChange(e.target.value)}
        >
          {empty !== undefined && <option value="">{empty}</option>}
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
