import type { ReactNode } from 'react';
import { Field } from './Field';
import { SelectOptions, type Option } from './SelectOptions';

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
  options: readonly Option[];
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
          <SelectOptions options={options} empty={empty} />
        </select>
      )}
    </Field>
  );
}
