import { useLayoutEffect, useMemo, useState } from 'react';
import { QueryClientProvider } from '@tanstack/react-query';
import { Outlet, RouterProvider, createHashRouter, useRouteError, type RouteObject } from 'react-router';
import { Button } from './components/Button';
import { ChangePasswordDialog } from './components/ChangePasswordDialog';
import { ErrorBoundary } from './components/ErrorBoundary';
import { LanguageSwitch } from './components/LanguageSwitch';
import { StatusBanner } from './components/StatusBanner';
import { SyncIndicator } from './components/SyncIndicator';
import { Loading } from './components/Loading';
import { anyDialogOpen } from './components/Modal';
import { I18nProvider, useI18n } from './i18n';
import { errorText } from './i18n/errors';
import { queryClient } from './lib/queries';
import { navigate, setNavigator, useRoute } from './lib/router';
import { ROUTES, activeNavPath, navItems, type AppRoute } from './routes';
import { Login } from './screens/Login';
import { SessionProvider, ToastProvider, useSession, useToast } from './session';

/** One route's screen, or the "not allowed" banner for a role without its permission. */
function RouteScreen({ entry }: { entry: AppRoute }) {
  const { t } = useI18n();
  const { can } = useSession();
  const route = useRoute();
  if (entry.permission && !can(entry.permission)) {
    return <div className="banner banner-error">{t('app.forbiddenScreen')}</div>;
  }
  const Screen = entry.screen;
  return <Screen key={entry.remountKey?.(route)} route={route} />;
}

function NotFound() {
  const { t } = useI18n();
  return <div className="empty">{t('app.notFound')}</div>;
}

function isTyping(el: Element | null): boolean {
  if (!el) return false;
  const tag = el.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || (el as HTMLElement).isContentEditable;
}

/** Alt+N (or N when not typing): new booking. `/`: focus the screen's search box. */
function useShortcuts() {
  // A layout effect: the keys work as soon as the screen is shown.
  useLayoutEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey) return;
      const typing = isTyping(document.activeElement);
      if ((e.altKey && e.code === 'KeyN') || (!typing && !e.altKey && e.key.toLowerCase() === 'n' && !anyDialogOpen())) {
        e.preventDefault();
        navigate('/bookings/new');
        return;
      }
      if (e.key === '/' && !typing && !e.altKey) {
        const box = document.querySelector<HTMLElement>('[data-search]');
        e.preventDefault();
        if (box) box.focus();
        else navigate('/customers');
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

function Shell() {
  const { t, tv } = useI18n();
  const { user, logout, can, settings } = useSession();
  const route = useRoute();
  useShortcuts();
  const items = useMemo(() => navItems(can), [can]);
  const active = activeNavPath(route.path, items);
  const [changingPassword, setChangingPassword] = useState(false);
  const toast = useToast();
  return (
    <div className="shell">
      <aside className="sidebar no-print">
        <div className="brand">
          <span className="logo">L</span>
          <span className="brand-name">{settings.business_name || 'Loket'}</span>
        </div>
        <nav aria-label="Menu">
          {items.map((n) => (
            <a
              key={n.to}
              href={`#${n.to}`}
              className={`nav-item${active === n.to ? ' active' : ''}${n.to === '/bookings/new' ? ' nav-new' : ''}`}
              aria-current={active === n.to ? 'page' : undefined}
            >
              <span className="nav-icon" aria-hidden="true">
                {n.icon}
              </span>
              {t(n.label)}
            </a>
          ))}
        </nav>
        <div className="shortcuts muted small">{t('app.shortcuts')}</div>
      </aside>
      <div className="main-col">
        <header className="topbar no-print">
          <div className="who" data-testid="who">
            <span className="muted">{t('app.loggedInAs')}</span> <strong>{user?.username}</strong>{' '}
            <span className="role-badge">{tv('role', user?.role)}</span>
          </div>
          <div className="topbar-right">
            <SyncIndicator />
            <LanguageSwitch />
            <Button kind="ghost" onClick={() => setChangingPassword(true)}>
              {t('app.changePassword')}
            </Button>
            <Button kind="ghost" onClick={() => void logout()}>
              {t('app.logout')}
            </Button>
          </div>
        </header>
        {changingPassword && (
          <ChangePasswordDialog
            onClose={() => setChangingPassword(false)}
            onSaved={() => {
              setChangingPassword(false);
              toast(t('password.changed'));
            }}
          />
        )}
        <main className="content">
          <StatusBanner />
          <ErrorBoundary resetKey={route.path} fallback={(e, reset) => <Crash error={e} reset={reset} />}>
            <Outlet />
          </ErrorBoundary>
        </main>
      </div>
    </div>
  );
}

function Crash({ error, reset }: { error: unknown; reset: () => void }) {
  const { t, lang } = useI18n();
  return (
    <div className="crash" role="alert">
      <h1>{t('app.crashed')}</h1>
      <p>{t('app.crashedHint')}</p>
      <p className="muted small">{errorText(error, lang)}</p>
      <div className="form-actions">
        <Button kind="primary" onClick={reset}>
          {t('app.tryAgain')}
        </Button>
        <Button
          onClick={() => {
            navigate('/');
            reset();
          }}
        >
          {t('nav.today')}
        </Button>
      </div>
    </div>
  );
}

/** The frame of every route: the login page until someone is logged in, then the shell. */
function Root() {
  const { user, ready } = useSession();
  if (!ready) return <Loading />;
  if (!user) return <Login />;
  return <Shell />;
}

/** A failure React Router caught outside a screen (the shell itself). */
function RouterCrash() {
  return <Crash error={useRouteError()} reset={() => navigate('/')} />;
}

const routeObjects: RouteObject[] = [
  {
    path: '/',
    element: <Root />,
    errorElement: <RouterCrash />,
    children: [
      ...ROUTES.map((r) =>
        r.path === '/'
          ? { index: true, element: <RouteScreen entry={r} /> }
          : { path: r.path, element: <RouteScreen entry={r} /> },
      ),
      { path: '*', element: <NotFound /> },
    ],
  },
];

const router = createHashRouter(routeObjects);
setNavigator((to) => router.navigate(to));

export function App() {
  return (
    <I18nProvider>
      <ErrorBoundary fallback={(e, reset) => <Crash error={e} reset={reset} />}>
        <ToastProvider>
          <SessionProvider>
            <QueryClientProvider client={queryClient}>
              <RouterProvider router={router} />
            </QueryClientProvider>
          </SessionProvider>
        </ToastProvider>
      </ErrorBoundary>
    </I18nProvider>
  );
}
