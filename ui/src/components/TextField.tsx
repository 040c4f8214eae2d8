import type { InputHTMLAttributes, ReactNode } from 'react';
import { Field } from './Field';

export type TextFieldProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'onChange' | 'value' | 'name'> & {
  name: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  hint?: ReactNode;
  localError?: string | null;
  className?: string;
};

export function TextField({ name, label, value, onChange, hint, localError, className, ...rest }: TextFieldProps) {
  return (
    <Field name={name} label={label} hint={hint} localError={localError} className={className}>
      {(id, invalid) => (
        <input
          id={id}
          name={name}
          value={value}
          aria-invalid={invalid || undefined}
          aria-describedby={invalid ? `${id}-error` : undefined}
          onChange={(e) => onChange(e.target.value)}
          {...rest}
        />
      )}
    </Field>
  );
}
