import { useI18n } from '../i18n';

export function Empty({ text }: { text?: string }) {
  const { t } = useI18n();
  return <div className="empty">{text ?? t('common.empty')}</div>;
}
