import { Component, useEffect, useRef, type ReactNode } from 'react';
import { useI18n } from '../i18n';
import { errorText } from '../i18n/errors';
import type { PageMeta } from '../api/ops';
import type { Loaded } from '../lib/hooks';
import { focusFirst } from './form';

export function Spinner({ label }: { label?: string }) {
  return (
    <span className="spinner-wrap" role="status">
      <span className="spinner" aria-hidden="true" />
      {label && <span>{label}</span>}
    </span>
  );
}

export function Button({
  busy,
  busyLabel,
  children,
  kind = 'secondary',
  type = 'button',
  ...rest
}: React.ButtonHTMLAttributes<HTMLButtonElement> & {
  busy?: boolean;
  busyLabel?: string;
  kind?: 'primary' | 'secondary' | 'danger' | 'ghost';
}) {
  return (
    <button
      type={type}
      className={`btn btn-${kind}`}
      disabled={busy || rest.disabled}
      aria-busy={busy || undefined}
      {...rest}
    >
      {busy ? <Spinner /> : null}
      {busy && busyLabel ? busyLabel : children}
    </button>
  );
}

export function ErrorBanner({ text }: { text: string }) {
  return (
    <div className="banner banner-error" role="alert">
      {text}
    </div>
  );
}

/** The readable form of any error from the core (never raw JSON). */
export function ErrorMessage({ error }: { error: unknown }) {
  const { lang } = useI18n();
  if (!error) return null;
  return <ErrorBanner text={errorText(error, lang)} />;
}

export function Loading() {
  const { t } = useI18n();
  return (
    <div className="loading">
      <Spinner label={t('common.loading')} />
    </div>
  );
}

export function Empty({ text }: { text?: string }) {
  const { t } = useI18n();
  return <div className="empty">{text ?? t('common.empty')}</div>;
}

/**
 * The three states of a loaded list, in one place instead of a ternary per
 * screen: <Loading/> on the first load (no data yet), <Empty text={empty}/>
 * when there are no rows (or the load failed; the screen shows the error
 * itself), else `children(rows)`. Data kept while reloading stays on screen.
 */
export function Rows<T>({
  load,
  empty,
  children,
}: {
  load: Pick<Loaded<{ data: T[] }>, 'loading' | 'data'>;
  empty: string;
  children: (rows: T[]) => ReactNode;
}) {
  if (load.loading && !load.data) return <Loading />;
  if (!load.data?.data.length) return <Empty text={empty} />;
  return children(load.data.data);
}

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

/** The footer of a modal edit form: Cancel closes it, the primary submit saves (showing "Saving…" while busy). */
export function FormActions({ onCancel, busy, span2 }: { onCancel: () => void; busy: boolean; span2?: boolean }) {
  const { t } = useI18n();
  return (
    <div className={`form-actions${span2 ? ' span-2' : ''}`}>
      <Button onClick={onCancel}>{t('common.cancel')}</Button>
      <Button type="submit" kind="primary" busy={busy} busyLabel={t('common.saving')}>
        {t('common.save')}
      </Button>
    </div>
  );
}

export function PageHeader({ title, subtitle, actions }: { title: string; subtitle?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle && <div className="subtitle">{subtitle}</div>}
      </div>
      {actions && <div className="page-actions no-print">{actions}</div>}
    </div>
  );
}

export function Badge({ kind, children, title }: { kind: string; children: ReactNode; title?: string }) {
  return (
    <span className={`badge badge-${kind}`} title={title}>
      {children}
    </span>
  );
}

export function Pagination({ meta, onPage }: { meta: PageMeta | undefined; onPage: (p: number) => void }) {
  const { t } = useI18n();
  if (!meta) return null;
  const count = Math.max(1, meta.page_count);
  if (count <= 1) {
    return <div className="pagination muted small">{t('common.total', { n: meta.total })}</div>;
  }
  return (
    <div className="pagination no-print">
      <button type="button" className="btn btn-ghost" disabled={meta.page <= 1} onClick={() => onPage(meta.page - 1)}>
        ‹ {t('common.prev')}
      </button>
      <span>
        {t('common.page', { page: meta.page, count })} · {t('common.total', { n: meta.total })}
      </span>
      <button
        type="button"
        className="btn btn-ghost"
        disabled={meta.page >= count}
        onClick={() => onPage(meta.page + 1)}
      >
        {t('common.next')} ›
      </button>
    </div>
  );
}

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

export function DefinitionList({ items }: { items: [string, ReactNode][] }) {
  return (
    <dl className="deflist">
      {items.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v ?? '—'}</dd>
        </div>
      ))}
    </dl>
  );
}

interface BoundaryProps {
  children: ReactNode;
  fallback: (error: unknown, reset: () => void) => ReactNode;
  resetKey?: unknown;
}

/** Catches a screen that fails to render: a message instead of a blank window. */
export class ErrorBoundary extends Component<BoundaryProps, { error: unknown }> {
  state = { error: null as unknown };
  static getDerivedStateFromError(error: unknown) {
    return { error };
  }
  componentDidCatch(error: unknown) {
    console.error('screen failed', error);
  }
  componentDidUpdate(prev: BoundaryProps) {
    if (prev.resetKey !== this.props.resetKey && this.state.error) this.setState({ error: null });
  }
  render() {
    if (this.state.error) return this.props.fallback(this.state.error, () => this.setState({ error: null }));
    return this.props.children;
  }
}
