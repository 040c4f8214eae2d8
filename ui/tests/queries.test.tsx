import { act } from 'react';
import { QueryClientProvider } from '@tanstack/react-query';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, describe, expect, it } from 'vitest';
import type { OpName } from '../src/api/ops';
import { ApiError, call, setTransport } from '../src/api/transport';
import { makeQueryClient, shouldRetry, useAction, useOp } from '../src/lib/queries';

(globalThis as unknown as { IS_REACT_ACT_ENVIRONMENT: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const tick = () => act(async () => new Promise((r) => setTimeout(r, 10)));

describe('retries', () => {
  it('tries again only when the core could not be reached, at most twice', () => {
    const network = new ApiError('network', 'Failed to fetch');
    expect(shouldRetry(0, network)).toBe(true);
    expect(shouldRetry(1, network)).toBe(true);
    expect(shouldRetry(2, network)).toBe(false);
    expect(shouldRetry(0, new ApiError('not_found', 'no such booking', null, 404))).toBe(false);
    expect(shouldRetry(0, new ApiError('forbidden', 'no', null, 403))).toBe(false);
  });
});

describe('a query and an action', () => {
  let root: Root | null = null;
  afterEach(() => {
    act(() => root?.unmount());
    setTransport(null);
  });

  it('shows the data, and refreshes it after the action changed something', async () => {
    const names: string[] = [];
    let services = ['Cuci'];
    setTransport({
      kind: 'http',
      async call(name: OpName, input: unknown) {
        names.push(name);
        if (name === 'services.create') services = [...services, (input as { name: string }).name];
        return { data: services.map((n) => ({ id: n, name: n })), meta: { total: services.length } } as never;
      },
    });
    let add: (() => Promise<unknown>) | null = null;
    function List() {
      const list = useOp('services.list', { page_size: 200 });
      const create = useAction(() => call('services.create', { name: 'Servis', duration_min: 60, price: '100000' }));
      add = create.run;
      return <ul>{list.data?.data.map((s) => <li key={s.id}>{s.name}</li>)}</ul>;
    }
    const host = document.createElement('div');
    root = createRoot(host);
    await act(async () =>
      root!.render(
        <QueryClientProvider client={makeQueryClient()}>
          <List />
        </QueryClientProvider>,
      ),
    );
    await tick();
    expect(host.textContent).toBe('Cuci');
    await act(async () => {
      await add!();
    });
    await tick();
    expect(host.textContent).toBe('CuciServis');
    expect(names).toEqual(['services.list', 'services.create', 'services.list']);
  });

  it('keeps a failed action’s error and does not refresh', async () => {
    const names: string[] = [];
    setTransport({
      kind: 'http',
      async call(name: OpName) {
        names.push(name);
        if (name === 'services.create') throw new ApiError('validation', 'name: required', 'name', 422);
        return { data: [], meta: { total: 0 } } as never;
      },
    });
    let state: { run: () => Promise<unknown>; error: unknown } | null = null;
    function Editor() {
      useOp('services.list', { page_size: 200 });
      const save = useAction(() => call('services.create', { name: '', duration_min: 60, price: '1' }));
      state = save;
      return null;
    }
    root = createRoot(document.createElement('div'));
    await act(async () =>
      root!.render(
        <QueryClientProvider client={makeQueryClient()}>
          <Editor />
        </QueryClientProvider>,
      ),
    );
    await tick();
    let result: unknown = 'not run';
    await act(async () => {
      result = await state!.run();
    });
    await tick();
    expect(result).toBeUndefined();
    expect((state!.error as ApiError).field).toBe('name');
    expect(names).toEqual(['services.list', 'services.create']);
  });
});

describe('QueryView', () => {
  it('shows loading, then the data; a failure as a sentence', async () => {
    const { QueryView } = await import('../src/components/QueryView');
    const { I18nProvider } = await import('../src/i18n');
    localStorage.setItem('loket.lang', 'en');
    const host = document.createElement('div');
    const view = createRoot(host);
    const show = (query: { data: string | undefined; error: unknown; isPending: boolean }) =>
      act(() =>
        view.render(
          <I18nProvider>
            <QueryView query={query}>{(name) => <h1>{name}</h1>}</QueryView>
          </I18nProvider>,
        ),
      );
    show({ data: undefined, error: null, isPending: true });
    expect(host.textContent).toBe('Loading…');
    show({ data: 'Unit A-1', error: null, isPending: false });
    expect(host.querySelector('h1')?.textContent).toBe('Unit A-1');
    show({ data: undefined, error: new ApiError('not_found', 'unit not found', null, 404), isPending: false });
    expect(host.querySelector('h1')).toBeNull();
    expect(host.querySelector('[role=alert]')?.textContent).toBeTruthy();
    expect(host.textContent).not.toContain('Loading');
    act(() => view.unmount());
  });
});
