// Over every screen: the database is damaged (Loket saves nothing until a
// backup is restored) or still being checked after start.
import { useI18n } from '../i18n';
import { statusBanner } from '../lib/dataSafety';
import { useOp } from '../lib/queries';

export function StatusBanner() {
  const { t } = useI18n();
  // Every minute: the daily check may find damage while the desk runs.
  const status = useOp('status.get', {}, { refetchInterval: 60_000 });
  const banner = statusBanner(status.data);
  if (!banner) return null;
  return (
    <div className={`banner banner-${banner.kind} no-print`} role={banner.kind === 'error' ? 'alert' : 'status'} data-testid="status-banner">
      {t(banner.key)}
    </div>
  );
}
