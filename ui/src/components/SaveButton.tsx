import type { ReactNode } from 'react';
import { useI18n } from '../i18n';
import { Button } from './Button';

/** A form's primary submit: "Save" (or `children`), reading "Saving…" while busy. */
export function SaveButton({ busy, children }: { busy: boolean; children?: ReactNode }) {
  const { t } = useI18n();
  return (
    <Button type="submit" kind="primary" busy={busy} busyLabel={t('common.saving')}>
      {children ?? t('common.save')}
    </Button>
  );
}
