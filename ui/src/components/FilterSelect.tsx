import { SelectOptions, type Option } from './SelectOptions';

/** A list screen's filter: a labelled select; `empty` labels an empty first option ("All"). */
export function FilterSelect({
  label,
  value,
  onChange,
  options,
  empty,
  name,
  testId,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  options: readonly Option[];
  empty?: string;
  name?: string;
  testId?: string;
}) {
  return (
    <label className="filter">
      <span>{label}</span>
      <select value={value} onChange={(e) => onChange(e.target.value)} name={name} data-testid={testId}>
        <SelectOptions options={options} empty={empty} />
      </select>
    </label>
  );
}
