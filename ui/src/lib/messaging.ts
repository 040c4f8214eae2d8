// Pure logic of the messaging screens: plates, service dates, template
// placeholders, the gateway form, message actions, the report chart. No
// React here, so each rule is unit-tested (tests/messaging.test.ts).
import type { Schemas } from '../api/ops';
import type { Point } from './barLayout';
import { addDays, daysBetween, optionalText } from './format';

// ---- vehicles -----------------------------------------------------------------

/** Letters and digits only, upper-cased (as the core's `plate_key`). */
export function plateKey(raw: string): string {
  return raw.replace(/[^a-z0-9]/gi, '').toUpperCase();
}

/**
 * The plate as the core will store it (`b1234cd`, `B-1234-CD` → `B 1234 CD`),
 * mirroring `vehicles::normalise_plate`; null when the core would refuse it
 * (the core's message then appears next to the field).
 */
export function normalisePlate(raw: string): string | null {
  const trimmed = raw.trim();
  if (!trimmed || !/^[A-Za-z0-9 .-]+$/.test(trimmed)) return null;
  const key = plateKey(trimmed);
  if (key.length < 2 || key.length > 12) return null;
  const m = key.match(/^([A-Z]*)(\d*)(.*)$/)!;
  const [, region, number, suffix] = m;
  if (
    region.length >= 1 &&
    region.length <= 2 &&
    number.length >= 1 &&
    number.length <= 4 &&
    suffix.length <= 3 &&
    /^[A-Z]*$/.test(suffix)
  ) {
    return [region, number, suffix].filter(Boolean).join(' ');
  }
  return trimmed
    .split(/[ .-]/)
    .filter(Boolean)
    .map((p) => p.toUpperCase())
    .join(' ');
}

/** Last service + interval (as the core derives the next service date), or null. */
export function nextServiceDate(last: string | null | undefined, intervalDays: number | null | undefined): string | null {
  if (!last || !/^\d{4}-\d{2}-\d{2}$/.test(last) || !intervalDays || intervalDays < 1) return null;
  return addDays(last, intervalDays);
}

export type ServiceDue = 'overdue' | 'soon' | null;

/**
 * Whether a vehicle's service is due: `overdue` before today, `soon` within
 * `windowDays` (the window the maintenance reminders use), else null.
 */
export function serviceDue(next: string | null | undefined, today: string, windowDays: number): ServiceDue {
  if (!next) return null;
  const days = daysBetween(today, next);
  if (days < 0) return 'overdue';
  if (days <= windowDays) return 'soon';
  return null;
}

// ---- templates -----------------------------------------------------------------

/** Placeholders of `body` in order of first use, and the unknown ones (as `templates::placeholders`). */
export function scanPlaceholders(body: string, allowed: readonly string[]): { used: string[]; unknown: string[] } {
  const used: string[] = [];
  const unknown: string[] = [];
  let rest = body;
  for (;;) {
    const start = rest.indexOf('{');
    if (start < 0) break;
    const after = rest.slice(start + 1);
    const end = after.indexOf('}');
    if (end < 0) break;
    const name = after.slice(0, end);
    if (name && /^[A-Za-z0-9_]+$/.test(name)) {
      const list = allowed.includes(name) ? used : unknown;
      if (!list.includes(name)) list.push(name);
      rest = after.slice(end + 1);
    } else {
      rest = after;
    }
  }
  return { used, unknown };
}

/**
 * Puts `{name}` in place of the selection `[start, end)` of `body` and answers
 * the new text and where the caret goes (after the placeholder).
 */
export function insertPlaceholder(
  body: string,
  start: number | null | undefined,
  end: number | null | undefined,
  name: string,
): { body: string; caret: number } {
  const token = `{${name}}`;
  const len = body.length;
  const s = Math.min(Math.max(start ?? len, 0), len);
  const e = Math.min(Math.max(end ?? s, s), len);
  return { body: body.slice(0, s) + token + body.slice(e), caret: s + token.length };
}

// ---- gateway ----------------------------------------------------------------------

