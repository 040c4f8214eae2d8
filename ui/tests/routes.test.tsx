import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { matchRoutes } from 'react-router';
import { afterEach, describe, expect, it } from 'vitest';
import type { OpName } from '../src/api/ops';
import { setToken, setTransport, type Transport } from '../src/api/transport';
import type { Permission } from '../src/lib/permissions';
import { ROUTES, activeNavPath, linkPath, navItems } from '../src/routes';

(globalThis as unknown as { IS_REACT_ACT_ENVIRONMENT: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const grant = (...granted: Permission[]) => (p: Permission) => granted.includes(p);

describe('route table', () => {
  it('draws the navigation from the labelled routes, in table order', () => {
    const all = navItems(() => true);
    expect(all.map((n) => n.to)).toEqual([
      '/',
      '/bookings',
      '/bookings/new',
      '/customers',
      '/vehicles',
      '/units',
      '/services',
      '/providers',
      '/schedule',
      '/messages',
      '/report',
      '/templates',
      '/gateway',
      '/sync',
      '/settings',
      '/staff',
      '/users',
    ]);
    expect(all.find((n) => n.to === '/report')).toMatchObject({ label: 'nav.report', icon: '▥' });
  });

  it('leaves out the entries whose permission the role lacks', () => {
    const frontDesk = navItems(grant('messages.read')).map((n) => n.to);
    expect(frontDesk).toContain('/messages');
    expect(frontDesk).toContain('/staff'); // no permission needed to read staff
    for (const hidden of ['/report', '/templates', '/gateway', '/settings', '/users']) {
      expect(frontDesk).not.toContain(hidden);
    }
    // a permission written once in the table hides exactly the routes that name it
    const withoutConfigure = navItems((p) => p !== 'messaging.configure').map((n) => n.to);
    expect(navItems(() => true).length - withoutConfigure.length).toBe(2);
    expect(withoutConfigure).not.toContain('/templates');
    expect(withoutConfigure).not.toContain('/gateway');
  });

  it('links every entry to a path its own route matches', () => {
    const objects = ROUTES.map((r) => ({ path: r.path, id: r.path }));
    for (const n of navItems(() => true)) {
      const m = matchRoutes(objects, n.to);
      expect(m?.[0].route.id, n.to).toBe(ROUTES.find((r) => linkPath(r.path) === n.to)?.path);
    }
    // details go to their own routes, not to the list's
    expect(matchRoutes(objects, '/bookings/abc')?.[0].params).toEqual({ id: 'abc' });
    expect(matchRoutes(objects, '/bookings/new')?.[0].route.id).toBe('/bookings/new');
    expect(matchRoutes(objects, '/units/u1')?.[0].route.id).toBe('/units/:id?');
  });

  it('lights the entry of a detail screen’s list', () => {
    const items = navItems(() => true);
    expect(activeNavPath('/', items)).toBe('/');
    expect(activeNavPath('/bookings/new', items)).toBe('/bookings/new');
    expect(activeNavPath('/bookings/123', items)).toBe('/bookings');
    expect(activeNavPath('/units/u1', items)).toBe('/units');
  });
});

describe('the app with a role that lacks a permission', () => {
  let root: Root | null = null;
  let host: HTMLElement | null = null;
  afterEach(() => {
    act(() => root?.unmount());
    host?.remove();
    setTransport(null);
    setToken(null);
  });

  it('hides the entry and shows the forbidden screen at its address', async () => {
    const permissions: Permission[] = ['bookings.read', 'messages.read', 'staff.read'];
    const fake: Transport = {
      kind: 'http',
      async call(name: OpName) {
        if (name === 'auth.me') {
          return { id: 'u1', username: 'desk', role: 'front_desk', active: true, permissions } as never;
        }
        if (name === 'settings.get') return { time_zone: 'Asia/Jakarta' } as never;
        return { data: [], meta: { page: 1, page_size: 25, page_count: 0, total: 0 } } as never;
      },
    };
    setTransport(fake);
    setToken('tok');
    localStorage.setItem('loket.lang', 'en');
    window.location.hash = '#/report';
    const { App } = await import('../src/App');
    host = document.createElement('div');
    document.body.append(host);
    root = createRoot(host);
    await act(async () => root!.render(<App />));
    await act(async () => new Promise((r) => setTimeout(r, 20)));

    const links = [...host.querySelectorAll('nav a')].map((a) => a.getAttribute('href'));
    expect(links).toContain('#/messages');
    expect(links).not.toContain('#/report');
    expect(host.querySelector('.banner-error')?.textContent).toBe(
      'Your role may not open this screen.',
    );

    // an allowed screen at the next address, with its entry lit
    await act(async () => {
      window.location.hash = '#/staff';
      await new Promise((r) => setTimeout(r, 20));
    });
    expect(host.querySelector('.banner-error')).toBeNull();
    expect(host.querySelector('nav a[aria-current="page"]')?.getAttribute('href')).toBe('#/staff');
  });
});
