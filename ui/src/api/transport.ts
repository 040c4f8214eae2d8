// The one way the UI talks to the core. In the desktop shell it is the Tauri
// command `op` (invoke('op', {name, input, token})); in a browser it is
// `POST /api/v1/ops/{name}` against `loket serve`. Both answer the operation's
// output or an error `{code, message, field}`.
import type { OpInput, OpName, OpOutput } from './ops';

/** A normalised error from the core (or from getting to it). */
export class ApiError extends Error {
  readonly code: string;
  readonly field: string | null;
  readonly status: number | null;
  constructor(code: string, message: string, field?: string | null, status?: number | null) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.field = field ?? null;
    this.status = status ?? null;
  }
}

export interface Transport {
  readonly kind: 'tauri' | 'http';
  call<N extends OpName>(name: N, input: OpInput<N>): Promise<OpOutput<N>>;
}

// ---- session token (per window/tab, gone when it closes) -------------------

const TOKEN_KEY = 'loket.token';

function storage(): Storage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null;
  }
}

export function getToken(): string | null {
  return storage()?.getItem(TOKEN_KEY) ?? null;
}

export function setToken(token: string | null): void {
  const s = storage();
  if (!s) return;
  if (token) s.setItem(TOKEN_KEY, token);
  else s.removeItem(TOKEN_KEY);
}

// ---- what happens on "login required" ---------------------------------------

type Listener = () => void;
let unauthorizedListeners: Listener[] = [];

/** Called when the core says the session is gone (401 `unauthorized`). */
export function onUnauthorized(fn: Listener): () => void {
  unauthorizedListeners.push(fn);
  return () => {
    unauthorizedListeners = unauthorizedListeners.filter((l) => l !== fn);
  };
}

function sessionLost(): void {
  setToken(null);
  for (const l of unauthorizedListeners) l();
}

// ---- error normalisation ------------------------------------------------------

/** Turns whatever came back (error body, Tauri rejection, exception) into an ApiError. */
export function normaliseError(raw: unknown, status?: number | null): ApiError {
  if (raw instanceof ApiError) return raw;
  if (raw && typeof raw === 'object') {
    const obj = raw as Record<string, unknown>;
    const inner =
      obj.error && typeof obj.error === 'object' ? (obj.error as Record<string, unknown>) : obj;
    if (typeof inner.code === 'string' && typeof inner.message === 'string') {
      return new ApiError(
        inner.code,
        inner.message,
        typeof inner.field === 'string' ? inner.field : null,
        status ?? null,
      );
    }
    if (raw instanceof Error) return new ApiError('network', raw.message, null, status ?? null);
  }
  if (typeof raw === 'string') {
    // A Tauri command may reject with a JSON string or a plain message.
    try {
      return normaliseError(JSON.parse(raw), status);
    } catch {
      return new ApiError('internal', raw, null, status ?? null);
    }
  }
  return new ApiError('internal', 'unexpected error', null, status ?? null);
}

function isSessionLost(e: ApiError, name: OpName): boolean {
  return e.code === 'unauthorized' && name !== 'auth.login';
}

// ---- fetch (browser against `loket serve`) -----------------------------------

export function httpTransport(
  baseUrl = '',
  fetchFn: typeof fetch = (...a) => fetch(...a),
): Transport {
  return {
    kind: 'http',
    async call(name, input) {
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      const token = getToken();
      if (token) headers.Authorization = `Bearer ${token}`;
      let res: Response;
      try {
        res = await fetchFn(`${baseUrl}/api/v1/ops/${encodeURIComponent(name)}`, {
          method: 'POST',
          headers,
          body: JSON.stringify(input ?? {}),
        });
      } catch (e) {
        throw new ApiError('network', e instanceof Error ? e.message : String(e));
      }
      let body: unknown = null;
      const text = await res.text();
      if (text) {
        try {
          body = JSON.parse(text);
        } catch {
          body = null;
        }
      }
      if (res.ok) return body as never;
      const err =
        body && typeof body === 'object'
          ? normaliseError(body, res.status)
          : new ApiError(
              res.status === 401 ? 'unauthorized' : 'internal',
              `HTTP ${res.status}`,
              null,
              res.status,
            );
      if (res.status === 401 && isSessionLost(err, name)) sessionLost();
      throw err;
    },
  };
}

// ---- Tauri (desktop shell) ----------------------------------------------------

export type InvokeFn = (cmd: string, args: Record<string, unknown>) => Promise<unknown>;

export function tauriTransport(invokeFn?: InvokeFn): Transport {
  const invoke: InvokeFn =
    invokeFn ??
    (async (cmd, args) => {
      const core = await import('@tauri-apps/api/core');
      return core.invoke(cmd, args);
    });
  return {
    kind: 'tauri',
    async call(name, input) {
      try {
        return (await invoke('op', { name, input: input ?? {}, token: getToken() })) as never;
      } catch (raw) {
        const err = normaliseError(raw);
        if (isSessionLost(err, name)) sessionLost();
        throw err;
      }
    },
  };
}

// ---- the transport of this window ----------------------------------------------

export function inTauri(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}

let current: Transport | null = null;

export function transport(): Transport {
  if (!current) current = inTauri() ? tauriTransport() : httpTransport();
  return current;
}

/** For tests: use another transport. */
export function setTransport(t: Transport | null): void {
  current = t;
}

/** Runs operation `name` with `input` through this window's transport. */
export function call<N extends OpName>(name: N, input: OpInput<N>): Promise<OpOutput<N>> {
  return transport().call(name, input);
}
