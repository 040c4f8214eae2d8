import { useState } from 'react';
import { Button } from '../components/Button';
import { FirstStartRestore } from '../components/FirstStartRestore';
import { Form } from '../components/Form';
import { LanguageSwitch } from '../components/LanguageSwitch';
import { TextField } from '../components/TextField';
import { useI18n } from '../i18n';
import { useAction } from '../lib/queries';
import { useSession } from '../session';

export function Login() {
  const { t } = useI18n();
  const { login, expired } = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction(() => login(username.trim(), password));
  return (
    <div className="login-page">
      <div className="login-card">
        <div className="login-brand">
          <span className="logo">L</span>
          <div>
            <h1>{t('login.title')}</h1>
            <div className="subtitle">{t('login.subtitle')}</div>
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
        <FirstStartRestore />
        <div className="login-foot">
          <LanguageSwitch />
        </div>
      </div>
    </div>
  );
}
