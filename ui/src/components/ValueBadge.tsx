import { useI18n } from '../i18n';
import { Badge } from './Badge';

// The badge's CSS class prefix for each group of API values (styles.css colours them).
const CLASS_PREFIX = { segment: 'seg', status: 'status', payment: 'pay', unitStatus: 'unit' } as const;

/** An API value (a booking status, a segment…) as a coloured badge in the user's words. */
export function ValueBadge({ of, value }: { of: keyof typeof CLASS_PREFIX; value: string }) {
  const { tv } = useI18n();
  return <Badge kind={`${CLASS_PREFIX[of]}-${value}`}>{tv(of, value)}</Badge>;
}
