import type { ReactNode } from 'react';
import { useI18n } from '../i18n';
import { useAction } from '../lib/queries';
import { useFormValues } from '../lib/useFormValues';
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
  const { values: f, field } = useFormValues({ username: '', password: '' });
  const action = useAction(() => login(f.username.trim(), f.password), { refreshes });
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
          <TextField {...field('username')} label={t('login.username')} autoComplete="username" autoCapitalize="none" />
          <TextField {...field('password')} label={t('login.password')} type="password" autoComplete="current-password" />
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
