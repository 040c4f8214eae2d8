import { useLayoutEffect, type ReactNode } from 'react';
import { Button, ErrorBoundary, Loading, anyDialogOpen } from './components/ui';
import { I18nProvider, useI18n, type Key } from './i18n';
import { errorText } from './i18n/errors';
import type { Permission } from './lib/permissions';
import { href, navigate, useRoute, type Route } from './lib/router';
import { SessionProvider, ToastProvider, useSession } from './session';
import { SettingsScreen, Users } from './screens/Admin';
import { BookingDetail } from './screens/BookingDetail';
import { BookingsList } from './screens/Bookings';
import { Providers, Services } from './screens/Catalog';
import { CustomerDetail, CustomersList } from './screens/Customers';
import { GatewayScreen } from './screens/Gateway';
import { LanguageSwitch } from './screens/LanguageSwitch';
import { Login } from './screens/Login';
import { MessageLog } from './screens/Messages';
import { NewBooking } from './screens/NewBooking';
import { WhatsAppReport } from './screens/Report';
import { Schedule } from './screens/Schedule';
import { StaffList } from './screens/Staff';
import { Templates } from './screens/Templates';
import { Today } from './screens/Today';
import { UnitsGrid } from './screens/Units';
import { VehiclesList } from './screens/Vehicles';

interface NavItem {
  path: string;
  label: Key;
  icon: string;
  needs?: Permission;
}

const NAV: NavItem[] = [
  { path: '/', label: 'nav.today', icon: '★' },
  { path: '/bookings', label: 'nav.bookings', icon: '☰' },
  { path: '/bookings/new', label: 'nav.newBooking', icon: '+' },
  { path: '/customers', label: 'nav.customers', icon: '☺' },
  { path: '/vehicles', label: 'nav.vehicles', icon: '⚒' },
  { path: '/units', label: 'nav.units', icon: '▦' },
  { path: '/services', label: 'nav.services', icon: '✂' },
  { path: '/providers', label: 'nav.providers', icon: '⚑' },
  { path: '/schedule', label: 'nav.schedule', icon: '▤' },
  { path: '/messages', label: 'nav.messages', icon: '✉', needs: 'messages.read' },
  { path: '/report', label: 'nav.report', icon: '▥', needs: 'report.read' },
  { path: '/templates', label: 'nav.templates', icon: '✎', needs: 'messaging.configure' },
  { path: '/gateway', label: 'nav.gateway', icon: '⇄', needs: 'messaging.configure' },
  { path: '/settings', label: 'nav.settings', icon: '⚙', needs: 'settings.write' },
  // every role may read staff (StaffRead); only 'staff.write' may change them
  { path: '/staff', label: 'nav.staff', icon: '☷' },
  { path: '/users', label: 'nav.users', icon: '⚇', needs: 'users.manage' },
];

function activeNav(route: Route): string {
  if (route.path === '/bookings/new') return '/bookings/new';
  const first = route.segments[0];
  return first ? `/${first}` : '/';
}

function Screen({ route }: { route: Route }) {
  const { t } = useI18n();
  const { can } = useSession();
  const [first, second] = route.segments;
  switch (first) {
    case undefined:
      return <Today route={route} />;
    case 'bookings':
      if (second === 'new') return <NewBooking key={route.query.toString()} route={route} />;
      if (second) return <BookingDetail key={second} id={second} />;
      return <BookingsList route={route} />;
    case 'customers':
      return second ? <CustomerDetail key={second} id={second} /> : <CustomersList route={route} />;
    case 'units':
      return <UnitsGrid route={route} />;
    case 'services':
      return <Services />;
    case 'providers':
      return <Providers />;
    case 'schedule':
      return <Schedule route={route} />;
    case 'vehicles':
      return <VehiclesList route={route} />;
    case 'staff':
      return <StaffList route={route} />;
    case 'messages':
      return can('messages.read') ? <MessageLog route={route} /> : <div className="banner banner-error">{t('app.forbiddenScreen')}</div>;
    case 'report':
      return can('report.read') ? <WhatsAppReport route={route} /> : <div className="banner banner-error">{t('app.forbiddenScreen')}</div>;
    case 'templates':
      return can('messaging.configure') ? <Templates route={route} /> : <div className="banner banner-error">{t('app.forbiddenScreen')}</div>;
    case 'gateway':
      return can('messaging.configure') ? <GatewayScreen /> : <div className="banner banner-error">{t('app.forbiddenScreen')}</div>;
    case 'settings':
      return can('settings.write') ? <SettingsScreen /> : <div className="banner banner-error">{t('app.forbiddenScreen')}</div>;
    case 'users':
      return can('users.manage') ? <Users /> : <div className="banner banner-error">{t('app.forbiddenScreen')}</div>;
    default:
      return <div className="empty">{t('app.notFound')}</div>;
  }
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

function Shell({ children, route }: { children: ReactNode; route: Route }) {
  const { t, tv } = useI18n();
  const { user, logout, can, settings } = useSession();
  useShortcuts();
  const active = activeNav(route);
  return (
    <div className="shell">
      <aside className="sidebar no-print">
        <div className="brand">
          <span className="logo">L</span>
          <span className="brand-name">{settings.business_name || 'Loket'}</span>
        </div>
        <nav aria-label="Menu">
          {NAV.filter((n) => !n.needs || can(n.needs)).map((n) => (
            <a
              key={n.path}
              href={href(n.path)}
              className={`nav-item${active === n.path ? ' active' : ''}${n.path === '/bookings/new' ? ' nav-new' : ''}`}
              aria-current={active === n.path ? 'page' : undefined}
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
            <LanguageSwitch />
            <Button kind="ghost" onClick={() => void logout()}>
              {t('app.logout')}
            </Button>
          </div>
        </header>
        <main className="content">{children}</main>
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

function Root() {
  const { user, ready } = useSession();
  const route = useRoute();
  if (!ready) return <Loading />;
  if (!user) return <Login />;
  return (
    <Shell route={route}>
      <ErrorBoundary resetKey={route.path} fallback={(e, reset) => <Crash error={e} reset={reset} />}>
        <Screen route={route} />
      </ErrorBoundary>
    </Shell>
  );
}

export function App() {
  return (
    <I18nProvider>
      <ErrorBoundary fallback={(e, reset) => <Crash error={e} reset={reset} />}>
        <ToastProvider>
          <SessionProvider>
            <Root />
          </SessionProvider>
        </ToastProvider>
      </ErrorBoundary>
    </I18nProvider>
  );
}
