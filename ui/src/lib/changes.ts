/**
 * What an update sends: the entries of `values` (a form's fields as the API
 * takes them) whose form field differs from the form's `initial` state; the
 * core keeps every other field as it is.
 */
export function changedValues<V extends object>(
  values: V,
  form: { [K in keyof V]: unknown },
  initial: { [K in keyof V]: unknown },
): Partial<V> {
  const out: Partial<V> = {};
  for (const k of Object.keys(values) as (keyof V)[]) {
    if (form[k] !== initial[k]) out[k] = values[k];
  }
  return out;
}
