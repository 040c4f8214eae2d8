// Who is logged in, the business settings (time zone) and toasts.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Settings, User } from './api/ops';
import { call, getToken, onUnauthorized, setToken } from './api/transport';
import { DEFAULT_TZ } from './lib/format';
import { can, type Permission } from './lib/permissions';
import { queryClient } from './lib/queries';
import { navigate } from './lib/router';

interface Session {
  user: User | null;
  settings: Partial<Settings>;
  tz: string;
  ready: boolean;
  expired: boolean;
  login: (username: string, password: string) => Promise<void>;
  logout: () => Promise<void>;
  setSettings: (s: Settings) => void;
  can: (p: Permission) => boolean;
}

const SessionCtx = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null>(null);
  // What the user's role may do, as the core lists it at login and in auth.me.
  const [permissions, setPermissions] = useState<Permission[]>([]);
  const [settings, setSettings] = useState<Partial<Settings>>({});
  const [ready, setReady] = useState(false);
  const [expired, setExpired] = useState(false);

  const loadSettings = useCallback(async () => {
    try {
      setSettings(await call('settings.get', {}));
    } catch {
      // defaults (Asia/Jakarta) until it can be read
    }
  }, []);

  useEffect(() => {
    const off = onUnauthorized(() => {
      setUser(null);
      setPermissions([]);
      setExpired(true);
    });
    (async () => {
      if (getToken()) {
        try {
          const me = await call('auth.me', {});
          setPermissions(me.permissions);
          setUser(me);
          await loadSettings();
        } catch {
          setToken(null);
        }
      }
      setReady(true);
    })();
    return off;
  }, [loadSettings]);

  const login = useCallback(
    async (username: string, password: string) => {
      const out = await call('auth.login', { username, password });
      setToken(out.token);
      queryClient.clear();
      setExpired(false);
      await loadSettings();
      setPermissions(out.permissions);
      setUser(out.user);
    },
    [loadSettings],
  );

  const logout = useCallback(async () => {
    try {
      await call('auth.logout', {});
    } catch {
      // the session is dropped locally either way
    }
    setToken(null);
    queryClient.clear();
    setUser(null);
    setPermissions([]);
    setExpired(false);
    navigate('/');
  }, []);

  const value = useMemo<Session>(
    () => ({
      user,
      settings,
      tz: settings.time_zone || DEFAULT_TZ,
      ready,
      expired,
      login,
      logout,
      setSettings,
      can: (p) => !!user && can(permissions, p),
    }),
    [user, permissions, settings, ready, expired, login, logout],
  );
  return <SessionCtx.Provider value={value}>{children}</SessionCtx.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionCtx);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

// ---- toasts ----------------------------------------------------------------

interface Toast {
  id: number;
  text: string;
  kind: 'ok' | 'error';
}
const ToastCtx = createContext<(text: string, kind?: 'ok' | 'error') => void>(() => {});

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const push = useCallback((text: string, kind: 'ok' | 'error' = 'ok') => {
    const id = Date.now() + Math.random();
    setToasts((t) => [...t, { id, text, kind }]);
    setTimeout(() => setToasts((t) => t.filter((x) => x.id !== id)), kind === 'ok' ? 4000 : 8000);
  }, []);
  return (
    <ToastCtx.Provider value={push}>
      {children}
      <div className="toasts no-print" role="status" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} className={`toast toast-${t.kind}`}>
            {t.text}
          </div>
        ))}
      </div>
    </ToastCtx.Provider>
  );
}

export function useToast() {
  return useContext(ToastCtx);
}
