import type { Booking } from '../api/ops';
import { useI18n } from '../i18n';
import { Badge } from './ui';

export function SegmentBadge({ segment }: { segment: string }) {
  const { tv } = useI18n();
  return <Badge kind={`seg-${segment}`}>{tv('segment', segment)}</Badge>;
}

export function StatusBadge({ status }: { status: string }) {
  const { tv } = useI18n();
  return <Badge kind={`status-${status}`}>{tv('status', status)}</Badge>;
}

export function PaymentBadge({ status }: { status: string }) {
  const { tv } = useI18n();
  return <Badge kind={`pay-${status}`}>{tv('payment', status)}</Badge>;
}

export function UnitStatusBadge({ status }: { status: string }) {
  const { tv } = useI18n();
  return <Badge kind={`unit-${status}`}>{tv('unitStatus', status)}</Badge>;
}

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

export function RiskFlags({ flags }: { flags: string[] }) {
  const { tv } = useI18n();
  if (!flags.length) return null;
  return (
    <span className="risk-flags">
      {flags.map((f) => (
        <Badge key={f} kind={`risk risk-${f}`}>
          ⚠ {tv('risk', f)}
        </Badge>
      ))}
    </span>
  );
}

export function MessageStatusBadge({ status }: { status: string }) {
  const { tv } = useI18n();
  return (
    <span className={`badge badge-msg-${status}`} data-status={status}>
      {tv('messageStatus', status)}
    </span>
  );
}

/** "Service due soon" / "Service overdue" for a vehicle's next service date. */
export function ServiceDueBadge({ due }: { due: 'soon' | 'overdue' | null }) {
  const { t } = useI18n();
  if (!due) return null;
  return (
    <Badge kind={`due-${due}`}>
      {due === 'overdue' ? '⚠ ' : ''}
      {t(due === 'overdue' ? 'due.overdue' : 'due.soon')}
    </Badge>
  );
}
