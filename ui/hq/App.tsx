// Head office's page: a login as a head-office user, then its screens —
// Cabang, Booking, Pelanggan, Laporan, and WhatsApp for an hq_admin — on the
// desk's components, words and styles. `/book` is the public booking page
// (./book), in the same bundle. Routes live in the URL's hash (`#/booking`), so a refresh stays put.
import { useCallback, useEffect, useState, useSyncExternalStore, type ComponentType } from 'react';
import { QueryClientProvider } from '@tanstack/react-query';
import { Button } from '../src/components/Button';
import { LanguageSwitch } from '../src/components/LanguageSwitch';
import { I18nProvider, useI18n, type Key } from '../src/i18n';
import { makeQueryClient } from '../src/lib/queries';
import { onSessionLost, saveSession, savedSession, type LoggedIn } from './api/client';
import { Branches } from './screens/Branches';
import { Bookings } from './screens/Bookings';
import { Customers } from './screens/Customers';
import { Login } from './screens/Login';
import { Reports } from './screens/Reports';
import { WhatsApp } from './screens/WhatsApp';
import { BookingPage } from './book/BookingPage';
import { HqRole } from './lib/session';

interface Screen {
  path: string;
  label: Key;
  icon: string;
  screen: ComponentType;
  /** Only an hq_admin sees it (head office refuses the others anyway). */
  adminOnly?: boolean;
}

export const SCREENS: readonly Screen[] = [
  { path: '/cabang', label: 'hq.nav.branches', icon: '⌂', screen: Branches },
  { path: '/booking', label: 'hq.nav.bookings', icon: '▤', screen: Bookings },
  { path: '/pelanggan', label: 'hq.nav.customers', icon: '☺', screen: Customers },
  { path: '/laporan', label: 'hq.nav.reports', icon: '▥', screen: Reports },
  { path: '/whatsapp', label: 'hq.nav.whatsapp', icon: '✉', screen: WhatsApp, adminOnly: true },
];

function hashPath(): string {
  return window.location.hash.replace(/^#/, '') || '/cabang';
}

function useHashPath(): string {
  return useSyncExternalStore(
    (cb) => {
      window.addEventListener('hashchange', cb);
      return () => window.removeEventListener('hashchange', cb);
    },
    hashPath,
    () => '/cabang',
  );
}

const queryClient = makeQueryClient();

function Shell({ session, logout }: { session: LoggedIn; logout: () => void }) {
  const { t, tv } = useI18n();
  const path = useHashPath();
  const screens = SCREENS.filter((s) => !s.adminOnly || session.user.role === 'hq_admin');
  const current = screens.find((s) => s.path === path) ?? screens[0];
  const Screen = current.screen;
  useEffect(() => {
    document.title = `${t(current.label)} · ${t('hq.title')}`;
  }, [current, t]);
  return (
    <div className="shell">
      <aside className="sidebar no-print">
        <div className="brand">
          <span className="logo">L</span>
          <span className="brand-name">{t('hq.title')}</span>
        </div>
        <nav aria-label="Menu">
          {screens.map((s) => (
            <a
              key={s.path}
              href={`#${s.path}`}
              className={`nav-item${s === current ? ' active' : ''}`}
              aria-current={s === current ? 'page' : undefined}
            >
              <span className="nav-icon" aria-hidden="true">
                {s.icon}
              </span>
              {t(s.label)}
            </a>
          ))}
        </nav>
      </aside>
      <div className="main-col">
        <header className="topbar no-print">
          <div className="who" data-testid="who">
            <span className="muted">{t('app.loggedInAs')}</span> <strong>{session.user.username}</strong>{' '}
            <span className="role-badge">{tv('hq.role', session.user.role)}</span>
          </div>
          <div className="topbar-right">
            <LanguageSwitch />
            <Button kind="ghost" onClick={logout}>
              {t('app.logout')}
            </Button>
          </div>
        </header>
        <main className="content">
          <HqRole.Provider value={session.user.role}>
            <Screen key={current.path} />
          </HqRole.Provider>
        </main>
      </div>
    </div>
  );
}

function Root() {
  const [session, setSession] = useState<LoggedIn | null>(() => savedSession());
  const [expired, setExpired] = useState(false);
  useEffect(() => {
    onSessionLost(() => {
      queryClient.clear();
      setSession(null);
      setExpired(true);
    });
  }, []);
  const loggedIn = useCallback((s: LoggedIn) => {
    saveSession(s);
    setExpired(false);
    setSession(s);
  }, []);
  const logout = useCallback(() => {
    saveSession(null);
    queryClient.clear();
    setSession(null);
  }, []);
  if (!session) return <Login onLoggedIn={loggedIn} expired={expired} />;
  return <Shell session={session} logout={logout} />;
}

/** `/book…` is the public booking page (no login); anything else, the staff's page. */
export function App() {
  const publicPage = window.location.pathname === '/book' || window.location.pathname.startsWith('/book/');
  return (
    <I18nProvider>
      <QueryClientProvider client={queryClient}>{publicPage ? <BookingPage /> : <Root />}</QueryClientProvider>
    </I18nProvider>
  );
}
