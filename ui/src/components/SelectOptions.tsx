export interface Option {
  value: string;
  label: string;
}

/** The options of a select: an empty first one labelled `empty` when given, then `options`. */
export function SelectOptions({ options, empty }: { options: readonly Option[]; empty?: string }) {
  return (
    <>
      {empty !== undefined && <option value="">{empty}</option>}
      {options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </>
  );
}
