import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { QueryClientProvider } from '@tanstack/react-query';
import { afterEach, describe, expect, it } from 'vitest';
import type { OpName } from '../src/api/ops';
import { ApiError, setToken, setTransport, type Transport } from '../src/api/transport';
import { SyncIndicator } from '../src/components/SyncIndicator';
import { I18nProvider } from '../src/i18n';
import { makeQueryClient } from '../src/lib/queries';
import type { SyncStatus } from '../src/lib/sync';
import { SyncScreen } from '../src/screens/SyncScreen';
import { SessionProvider } from '../src/session';

(globalThis as unknown as { IS_REACT_ACT_ENVIRONMENT: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const MIN = 60_000;
const TOKEN_REFUSED =
  "head office refused this branch's token (wrong or revoked); ask head office for a new token and save it in the sync settings. Nothing queued is lost";

const status = (s: Partial<SyncStatus> = {}): SyncStatus => ({
  configured: true,
  branch_id: 'b1',
  branch_name: 'Cabang Bandung',
  last_success_at: null,
  last_attempt_at: null,
  last_error: null,
  pending_changes: 0,
  running: false,
  ...s,
});

describe('SyncIndicator in the header', () => {
  let root: Root | null = null;
  let host: HTMLElement | null = null;
  afterEach(() => {
    act(() => root?.unmount());
    host?.remove();
    setTransport(null);
    setToken(null);
  });

  async function render(answer: SyncStatus, permissions: string[]) {
    const fake: Transport = {
      kind: 'http',
      async call(name: OpName) {
        if (name === 'auth.me') return { id: 'u1', username: 'a', role: 'admin', active: true, permissions } as never;
        if (name === 'settings.get') return { time_zone: 'Asia/Jakarta' } as never;
        if (name === 'sync.status') return answer as never;
        throw new Error(`unexpected ${name}`);
      },
    };
    setTransport(fake);
    setToken('tok');
    host = document.createElement('div');
    document.body.append(host);
    root = createRoot(host);
    await act(async () =>
      root!.render(
        <I18nProvider lang="id">
          <SessionProvider>
            <QueryClientProvider client={makeQueryClient()}>
              <SyncIndicator />
            </QueryClientProvider>
          </SessionProvider>
        </I18nProvider>,
      ),
    );
    await act(async () => new Promise((r) => setTimeout(r, 20)));
    return host;
  }

  it('says when it last synced and what waits, linking to the sync screen', async () => {
    const h = await render(
      status({ last_success_at: new Date(Date.now() - 5 * MIN).toISOString(), last_attempt_at: null, pending_changes: 3 }),
      ['sync.read'],
    );
    const link = h.querySelector('[data-testid="sync-indicator"]')!;
    expect(link.getAttribute('href')).toBe('#/sync');
    expect(link.textContent).toBe('Disinkronkan 5 menit lalu · 3 perubahan menunggu');
  });

  it('offers an admin a quiet link to set sync up, and says nothing to others', async () => {
    let h = await render(status({ configured: false }), ['sync.read', 'sync.configure']);
    expect(h.querySelector('[data-testid="sync-indicator"]')?.textContent).toBe('Atur sinkronisasi');
    expect(h.querySelector('[data-testid="sync-indicator"]')?.getAttribute('href')).toBe('#/settings/sync');
    act(() => root?.unmount());
    host?.remove();
    h = await render(status({ configured: false }), ['sync.read']);
    expect(h.querySelector('[data-testid="sync-indicator"]')).toBeNull();
  });
});

describe('SyncScreen: Sync now', () => {
  let root: Root | null = null;
  let host: HTMLElement | null = null;
  afterEach(() => {
    act(() => root?.unmount());
    host?.remove();
    setTransport(null);
    setToken(null);
  });

  /** The sync screen for an admin, `sync.run` answering `run`; after a click on Sync now. */
  async function syncNow(run: () => Promise<unknown>, lang: 'id' | 'en' = 'id') {
    let current = status({ last_success_at: new Date(Date.now() - 60 * MIN).toISOString(), pending_changes: 2 });
    const fake: Transport = {
      kind: 'http',
      async call(name: OpName) {
        if (name === 'auth.me') {
          return { id: 'u1', username: 'a', role: 'admin', active: true, permissions: ['sync.read', 'sync.run'] } as never;
        }
        if (name === 'settings.get') return { time_zone: 'Asia/Jakarta' } as never;
        if (name === 'sync.status') return current as never;
        if (name === 'sync.rejections') return { data: [], meta: { page: 1, page_size: 25, page_count: 0, total: 0 } } as never;
        if (name === 'sync.run') {
          try {
            return (await run()) as never;
          } finally {
            current = { ...current, last_attempt_at: new Date().toISOString() };
          }
        }
        throw new Error(`unexpected ${name}`);
      },
    };
    setTransport(fake);
    setToken('tok');
    host = document.createElement('div');
    document.body.append(host);
    root = createRoot(host);
    await act(async () =>
      root!.render(
        <I18nProvider lang={lang}>
          <SessionProvider>
            <QueryClientProvider client={makeQueryClient()}>
              <SyncScreen />
            </QueryClientProvider>
          </SessionProvider>
        </I18nProvider>,
      ),
    );
    await act(async () => new Promise((r) => setTimeout(r, 20)));
    const button = [...host.querySelectorAll('button')].find((b) => b.textContent?.includes(lang === 'id' ? 'Sinkronkan sekarang' : 'Sync now'));
    expect(button).toBeTruthy();
    await act(async () => {
      button!.click();
      await new Promise((r) => setTimeout(r, 20));
    });
    return host;
  }

  it('shows the counts of a run', async () => {
    const h = await syncNow(async () => ({ pushed: 2, pulled: 5, rejected: 1, duration_ms: 420 }));
    const result = h.querySelector('[data-testid="sync-result"]')!;
    expect(result.textContent).toContain('Sinkronisasi selesai dalam 0,4 detik.');
    expect(h.querySelector('[data-testid="sync-pushed"]')?.textContent).toBe('2');
    expect(h.querySelector('[data-testid="sync-pulled"]')?.textContent).toBe('5');
    expect(h.querySelector('[data-testid="sync-rejected"]')?.textContent).toBe('1');
    expect(result.className).toContain('banner-warn'); // something was refused
  });

  it('says head office’s 426 as "update Loket" and its 401 as the refused token', async () => {
    let h = await syncNow(async () => {
      throw new ApiError('unavailable', 'head office speaks another sync protocol: update Loket (sync protocol 2 is required)', null, 502);
    });
    expect(h.querySelector('[data-testid="sync-run-error"]')?.textContent).toBe(
      'Kantor pusat memakai versi sinkronisasi lain: perbarui Loket (sync protocol 2 is required).',
    );
    expect(h.querySelector('[data-testid="sync-result"]')).toBeNull();
    act(() => root?.unmount());
    host?.remove();
    h = await syncNow(async () => {
      throw new ApiError('unavailable', TOKEN_REFUSED, null, 502);
    }, 'en');
    expect(h.querySelector('[data-testid="sync-run-error"]')?.textContent).toMatch(
      /^Head office refused this branch's token \(wrong or revoked\); ask head office for a new token/,
    );
  });
});
