// How head office's page talks to `loket-hq`: `GET /api/v1/…` with the
// login token, typed from loket-hq's OpenAPI document (./schema.d.ts, made by
// `npm run gen:hq-api`). Errors come back as the desk's ApiError (same
// `{error: {code, message, field}}` shape), so the desk's words for them apply.
import { ApiError, normaliseError } from '../../src/api/transport';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];
export type BranchState = Schemas['BranchState'];
export type HqBooking = Schemas['HqBooking'];
export type MasterCustomer = Schemas['MasterCustomer'];
export type DayRow = Schemas['DayRow'];
export type MonthRow = Schemas['MonthRow'];
export type SegmentRow = Schemas['SegmentRow'];
export type MessageRow = Schemas['MessageRow'];
export type PageMeta = Schemas['PageMeta'];

/** `POST /api/v1/auth/login`'s answer (the document describes it in words only). */
export interface LoggedIn {
  token: string;
  user: { id: string; username: string; role: string };
}

type GetPath = { [P in keyof paths]: paths[P] extends { get: unknown } ? P : never }[keyof paths];
type GetOp<P extends GetPath> = paths[P] extends { get: infer O } ? O : never;
/** The query parameters of `GET path`. */
export type QueryOf<P extends GetPath> = GetOp<P> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;
/** The JSON answer of `GET path`. */
export type AnswerOf<P extends GetPath> = GetOp<P> extends {
  responses: { 200: { content: { 'application/json': infer R } } };
}
  ? R
  : never;

// ---- the login token (per tab, gone when it closes) -----------------------

const SESSION_KEY = 'loket.hq.session';

export function savedSession(): LoggedIn | null {
  try {
    const raw = sessionStorage.getItem(SESSION_KEY);
    return raw ? (JSON.parse(raw) as LoggedIn) : null;
  } catch {
    return null;
  }
}

export function saveSession(s: LoggedIn | null): void {
  try {
    if (s) sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
    else sessionStorage.removeItem(SESSION_KEY);
  } catch {
    // no storage: the session lasts as long as the page
  }
}

let onLost: () => void = () => {};
/** Called when head office answers 401 to a logged-in call (the token expired). */
export function onSessionLost(fn: () => void): void {
  onLost = fn;
}

/** The query string of `query` (empty values left out). */
export function queryString(query: Record<string, string | number | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

async function send(path: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(path, init);
  } catch (e) {
    throw new ApiError('network', e instanceof Error ? e.message : String(e));
  }
}

async function failure(res: Response): Promise<ApiError> {
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  return body && typeof body === 'object'
    ? normaliseError(body, res.status)
    : new ApiError(res.status === 401 ? 'unauthorized' : 'internal', `HTTP ${res.status}`, null, res.status);
}

function authHeaders(): Record<string, string> {
  const token = savedSession()?.token;
  return token ? { Authorization: `Bearer ${token}` } : {};
}

export async function login(username: string, password: string): Promise<LoggedIn> {
  const res = await send('/api/v1/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw await failure(res);
  return (await res.json()) as LoggedIn;
}

async function authed(url: string, init: RequestInit = {}): Promise<Response> {
  const res = await send(url, { ...init, headers: { ...authHeaders(), ...(init.headers ?? {}) } });
  if (res.ok) return res;
  const err = await failure(res);
  if (res.status === 401) {
    saveSession(null);
    onLost();
  }
  throw err;
}

/** `GET path?query` as the logged-in user. */
export async function get<P extends GetPath>(path: P, query: QueryOf<P> | Record<string, never> = {}): Promise<AnswerOf<P>> {
  const res = await authed(path + queryString(query as Record<string, string | number | undefined>));
  return (await res.json()) as AnswerOf<P>;
}

/**
 * `PUT path` with a JSON body as the logged-in user. Head office's settings
 * answer JSON its document describes in words only: the caller names the type.
 */
export async function put<T>(path: keyof paths, body: unknown): Promise<T> {
  const res = await authed(path, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  // 204: saved, nothing to answer.
  return (res.status === 204 ? undefined : await res.json()) as T;
}

/** `GET path` of a document that describes its answer in words only: the caller names the type. */
export async function getAs<T>(path: keyof paths): Promise<T> {
  return (await (await authed(path)).json()) as T;
}

// ---- the booking page's calls: no login ------------------------------------

export type PublicBranch = Schemas['PublicBranch'];
export type PublicService = Schemas['PublicService'];
export type PublicSlot = Schemas['PublicSlot'];
export type BookingState = Schemas['BookingState'];

/** `GET /public/v1/…?query` with no login. */
export async function publicGet<T>(path: string, query: Record<string, string> = {}): Promise<T> {
  const res = await send(path + queryString(query), {});
  if (!res.ok) throw await failure(res);
  return (await res.json()) as T;
}

/** `POST /public/v1/…` with a JSON body and no login. */
export async function publicPost<T>(path: string, body: unknown): Promise<T> {
  const res = await send(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw await failure(res);
  return (await res.json()) as T;
}

/** A report's `?format=csv` URL. */
export function csvUrl(path: GetPath, query: Record<string, string | undefined>): string {
  return path + queryString({ ...query, format: 'csv' });
}

/** Fetches a CSV as the logged-in user and hands it to the browser as a download named `filename`. */
export async function downloadCsv(url: string, filename: string): Promise<void> {
  const res = await authed(url);
  const blob = await res.blob();
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
