import { LoginCard } from '../../src/components/LoginCard';
import { useI18n } from '../../src/i18n';
import { login, type LoggedIn } from '../api/client';

/** A head-office user's login (`POST /api/v1/auth/login`); a refusal shows in words above the form. */
export function Login({ onLoggedIn, expired }: { onLoggedIn: (s: LoggedIn) => void; expired: boolean }) {
  const { t } = useI18n();
  return (
    <LoginCard
      title={t('hq.loginTitle')}
      subtitle={t('hq.loginSubtitle')}
      expired={expired}
      refreshes={false}
      login={async (username, password) => onLoggedIn(await login(username, password))}
    />
  );
}
