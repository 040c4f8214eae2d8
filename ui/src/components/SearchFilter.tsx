import { useI18n } from '../i18n';

/** The search box of a list screen: a labelled `type=search` input that `/` focuses (via `data-search`). */
export function SearchFilter({
  value,
  onChange,
  placeholder,
  label,
  grow = true,
  autoFocus = true,
}: {
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
  label?: string;
  grow?: boolean;
  autoFocus?: boolean;
}) {
  const { t } = useI18n();
  return (
    <label className={`filter filter-search${grow ? ' grow' : ''}`}>
      <span>{label ?? t('common.search')}</span>
      <input
        type="search"
        data-search
        autoFocus={autoFocus}
        value={value}
        placeholder={placeholder}
        onChange={(e) => onChange(e.target.value)}
      />
    </label>
  );
}
