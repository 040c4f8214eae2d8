// A form's values in one state, and the props that tie a text, money or
// select field to one of them: `<TextField {...field('price')} label=… />`
// instead of spelling the field's name, value and change handler each time.
import { useCallback, useState } from 'react';

/** The keys of `T` whose values a text-like field edits (strings, possibly missing). */
export type TextKey<T> = { [K in keyof T]-?: T[K] extends string | undefined ? K : never }[keyof T] & string;

/** What a field takes from its form: the API field name, the value shown, and where a change goes. */
export interface FieldBinding {
  name: string;
  value: string;
  onChange: (v: string) => void;
}

/**
 * Binds fields to `values` through `set`, for a form whose `set` does more
 * than store the value (a derived date, an error cleared). The field's name is
 * `namePrefix` + key: `customer.` for the new customer inside a booking.
 */
export function bindFields<T extends object>(
  values: T,
  set: (k: TextKey<T>) => (v: string) => void,
  namePrefix = '',
): (k: TextKey<T>) => FieldBinding {
  return (k) => ({ name: namePrefix + k, value: (values[k] as string | undefined) ?? '', onChange: set(k) });
}

/** A form's values, a setter per key (`set('active')(true)`), and `field(key)` for its fields. */
export function useFormValues<T extends object>(initial: T | (() => T), namePrefix = '') {
  const [values, setValues] = useState<T>(initial);
  const set = useCallback(
    <K extends keyof T>(k: K) =>
      (v: T[K]) =>
        setValues((s) => ({ ...s, [k]: v })),
    [],
  );
  const field = bindFields(values, set as (k: TextKey<T>) => (v: string) => void, namePrefix);
  return { values, setValues, set, field };
}
