import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { QueryClientProvider } from '@tanstack/react-query';
import { afterEach, describe, expect, it } from 'vitest';
import type { OpName } from '../src/api/ops';
import { setToken, setTransport, type Transport } from '../src/api/transport';
import { SyncIndicator } from '../src/components/SyncIndicator';
import { I18nProvider } from '../src/i18n';
import { makeQueryClient } from '../src/lib/queries';
import type { SyncStatus } from '../src/lib/sync';
import { SessionProvider } from '../src/session';

(globalThis as unknown as { IS_REACT_ACT_ENVIRONMENT: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const MIN = 60_000;

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
