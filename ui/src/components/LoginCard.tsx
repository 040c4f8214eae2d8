import { useState, type ReactNode } from 'react';
import { useI18n } from '../i18n';
import { useAction } from '../lib/queries';
import { Button } from './Button';
import { Form } from './Form';
import { LanguageSwitch } from './LanguageSwitch';
import { TextField } from './TextField';

/**
 * The login page of the desk and of head office: the brand, a note when the
 * session ran out, username and password, and a refusal in words above the
 * form. `children` come below the form (the desk's first-start restore).
 */
export function LoginCard({
  title,
  subtitle,
  expired,
  login,
  refreshes = true,
  children,
}: {
  title: string;
  subtitle: string;
  expired: boolean;
  login: (username: string, password: string) => Promise<unknown>;
  /** Whether a successful login refetches every query (the desk's do). */
  refreshes?: boolean;
  children?: ReactNode;
}) {
  const { t } = useI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction(() => login(username.trim(), password), { refreshes });
  return (
    <div className="login-page">
      <div className="login-card">
        <div className="login-brand">
          <span className="logo">L</span>
          <div>
            <h1>{title}</h1>
            <div className="subtitle">{subtitle}</div>
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
        {children}
        <div className="login-foot">
          <LanguageSwitch />
        </div>
      </div>
    </div>
  );
}
