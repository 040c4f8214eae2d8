import { FirstStartRestore } from '../components/FirstStartRestore';
import { LoginCard } from '../components/LoginCard';
import { useI18n } from '../i18n';
import { useSession } from '../session';

export function Login() {
  const { t } = useI18n();
  const { login, expired } = useSession();
  return (
    <LoginCard title={t('login.title')} subtitle={t('login.subtitle')} expired={expired} login={login}>
      <FirstStartRestore />
    </LoginCard>
  );
}
