import { useI18n } from '../i18n';
import { Spinner } from './Spinner';

export function Loading() {
  const { t } = useI18n();
  return (
    <div className="loading">
      <Spinner label={t('common.loading')} />
    </div>
  );
}