export type GatewayKind = Schemas['GatewayKind'];
export type GatewaySettings = {
  kind: GatewayKind;
  base_url: string;
  token?: string | null;
  phone_number_id?: string | null;
  api_version: string;
  session: string;
  timeout_secs: number;
  templates: Record<string, Schemas['MetaTemplate']>;
  auth_error?: string | null;
  token_unavailable?: boolean;
};

export const GATEWAY_KINDS: GatewayKind[] = ['log', 'waha', 'fonnte', 'meta'];

/** The core's default address per gateway (used when the address is left empty). */
export const DEFAULT_BASE_URL: Record<GatewayKind, string> = {
  log: '',
  meta: 'https://graph.facebook.com',
  waha: 'http://localhost:3000',
  fonnte: 'https://api.fonnte.com',
};

export type GatewayField = 'base_url' | 'token' | 'phone_number_id' | 'api_version' | 'session' | 'timeout_secs' | 'templates';

/** The settings each gateway uses (what the form shows for it). */
export function gatewayFields(kind: GatewayKind): GatewayField[] {
  switch (kind) {
    case 'log':
      return [];
    case 'waha':
      return ['base_url', 'token', 'session', 'timeout_secs'];
    case 'fonnte':
      return ['base_url', 'token', 'timeout_secs'];
    case 'meta':
      return ['base_url', 'token', 'phone_number_id', 'api_version', 'timeout_secs', 'templates'];
  }
}

/**
 * The desk's Meta mapping is for the messages the business starts (reminders,
 * a moved booking, the provider's notice). Head office maps its own (HQ_META_TEMPLATE_KINDS).
 */
export const META_TEMPLATE_KINDS = [
  'provider_notification',
  'booking_moved',
  'reminder_h1',
  'unpaid_h1',
  'maintenance_reminder',
] as const;

/** Head office's: the booking page's request for a "YA", the confirmation when sent late, and the provider's notice. */
export const HQ_META_TEMPLATE_KINDS = ['confirm_request', 'booking_confirmation', 'provider_notification'] as const;

export interface MetaTemplateForm {
  name: string;
  language: string;
  parameters: string;
}

export interface GatewayForm {
  kind: GatewayKind;
  base_url: string;
  /** A new token; empty keeps the stored one. */
  token: string;
  removeToken: boolean;
  phone_number_id: string;
  api_version: string;
  session: string;
  timeout_secs: string;
  templates: Record<string, MetaTemplateForm>;
}

/** The form of stored settings; `templateKinds`: the message kinds whose Meta template the form maps. */
export function gatewayForm(s: GatewaySettings, templateKinds: readonly string[] = META_TEMPLATE_KINDS): GatewayForm {
  const templates: Record<string, MetaTemplateForm> = {};
  for (const k of templateKinds) {
    const t = s.templates?.[k];
    templates[k] = { name: t?.name ?? '', language: t?.language ?? '', parameters: (t?.parameters ?? []).join(', ') };
  }
  return {
    kind: s.kind,
    base_url: s.base_url ?? '',
    token: '',
    removeToken: false,
    phone_number_id: s.phone_number_id ?? '',
    api_version: s.api_version ?? '',
    session: s.session ?? '',
    timeout_secs: String(s.timeout_secs ?? ''),
    templates,
  };
}

/** The address to show after choosing another gateway in the form. */
export function baseUrlAfterKindChange(form: GatewayForm, next: GatewayKind): string {
  const current = form.base_url.trim();
  return !current || current === DEFAULT_BASE_URL[form.kind] ? DEFAULT_BASE_URL[next] : current;
}

export interface GatewayUpdate {
  kind: GatewayKind;
  base_url?: string | null;
  token?: string | null;
  phone_number_id?: string | null;
  api_version?: string | null;
  session?: string | null;
  timeout_secs?: number | null;
  templates?: Record<string, Schemas['MetaTemplate']> | null;
}

/**
 * The input of `gateway.update` for the form. The token is left out when the
 * field is empty (the core keeps the stored one; an empty string would remove
 * it), and is `null` only when the user asks to remove it. Settings the chosen
 * gateway does not use are left as they are.
 */
