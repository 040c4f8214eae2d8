import type { Booking } from '../api/ops';
import { useI18n } from '../i18n';
import { Badge } from './Badge';

export function PriorityBadges({ b }: { b: Pick<Booking, 'urgency_level' | 'monetary_level'> }) {
  const { tv, t } = useI18n();
  return (
    <>
      <Badge kind={`urg-${b.urgency_level}`} title={t('bookings.urgency')}>
        {tv('urgency', b.urgency_level)}
      </Badge>
      <Badge kind={`mon-${b.monetary_level}`} title={t('bookings.monetary')}>
        {tv('monetary', b.monetary_level)}
      </Badge>
    </>
  );
}
