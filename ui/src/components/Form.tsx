// Forms: a Field shows its label, its input and — next to it — the core's
// validation message for its API field name (`price`, `customer.ktp_number`).
// Errors the form has no field for appear as a banner above it.
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError } from '../api/transport';
import { useI18n } from '../i18n';
import { errorText } from '../i18n/errors';
import { focusFirst } from '../lib/focus';
import { ErrorBanner } from './ErrorBanner';
import { FormContext } from './FormContext';

export interface FormProps {
  onSubmit: () => void;
  error?: unknown;
  children: ReactNode;
  className?: string;
  /** Put the focus in the first field when the form appears (default true). */
  autoFocus?: boolean;
  id?: string;
}

/** A form: Enter submits, focus lands in the first field, errors go next to their field. */
export function Form({ onSubmit, error, children, className, autoFocus = true, id }: FormProps) {
  const { lang, t } = useI18n();
  const ref = useRef<HTMLFormElement>(null);
  const [fields, setFields] = useState<string[]>([]);
  const register = useCallback((field: string) => {
    setFields((f) => [...f, field]);
    return () =>
      setFields((f) => {
        const i = f.indexOf(field);
        return i < 0 ? f : [...f.slice(0, i), ...f.slice(i + 1)];
      });
  }, []);
  useEffect(() => {
    if (autoFocus) focusFirst(ref.current);
  }, [autoFocus]);
  const fieldOwned =
    error instanceof ApiError && !!error.field && fields.includes(error.field);
  useEffect(() => {
    // Bring the field with the error into view and focus it.
    if (fieldOwned && error instanceof ApiError && ref.current) {
      const box = [...ref.current.querySelectorAll<HTMLElement>('[data-field]')].find(
        (b) => b.dataset.field === error.field,
      );
      const el = box?.querySelector<HTMLElement>('input, select, textarea');
      el?.focus();
    }
  }, [error, fieldOwned]);
  const ctx = useMemo(() => ({ error, register }), [error, register]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit();
  };
  return (
    <FormContext.Provider value={ctx}>
      <form ref={ref} className={className ?? 'form'} onSubmit={submit} noValidate id={id}>
        {error ? (
          fieldOwned ? (
            <div className="form-hint-error" role="alert">
              {t('error.fieldBelow')}
            </div>
          ) : (
            <ErrorBanner text={errorText(error, lang)} />
          )
        ) : null}
        {children}
      </form>
    </FormContext.Provider>
  );
}
