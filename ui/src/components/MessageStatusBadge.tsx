import { useI18n } from '../i18n';

export function MessageStatusBadge({ status }: { status: string }) {
  const { tv } = useI18n();
  return (
    <span className={`badge badge-msg-${status}`} data-status={status}>
      {tv('messageStatus', status)}
    </span>
  );
}
