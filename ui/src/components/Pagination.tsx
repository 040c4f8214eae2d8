import type { PageMeta } from '../api/ops';
import { useI18n } from '../i18n';

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
