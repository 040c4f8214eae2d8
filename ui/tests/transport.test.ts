import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const invokeMock = vi.fn();
vi.mock('@tauri-apps/api/core', () => ({ invoke: (...a: unknown[]) => invokeMock(...a) }));

import {
  ApiError,
  getToken,
  httpTransport,
  normaliseError,
  onUnauthorized,
  setToken,
  setTransport,
  tauriTransport,
  transport,
} from '../src/api/transport';

function respond(status: number, body: unknown) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return vi.fn(async (_url: string, _init?: RequestInit) => new Response(text, { status }));
}

beforeEach(() => {
  sessionStorage.clear();
  setTransport(null);
  invokeMock.mockReset();
  delete (window as unknown as Record<string, unknown>).__TAURI_INTERNALS__;
});
afterEach(() => setTransport(null));

describe('fetch transport (loket serve)', () => {
  it('posts the input to /api/v1/ops/{name} with the bearer token and returns the output', async () => {
    setToken('tok-123');
    const fetchFn = respond(200, { data: [], meta: { page: 1, page_size: 25, page_count: 0, total: 0 } });
    const out = await httpTransport('', fetchFn as unknown as typeof fetch).call('bookings.list', { open: true });
    expect(out.meta.total).toBe(0);
    const [url, init] = fetchFn.mock.calls[0];
    expect(url).toBe('/api/v1/ops/bookings.list');
    expect(init?.method).toBe('POST');
    expect((init?.headers as Record<string, string>).Authorization).toBe('Bearer tok-123');
    expect(JSON.parse(init?.body as string)).toEqual({ open: true });
  });

  it('sends no Authorization header without a token', async () => {
    const fetchFn = respond(200, { token: 't', user: {} });
    await httpTransport('', fetchFn as unknown as typeof fetch).call('auth.login', { username: 'a', password: 'b' });
    expect((fetchFn.mock.calls[0][1]?.headers as Record<string, string>).Authorization).toBeUndefined();
  });

  it('on 401 drops the session and tells the app (which shows the login screen)', async () => {
    setToken('old');
    const lost = vi.fn();
    const off = onUnauthorized(lost);
    const fetchFn = respond(401, { error: { code: 'unauthorized', message: 'login required', field: null } });
    const err = await httpTransport('', fetchFn as unknown as typeof fetch)
      .call('customers.list', {})
      .catch((e) => e);
    off();
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe('unauthorized');
    expect(err.status).toBe(401);
    expect(getToken()).toBeNull();
    expect(lost).toHaveBeenCalledOnce();
  });

  it('a wrong password is an error for the login form, not a lost session', async () => {
    const lost = vi.fn();
    const off = onUnauthorized(lost);
    const fetchFn = respond(401, { error: { code: 'login_failed', message: 'wrong username or password', field: null } });
    const err = await httpTransport('', fetchFn as unknown as typeof fetch)
      .call('auth.login', { username: 'a', password: 'b' })
      .catch((e) => e);
    off();
    expect(err.code).toBe('login_failed');
    expect(lost).not.toHaveBeenCalled();
  });

  it('normalises a 422 with the field it names', async () => {
    const fetchFn = respond(422, {
      error: { code: 'validation', message: 'must be 16 digits', field: 'customer.ktp_number' },
    });
    const err = await httpTransport('', fetchFn as unknown as typeof fetch)
      .call('bookings.create', { price: '1' })
      .catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect({ code: err.code, message: err.message, field: err.field, status: err.status }).toEqual({
      code: 'validation',
      message: 'must be 16 digits',
      field: 'customer.ktp_number',
      status: 422,
    });
  });

  it('normalises a 409 conflict', async () => {
    const fetchFn = respond(409, {
      error: { code: 'conflict', message: 'unit UNIT-001 is booked and cannot take a new booking', field: null },
    });
    const err = await httpTransport('', fetchFn as unknown as typeof fetch)
      .call('bookings.create', {})
      .catch((e) => e);
    expect(err.code).toBe('conflict');
    expect(err.field).toBeNull();
  });

  it('turns a network failure into a `network` error', async () => {
    const fetchFn = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    const err = await httpTransport('', fetchFn as unknown as typeof fetch)
      .call('settings.get', {})
      .catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe('network');
  });

  it('turns a non-JSON server failure into an `internal` error', async () => {
    const fetchFn = respond(502, '<html>Bad gateway</html>');
    const err = await httpTransport('', fetchFn as unknown as typeof fetch)
      .call('settings.get', {})
      .catch((e) => e);
    expect(err.code).toBe('internal');
    expect(err.status).toBe(502);
  });
});

describe('Tauri transport (desktop shell)', () => {
  it("calls invoke('op', {name, input, token})", async () => {
    setToken('tok-9');
    invokeMock.mockResolvedValue({ business_name: 'Studio Ayu' });
    const out = await tauriTransport().call('settings.get', {});
    expect(out.business_name).toBe('Studio Ayu');
    expect(invokeMock).toHaveBeenCalledWith('op', { name: 'settings.get', input: {}, token: 'tok-9' });
  });

  it('normalises a rejection with {code, message, field}', async () => {
    invokeMock.mockRejectedValue({ code: 'validation', message: 'is required', field: 'price' });
    const err = await tauriTransport().call('bookings.create', {}).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect([err.code, err.message, err.field]).toEqual(['validation', 'is required', 'price']);
  });

  it('normalises a rejection sent as a JSON string', async () => {
    invokeMock.mockRejectedValue(JSON.stringify({ code: 'conflict', message: 'the slot has already started' }));
    const err = await tauriTransport().call('bookings.create', {}).catch((e) => e);
    expect(err.code).toBe('conflict');
  });

  it('an unauthorized rejection ends the session', async () => {
    setToken('t');
    const lost = vi.fn();
    const off = onUnauthorized(lost);
    invokeMock.mockRejectedValue({ code: 'unauthorized', message: 'login required', field: null });
    await tauriTransport().call('customers.list', {}).catch(() => {});
    off();
    expect(lost).toHaveBeenCalledOnce();
    expect(getToken()).toBeNull();
  });

  it('is chosen when the window runs inside Tauri', async () => {
    expect(transport().kind).toBe('http');
    setTransport(null);
    (window as unknown as Record<string, unknown>).__TAURI_INTERNALS__ = {};
    expect(transport().kind).toBe('tauri');
    invokeMock.mockResolvedValue({ ok: true });
    await transport().call('auth.logout', {});
    expect(invokeMock).toHaveBeenCalledWith('op', { name: 'auth.logout', input: {}, token: null });
  });
});

describe('normaliseError', () => {
  it('accepts the HTTP body, the bare detail, and anything else', () => {
    expect(normaliseError({ error: { code: 'not_found', message: 'booking not found' } }).code).toBe('not_found');
    expect(normaliseError({ code: 'forbidden', message: 'your role may not manage users' }).code).toBe('forbidden');
    expect(normaliseError(42).code).toBe('internal');
    expect(normaliseError('plain text').message).toBe('plain text');
  });
});