export function gatewayUpdate(f: GatewayForm): GatewayUpdate {
  const fields = gatewayFields(f.kind);
  const out: GatewayUpdate = { kind: f.kind };
  if (fields.includes('base_url')) out.base_url = optionalText(f.base_url);
  if (fields.includes('token')) {
    if (f.removeToken) out.token = null;
    else if (f.token.trim()) out.token = f.token.trim();
  }
  if (fields.includes('phone_number_id')) out.phone_number_id = optionalText(f.phone_number_id);
  if (fields.includes('api_version')) out.api_version = optionalText(f.api_version);
  if (fields.includes('session')) out.session = optionalText(f.session);
  if (fields.includes('timeout_secs') && f.timeout_secs.trim()) out.timeout_secs = Number(f.timeout_secs);
  if (fields.includes('templates')) {
    const map: Record<string, Schemas['MetaTemplate']> = {};
    for (const [kind, t] of Object.entries(f.templates)) {
      if (!t.name.trim() && !t.language.trim() && !t.parameters.trim()) continue;
      map[kind] = {
        name: t.name.trim(),
        language: t.language.trim(),
        parameters: t.parameters
          .split(/[\s,]+/)
          .map((p) => p.replace(/^\{|\}$/g, ''))
          .filter(Boolean),
      };
    }
    out.templates = map;
  }
  return out;
}

// ---- the message log --------------------------------------------------------------

export type MessageStatus = Schemas['MessageStatus'];
export type MessageKind = Schemas['MessageKind'];

export const MESSAGE_STATUSES: MessageStatus[] = ['queued', 'sending', 'sent', 'failed', 'unknown', 'canceled'];
export const MESSAGE_KINDS: MessageKind[] = [
  'booking_confirmation',
  'provider_notification',
  'booking_moved',
  'reminder_h1',
  'unpaid_h1',
  'maintenance_reminder',
  'test',
];
export const TEMPLATE_KINDS = MESSAGE_KINDS.filter((k) => k !== 'test');

/** `messages.resend` takes failed, unknown and canceled messages. */
export function canResend(status: MessageStatus): boolean {
  return status === 'failed' || status === 'unknown' || status === 'canceled';
}

/** `messages.cancel` takes queued, failed and unknown messages. */
export function canCancel(status: MessageStatus): boolean {
  return status === 'queued' || status === 'failed' || status === 'unknown';
}

// ---- the report chart ---------------------------------------------------------------

/**
 * `customers_by_frequency` (frequency → number of pairs, keys as the API
 * sends them: strings) as the chart's points, in order of frequency; a key
 * or count that is not a number, or a negative count, is left out.
 */
export function frequencyPoints(byFrequency: Record<string, number>): Point[] {
  return Object.entries(byFrequency)
    .map(([f, n]) => [Number(f), Number(n)] as const)
    .filter(([f, n]) => Number.isFinite(f) && Number.isFinite(n) && n >= 0)
    .sort((a, b) => a[0] - b[0])
    .map(([frequency, count]) => ({ key: String(frequency), label: `${frequency}×`, value: count }));
}

// ---- jobs ----------------------------------------------------------------------------

/** A job's result (English from the core, e.g. `queued 2 reminders, 1 unpaid notices`) in `lang`. */
export function jobResultText(result: string | null | undefined, lang: 'id' | 'en'): string {
  if (!result) return '—';
  if (lang === 'en') return result;
  const rules: [RegExp, (m: RegExpMatchArray) => string][] = [
    [/^canceled (\d+)$/, (m) => `${m[1]} booking dibatalkan`],
    [/^rescored (\d+), (\d+) segment changes$/, (m) => `${m[1]} booking dinilai ulang, ${m[2]} berganti segmen`],
    [/^queued (\d+) reminders, (\d+) unpaid notices$/, (m) => `${m[1]} pengingat dan ${m[2]} tagihan diantrekan`],
    [/^queued (\d+) maintenance reminders$/, (m) => `${m[1]} pengingat servis diantrekan`],
    [/^failed: (.*)$/s, (m) => `gagal: ${m[1]}`],
  ];
  for (const [re, fn] of rules) {
    const m = result.match(re);
    if (m) return fn(m);
  }
  return result;
}
