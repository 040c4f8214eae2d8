// Hash routes (`#/bookings/ID?x=1`) through React Router's hash router: they
// work the same in the desktop shell (files, a custom protocol) and behind
// `loket serve`. The route table itself is `src/routes.tsx`.
import { useLocation, useParams } from 'react-router';

/** Where the user is: the path, its `:params` and the query string. */
export interface Route {
  path: string;
  params: Readonly<Record<string, string | undefined>>;
  query: URLSearchParams;
}

export function useRoute(): Route {
  const location = useLocation();
  const params = useParams();
  return { path: location.pathname, params, query: new URLSearchParams(location.search) };
}

type Navigator = (to: string) => unknown;
let navigator: Navigator | null = null;

/** Called once by the app with its router's `navigate`. */
export function setNavigator(fn: Navigator | null): void {
  navigator = fn;
}

/** Goes to `to` (`/bookings/ID?x=1`, with or without the leading `#`). */
export function navigate(to: string): void {
  const path = to.replace(/^#/, '');
  if (navigator) void navigator(path);
  else window.location.hash = `#${path}`;
}

/** `href` for a link to `path` with optional query values (empty ones dropped). */
export function href(path: string, query?: Record<string, string | number | boolean | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== null && v !== undefined && v !== '' && v !== false) q.set(k, String(v));
  }
  const s = q.toString();
  return `#${path}${s ? `?${s}` : ''}`;
}

/**
 * A list screen's filters kept in the address (`#/messages?status=failed&page=2`):
 * the values of `keys` ('' when absent); `set`, which goes to `path` with
 * some of them changed and back to the first page; and `filter(key)`, a
 * filter select's name, value and change for one of them.
 */
export function addressFilters<K extends string>(route: Route, path: string, keys: readonly K[]) {
  const values = Object.fromEntries(keys.map((k) => [k, route.query.get(k) ?? ''])) as Record<K | 'page', string>;
  const set = (patch: Partial<Record<K | 'page', string>>) => navigate(href(path, { ...values, page: '', ...patch }));
  const filter = (k: K) => ({
    name: k,
    value: values[k],
    onChange: (v: string) => set({ [k]: v } as Partial<Record<K | 'page', string>>),
  });
  return [values, set, filter] as const;
}
