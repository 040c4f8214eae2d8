import { useEffect, useRef, type ReactNode } from 'react';
import { focusFirst } from '../lib/focus';

const openDialogs: number[] = [];
let dialogSeq = 0;

/** A dialog: focus lands in its first field, Esc closes it (the topmost one only). */
export function Modal({
  title,
  onClose,
  children,
  wide,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;
  useEffect(() => {
    const id = ++dialogSeq;
    openDialogs.push(id);
    const before = document.activeElement as HTMLElement | null;
    const root = ref.current;
    if (root && !root.contains(document.activeElement)) {
      focusFirst(root);
      if (!root.contains(document.activeElement)) root.querySelector<HTMLElement>('button')?.focus();
    }
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && openDialogs[openDialogs.length - 1] === id) {
        e.preventDefault();
        e.stopPropagation();
        onCloseRef.current();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
      const i = openDialogs.indexOf(id);
      if (i >= 0) openDialogs.splice(i, 1);
      before?.focus?.();
    };
  }, []);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        className={`modal${wide ? ' modal-wide' : ''}`}
        role="dialog"
        aria-modal="true"
        aria-label={title}
        ref={ref}
      >
        <div className="modal-head">
          <h2>{title}</h2>
          <button type="button" className="btn btn-ghost close" aria-label="Esc" onClick={onClose}>
            ✕
          </button>
        </div>
        <div className="modal-body">{children}</div>
      </div>
    </div>
  );
}

export function anyDialogOpen(): boolean {
  return openDialogs.length > 0;
}
