// Forms: a Field shows its label, its input and — next to it — the core's
// validation message for its API field name (`price`, `customer.ktp_number`).
// Errors the form has no field for appear as a banner above it.
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
  type FormEvent,
  type ReactNode,
} from 'react';
import { ApiError } from '../api/transport';
import { errorText, validationText } from '../i18n/errors';
import { useI18n } from '../i18n';
import { formatRupiah, parseRupiah } from '../lib/format';
import { ErrorBanner } from './ui';

interface FormCtx {
  error: unknown;
  register: (field: string) => () => void;
}
const FormContext = createContext<FormCtx | null>(null);

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

export function focusFirst(root: HTMLElement | null): void {
  if (!root) return;
  const el = root.querySelector<HTMLElement>(
    'input:not([type=hidden]):not([type=radio]):not([disabled]):not([readonly]), input[type=radio]:checked, select:not([disabled]), textarea:not([disabled])',
  );
  el?.focus();
}

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

type InputProps = Omit<React.InputHTMLAttributes<HTMLInputElement>, 'onChange' | 'value' | 'name'> & {
  name: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  hint?: ReactNode;
  localError?: string | null;
  className?: string;
};

export function TextField({ name, label, value, onChange, hint, localError, className, ...rest }: InputProps) {
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

/** The value to send for a money input: parsed when it reads as money, else as typed (the core names the field). */
export function moneyValue(text: string): string | null {
  if (!text.trim()) return null;
  return parseRupiah(text) ?? text.trim();
}

export function CheckField({
  name,
  label,
  checked,
  onChange,
}: {
  name: string;
  label: string;
  checked: boolean;
  onChange: (v: boolean) => void;
}) {
  const id = useId();
  return (
    <div className="field field-check" data-field={name}>
      <input id={id} type="checkbox" name={name} checked={checked} onChange={(e) => onChange(e.target.checked)} />
      <label htmlFor={id}>{label}</label>
    </div>
  );
}
