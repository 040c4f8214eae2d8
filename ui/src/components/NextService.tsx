import type { Vehicle } from '../api/ops';
import { useI18n } from '../i18n';
import { formatDate } from '../lib/format';
import { useServiceDue } from '../lib/useServiceDue';
import { ServiceDueBadge } from './ServiceDueBadge';

/** The next service date of a vehicle, with "due soon" / "overdue" when it is. */
export function NextService({ v }: { v: Vehicle }) {
  const { lang } = useI18n();
  const { due } = useServiceDue();
  return (
    <span className="nowrap">
      {formatDate(v.next_service_at, lang)} <ServiceDueBadge due={due(v)} />
    </span>
  );
}
