import { useI18n } from '../i18n';
import { Badge } from './Badge';

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
