import type { ReactNode } from 'react';
import { Field } from './Field';

export function TextArea({
  name,
  label,
  value,
  onChange,
  hint,
  rows = 3,
}: {
  name: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  hint?: ReactNode;
  rows?: number;
}) {
  return (
    <Field name={name} label={label} hint={hint}>
      {(id, invalid) => (
        <textarea
          id={id}
          name={name}
          rows={rows}
          value={value}
          aria-invalid={invalid || undefined}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Field>
  );
}
