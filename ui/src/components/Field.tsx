import { useContext, useEffect, useId, type ReactNode } from 'react';
import { ApiError } from '../api/transport';
import { useI18n } from '../i18n';
import { validationText } from '../i18n/errors';
import { FormContext } from './FormContext';

export interface FieldProps {
  /** The API field name, used to show the core's message for it. */
  name: string;
  label: string;
  hint?: ReactNode;
  children: (id: string, invalid: boolean) => ReactNode;
  /** A message from the UI itself (e.g. a required field left empty). */
  localError?: string | null;
  className?: string;
}

export function Field({ name, label, hint, children, localError, className }: FieldProps) {
  const id = useId();
  const ctx = useContext(FormContext);
  const { lang } = useI18n();
  const register = ctx?.register;
  useEffect(() => register?.(name), [register, name]);
  const err = ctx?.error;
  const apiMessage =
    err instanceof ApiError && err.field === name ? validationText(err.field, err.message, lang) : null;
  const message = apiMessage ?? localError ?? null;
  return (
    <div className={`field${message ? ' has-error' : ''}${className ? ` ${className}` : ''}`} data-field={name}>
      <label htmlFor={id}>{label}</label>
      {children(id, !!message)}
      {message ? (
        <div className="field-error" role="alert" id={`${id}-error`}>
          {message}
        </div>
      ) : hint ? (
        <div className="field-hint">{hint}</div>
      ) : null}
    </div>
  );
}
