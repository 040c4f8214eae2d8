// Choose a customer by typing part of a name, phone or code: the matches
// appear below as you type (arrow keys and Enter, or a click). Used in forms
// (inside a Field, so the core's message for `customer_id` shows next to it)
// and as a list filter.
import { useEffect, useId, useState, type KeyboardEvent } from 'react';
import { useI18n } from '../i18n';
import { formatPhone } from '../lib/format';
import { useOp } from '../lib/queries';
import { useDebounced } from '../lib/useDebounced';

export interface PickedCustomer {
  id: string;
  name: string;
  code: string;
  phone: string;
}

export function CustomerPicker({
  id,
  value,
  onChange,
  invalid,
  name,
  disabled,
  placeholder,
}: {
  id?: string;
  /** The chosen customer's id, or '' for none. */
  value: string;
  onChange: (id: string, customer: PickedCustomer | null) => void;
  invalid?: boolean;
  name?: string;
  disabled?: boolean;
  placeholder?: string;
}) {
  const { t } = useI18n();
  const ownId = useId();
  const inputId = id ?? ownId;
  const listId = `${inputId}-list`;
  const [picked, setPicked] = useState<PickedCustomer | null>(null);
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const dq = useDebounced(text.trim(), 200);

  // A customer chosen elsewhere (the address, a fixed owner): its name comes from the core.
  const pickedHere = !!value && picked?.id === value;
  const fetched = useOp('customers.get', { id: value }, { enabled: !!value && !pickedHere });
  const known: PickedCustomer | null = pickedHere
    ? picked
    : fetched.data?.id === value
      ? fetched.data
      : value && fetched.isError
        ? { id: value, name: '…', code: '', phone: '' }
        : null;

  const searching = open && dq.length >= 2;
  const matches = useOp('customers.list', { q: dq, page_size: 8 }, { enabled: searching });
  const list = searching ? (matches.data?.data ?? []) : [];
  useEffect(() => setActive(0), [dq]);

  const choose = (c: PickedCustomer) => {
    setPicked(c);
    setText('');
    setOpen(false);
    onChange(c.id, c);
  };
  const clear = () => {
    setPicked(null);
    setText('');
    onChange('', null);
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (!open || !list.length) {
      if (e.key === 'Escape' && open) {
        e.stopPropagation();
        setOpen(false);
      }
      return;
    }
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setActive((i) => Math.min(i + 1, list.length - 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((i) => Math.max(i - 1, 0));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const c = list[active];
      if (c) choose({ id: c.id, name: c.name, code: c.code, phone: c.phone });
    } else if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      setOpen(false);
    }
  };

  const chosen = value && known?.id === value ? known : null;
  const shown = chosen && !open ? `${chosen.name}${chosen.code ? ` · ${chosen.code}` : ''}` : text;
  const expanded = searching;
  return (
    <div className="picker-box">
      <input
        id={inputId}
        name={name}
        type="search"
        role="combobox"
        autoComplete="off"
        aria-autocomplete="list"
        aria-expanded={expanded}
        aria-controls={listId}
        aria-activedescendant={expanded && list[active] ? `${listId}-${active}` : undefined}
        aria-invalid={invalid || undefined}
        disabled={disabled}
        placeholder={placeholder ?? t('picker.placeholder')}
        value={shown}
        onFocus={(e) => {
          // typing replaces the chosen customer's name
          if (chosen) e.target.select();
        }}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
          if (value) onChange('', null);
        }}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={onKey}
      />
      {value && !disabled && (
        <button type="button" className="picker-clear" aria-label={t('picker.clear')} title={t('picker.clear')} onClick={clear}>
          ✕
        </button>
      )}
      {expanded && (
        <ul className="picker-list" id={listId} role="listbox" aria-label={t('picker.matches')}>
          {list.length === 0 && !matches.isFetching ? (
            <li className="picker-empty muted">{t('picker.noMatch')}</li>
          ) : (
            list.map((c, i) => (
              <li
                key={c.id}
                id={`${listId}-${i}`}
                role="option"
                aria-selected={i === active}
                className={i === active ? 'active' : undefined}
                onMouseDown={(e) => {
                  e.preventDefault();
                  choose({ id: c.id, name: c.name, code: c.code, phone: c.phone });
                }}
                onMouseEnter={() => setActive(i)}
              >
                <strong>{c.name}</strong> <span className="muted small">{c.code} · {formatPhone(c.phone)}</span>
              </li>
            ))
          )}
        </ul>
      )}
    </div>
  );
}
