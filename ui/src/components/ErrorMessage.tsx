import { useI18n } from '../i18n';
import { errorText } from '../i18n/errors';
import { ErrorBanner } from './ErrorBanner';

/** The readable form of any error from the core (never raw JSON). */
export function ErrorMessage({ error }: { error: unknown }) {
  const { lang } = useI18n();
  if (!error) return null;
  return <ErrorBanner text={errorText(error, lang)} />;
}
