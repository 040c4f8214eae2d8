import type { ReactNode } from 'react';

/** One free time to pick: pressed when chosen. */
export function SlotButton({
  selected,
  onClick,
  title,
  children,
}: {
  selected: boolean;
  onClick: () => void;
  title?: string;
  children: ReactNode;
}) {
  return (
    <button type="button" className={`slot-btn${selected ? ' selected' : ''}`} aria-pressed={selected} onClick={onClick} title={title}>
      {children}
    </button>
  );
}
