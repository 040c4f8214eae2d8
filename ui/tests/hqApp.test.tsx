// Head office's page in jsdom with a stand-in for loket-hq (fetch stubbed):
// the login (a refusal in words), Cabang's markers from the branches' sync
// state, and an expired token sending the user back to the login.
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../hq/App';
import { saveSession } from '../hq/api/client';

(globalThis as unknown as { IS_REACT_ACT_ENVIRONMENT: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const HOUR = 3_600_000;
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const branch = (name: string, pushedAgo: number | null, extra: Record<string, unknown> = {}) => ({
  id: `id-${name}`,
  name,
  revoked: false,
  last_seq: 10,
  last_push_at: pushedAgo === null ? null : new Date(Date.now() - pushedAgo).toISOString(),
  head_seq: pushedAgo === null ? null : 10,
  behind_changes: pushedAgo === null ? null : 0,
  behind_seconds: pushedAgo === null ? null : 0,
  oldest_unsent_at: null,
  rows: 3,
  rejections: 0,
  ...extra,
});

const BRANCHES = [
  branch('Bandung', 60_000),
  branch('Medan', 2 * HOUR),
  branch('Surabaya', 3 * 24 * HOUR),
  branch('Solo', 60_000, { behind_changes: 4, behind_seconds: 30 * 3600, rejections: 2 }),
  branch('Bogor', null),
];

let root: Root | null = null;
let host: HTMLElement | null = null;

afterEach(() => {
  act(() => root?.unmount());
  host?.remove();
  saveSession(null);
  vi.unstubAllGlobals();
  window.location.hash = '';
});

async function render() {
  host = document.createElement('div');
  document.body.append(host);
  root = createRoot(host);
  await act(async () => root!.render(<App />));
}

async function until(check: () => boolean, what: string) {
  for (let i = 0; i < 100; i++) {
    if (check()) return;
    await act(async () => new Promise((r) => setTimeout(r, 10)));
  }
  throw new Error(`never: ${what}\n${host?.innerHTML}`);
}

function type(name: string, value: string) {
  const input = host!.querySelector<HTMLInputElement>(`input[name="${name}"]`)!;
  Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, value);
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

async function submit() {
  await act(async () => host!.querySelector<HTMLButtonElement>('button[type="submit"]')!.click());
}

const text = () => host?.textContent ?? '';

describe("head office's page", () => {
  it('a wrong password in words; then Cabang marks each branch healthy, late, stale or never synced', async () => {
    const seen: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        seen.push(url);
        if (url === '/api/v1/auth/login') {
          const { password } = JSON.parse(String(init?.body));
          return password === 'right'
            ? json(200, { token: 'tok', user: { id: 'u', username: 'pusat', role: 'hq_admin' } })
            : json(401, { error: { code: 'login_failed', message: 'wrong username or password', field: null } });
        }
        expect((init?.headers as Record<string, string>).Authorization).toBe('Bearer tok');
        if (url.startsWith('/api/v1/branches')) {
          return json(200, { data: BRANCHES, meta: { page: 1, page_size: 50, page_count: 1, total: BRANCHES.length } });
        }
        throw new Error(`unexpected ${url}`);
      }),
    );
    await render();
    type('username', 'pusat');
    type('password', 'wrong');
    await submit();
    await until(() => text().includes('Nama pengguna atau kata sandi salah.'), 'the refusal');
    expect(text()).not.toContain('{"');

    type('password', 'right');
    await submit();
    await until(() => host!.querySelectorAll('[data-testid="branches"] tbody tr').length === 5, 'the branches');
    const health = (name: string) =>
      host!.querySelector(`tr[data-branch="${name}"] [data-testid="health"]`)!.getAttribute('data-health');
    expect(health('Bandung')).toBe('healthy');
    expect(health('Medan')).toBe('late');
    expect(health('Surabaya')).toBe('stale');
    // pushed a minute ago, but its oldest unsent change is 30 hours old
    expect(health('Solo')).toBe('stale');
    expect(health('Bogor')).toBe('never');
    const solo = host!.querySelector('tr[data-branch="Solo"]')!;
    expect(solo.querySelector('[data-testid="behind-changes"]')!.textContent).toBe('4');
    expect(solo.querySelector('[data-testid="behind-time"]')!.textContent).toBe('1 hari');
    expect(solo.querySelector('[data-testid="rejections"]')!.textContent).toBe('2');
    expect(host!.querySelector('tr[data-branch="Bogor"] [data-testid="last-push"]')!.textContent).toBe('Belum pernah');
    expect(text()).toContain('Admin kantor pusat');
    expect(seen).toContain('/api/v1/branches?page=1&page_size=50');
  });

  it('an expired token (401) goes back to the login, saying the session ended', async () => {
    saveSession({ token: 'old', user: { id: 'u', username: 'pusat', role: 'hq_viewer' } });
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => json(401, { error: { code: 'unauthorized', message: 'log in again', field: null } })),
    );
    await render();
    await until(() => text().includes('Sesi Anda berakhir. Silakan masuk lagi.'), 'the login again');
    expect(host!.querySelector('input[name="username"]')).not.toBeNull();
  });
});
