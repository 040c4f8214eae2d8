import { useI18n } from '../i18n';
import { Button } from './Button';
import { SaveButton } from './SaveButton';

/** The footer of a modal edit form: Cancel closes it, the primary submit saves (showing "Saving…" while busy). */
export function FormActions({ onCancel, busy, span2 }: { onCancel: () => void; busy: boolean; span2?: boolean }) {
  const { t } = useI18n();
  return (
    <div className={`form-actions${span2 ? ' span-2' : ''}`}>
      <Button onClick={onCancel}>{t('common.cancel')}</Button>
      <SaveButton busy={busy} />
    </div>
  );
}
