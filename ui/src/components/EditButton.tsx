import { useI18n } from '../i18n';
import { Button } from './Button';

/** "✎ Edit" in a row of a list: opens that row's editor. */
export function EditButton({ onClick }: { onClick: () => void }) {
  const { t } = useI18n();
  return (
    <Button kind="ghost" onClick={onClick}>
      ✎ {t('common.edit')}
    </Button>
  );
}
