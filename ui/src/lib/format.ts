// Formatting of money, dates and times. Money arrives as a decimal string of
// rupiah and is formatted without going through floating point. Instants
// (UTC from the API) are shown in the business time zone; plain dates
// (`YYYY-MM-DD`) are calendar dates and are never shifted.

export type Lang = 'id' | 'en';
export const DEFAULT_TZ = 'Asia/Jakarta';

const locales: Record<Lang, string> = { id: 'id-ID', en: 'en-GB' };

/** `3500000` → `Rp 3.500.000`; `1250000.5` → `Rp 1.250.000,50`. */
export function formatRupiah(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  let s = typeof value === 'number' ? String(value) : value.trim();
  if (!/^-?\d+(\.\d+)?$/.test(s)) {
    if (/^-?\d+(\.\d+)?e[+-]?\d+$/i.test(s)) s = Number(s).toFixed(2);
    else return s;
  }
  const negative = s.startsWith('-');
  if (negative) s = s.slice(1);
  const [intRaw, fracRaw = ''] = s.split('.');
  const int = intRaw.replace(/^0+(?=\d)/, '');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  const frac = fracRaw.replace(/0+$/, '');
  const cents = frac ? ',' + (frac + '0').slice(0, Math.max(2, frac.length)) : '';
  return `${negative ? '-' : ''}Rp ${grouped}${cents}`;
}

/** An optional text field as typed: trimmed, or null when left empty (the core then clears it). */
export function optionalText(v: string): string | null {
  return v.trim() ? v.trim() : null;
}

/**
 * Reads money as typed at the desk: `3.500.000`, `Rp 3.500.000`, `3500000`,
 * `1.250.000,50` → a decimal string (`3500000`, `1250000.50`). Returns null
 * when it is not a number (the core then names the field).
 */
export function parseRupiah(text: string): string | null {
  let s = text.replace(/rp/i, '').replace(/[\s_]/g, '');
  if (s === '') return null;
  if (s.includes(',')) {
    // Indonesian: dots group thousands, the comma is the decimal separator.
    s = s.replace(/\./g, '').replace(',', '.');
  } else if (/^\d{1,3}(\.\d{3})+$/.test(s)) {
    s = s.replace(/\./g, '');
  }
  if (!/^\d+(\.\d{1,2})?$/.test(s)) return null;
  const [i, f] = s.split('.');
  const int = i.replace(/^0+(?=\d)/, '');
  return f ? `${int}.${f}` : int;
}

function parts(date: Date, tz: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(date)) {
    out[p.type] = p.value;
  }
  return out;
}

function toDate(instant: string | Date): Date {
  return instant instanceof Date ? instant : new Date(instant);
}

/** The calendar date (`YYYY-MM-DD`) of an instant in time zone `tz`. */
export function localDate(instant: string | Date, tz: string = DEFAULT_TZ): string {
  const p = parts(toDate(instant), tz);
  return `${p.year}-${p.month}-${p.day}`;
}

/** `HH:MM` of an instant in `tz`. */
export function localTime(instant: string | Date, tz: string = DEFAULT_TZ): string {
  const p = parts(toDate(instant), tz);
  return `${p.hour}:${p.minute}`;
}

/** An instant as the value of an `<input type="datetime-local">` in `tz`. */
export function toLocalInput(instant: string | null | undefined, tz: string = DEFAULT_TZ): string {
  if (!instant) return '';
  return `${localDate(instant, tz)}T${localTime(instant, tz)}`;
}

/** Today's date in `tz`. */
export function today(tz: string = DEFAULT_TZ, now: Date = new Date()): string {
  return localDate(now, tz);
}

/** `YYYY-MM-DD` plus `n` days (calendar arithmetic, no time zone involved). */
export function addDays(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d + n));
  return t.toISOString().slice(0, 10);
}

/** 0 = Monday … 6 = Sunday, as the core numbers weekdays. */
export function weekday(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
}

/** The Monday of the week `date` is in. */
export function weekStart(date: string): string {
  return addDays(date, -weekday(date));
}

/** A calendar date: `2026-12-01` → `1 Des 2026` (or `Sel, 1 Des 2026` with the weekday). */
export function formatDate(
  date: string | null | undefined,
  lang: Lang = 'id',
  opts: { weekday?: boolean; long?: boolean } = {},
): string {
  if (!date) return '—';
  const ymd = /^\d{4}-\d{2}-\d{2}$/.test(date) ? date : null;
  if (!ymd) return date;
  const [y, m, d] = ymd.split('-').map(Number);
  return new Intl.DateTimeFormat(locales[lang], {
    timeZone: 'UTC',
    weekday: opts.weekday ? (opts.long ? 'long' : 'short') : undefined,
    day: 'numeric',
    month: opts.long ? 'long' : 'short',
    year: 'numeric',
  }).format(new Date(Date.UTC(y, m - 1, d)));
}

/** An instant in the business time zone: `Sel, 1 Des 2026, 00.30`. */
export function formatDateTime(
  instant: string | null | undefined,
  tz: string = DEFAULT_TZ,
  lang: Lang = 'id',
  opts: { weekday?: boolean } = { weekday: true },
): string {
  if (!instant) return '—';
  const d = toDate(instant);
  if (Number.isNaN(d.getTime())) return instant;
  return new Intl.DateTimeFormat(locales[lang], {
    timeZone: tz,
    weekday: opts.weekday ? 'short' : undefined,
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(d);
}

/** The time of an instant in the business time zone: `10.00` (id) or `10:00` (en). */
export function formatTime(
  instant: string | null | undefined,
  tz: string = DEFAULT_TZ,
  lang: Lang = 'id',
): string {
  if (!instant) return '—';
  return new Intl.DateTimeFormat(locales[lang], {
    timeZone: tz,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(toDate(instant));
}

/** `6281234567890` → `0812-3456-7890` for reading (mobile numbers grouped, landlines as `021…`). */
export function formatPhone(phone: string | null | undefined): string {
  if (!phone) return '—';
  const local = phone.startsWith('62') ? '0' + phone.slice(2) : phone;
  if (!/^08\d+$/.test(local)) return local;
  return local.replace(/^(\d{4})(\d{4})(\d+)$/, '$1-$2-$3');
}

/** Whole-day difference between two calendar dates (b − a). */
export function daysBetween(a: string, b: string): number {
  const t = (s: string) => {
    const [y, m, d] = s.split('-').map(Number);
    return Date.UTC(y, m - 1, d);
  };
  return Math.round((t(b) - t(a)) / 86_400_000);
}

/** A plain number in the user's language: `1.234,5` (id) or `1,234.5` (en), at most `decimals` decimals. */
export function formatNumber(n: number | null | undefined, lang: Lang = 'id', decimals = 2): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  return new Intl.NumberFormat(locales[lang], { maximumFractionDigits: decimals }).format(n);
}

/** The value to send for a money input: parsed when it reads as money, else as typed (the core names the field). */
export function moneyValue(text: string): string | null {
  if (!text.trim()) return null;
  return parseRupiah(text) ?? text.trim();
}
