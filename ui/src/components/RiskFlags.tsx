import { useI18n } from '../i18n';
import { Badge } from './Badge';

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
