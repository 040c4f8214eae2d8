import { useState } from 'react';
import { Button } from '../../src/components/Button';
import { Form } from '../../src/components/Form';
import { LanguageSwitch } from '../../src/components/LanguageSwitch';
import { TextField } from '../../src/components/TextField';
import { useI18n } from '../../src/i18n';
import { useAction } from '../../src/lib/queries';
import { login, type LoggedIn } from '../api/client';

/** A head-office user's login (`POST /api/v1/auth/login`); a refusal shows in words above the form. */
export function Login({ onLoggedIn, expired }: { onLoggedIn: (s: LoggedIn) => void; expired: boolean }) {
  const { t } = useI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction(async () => onLoggedIn(await login(username.trim(), password)), { refreshes: false });
  return (
    <div className="login-page">
      <div className="login-card">
        <div className="login-brand">
          <span className="logo">L</span>
          <div>
            <h1>{t('hq.loginTitle')}</h1>
            <div className="subtitle">{t('hq.loginSubtitle')}</div>
          </div>
        </div>
        {expired && !action.error && <div className="banner banner-info">{t('login.expired')}</div>}
        <Form onSubmit={() => void action.run()} error={action.error}>
          <TextField
            name="username"
            label={t('login.username')}
            value={username}
            onChange={setUsername}
            autoComplete="username"
            autoCapitalize="none"
          />
          <TextField
            name="password"
            label={t('login.password')}
            type="password"
            value={password}
            onChange={setPassword}
            autoComplete="current-password"
          />
          <Button type="submit" kind="primary" busy={action.busy}>
            {t('login.submit')}
          </Button>
        </Form>
        <div className="login-foot">
          <LanguageSwitch />
        </div>
      </div>
    </div>
  );
}
