// The header's sync indicator, on every screen once sync is set up:
// "Disinkronkan 5 menit lalu", the changes waiting, and why the last attempt
// failed. A link to the sync screen. Not set up: nothing, or for an admin a
// quiet link to the sync settings.
import { useI18n } from '../i18n';
import { pendingText, syncIndicator } from '../lib/sync';
import { useNow } from '../lib/useNow';
import { useSyncStatus } from '../lib/useSyncStatus';
import { useSession } from '../session';

export function SyncIndicator() {
  const { t, lang } = useI18n();
  const { can } = useSession();
  const status = useSyncStatus();
  const now = useNow();
  if (!can('sync.read') || !status.data) return null;
  const ind = syncIndicator(status.data, now, lang);
  if (!ind) {
    return can('sync.configure') ? (
      <a className="sync-indicator sync-setup muted small" href="#/settings/sync" data-testid="sync-indicator">
        {t('sync.setUp')}
      </a>
    ) : null;
  }
  return (
    <a
      className={`sync-indicator sync-${ind.tone}`}
      href="#/sync"
      data-testid="sync-indicator"
      title={ind.error ?? undefined}
    >
      <span className="sync-dot" aria-hidden="true" />
      <span className="sync-text">
        <span className="sync-line">
          <span data-testid="sync-when">{ind.text}</span>
          {ind.pending > 0 && (
            <span className="sync-pending" data-testid="sync-pending">
              {' · '}
              {pendingText(ind.pending, lang)}
            </span>
          )}
        </span>
        {ind.error && (
          <span className="sync-error" data-testid="sync-error">
            {ind.error}
          </span>
        )}
      </span>
    </a>
  );
}
