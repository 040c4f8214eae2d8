import { useI18n } from '../i18n';
import { Badge } from './Badge';

/** "Active" / "Inactive" for a record that can be switched off. */
export function ActiveBadge({ active }: { active: boolean }) {
  const { t } = useI18n();
  return active ? <Badge kind="ok">{t('common.active')}</Badge> : <Badge kind="off">{t('common.inactive')}</Badge>;
}
