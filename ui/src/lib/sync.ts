// Pure rules of the sync screens: "5 minutes ago", what the header's
// indicator says about a sync status, head office's failures and refusals
// in the user's language, and the settings form (the token is write-only:
// an empty field keeps the stored one).
import type { OpInput, OpOutput } from '../api/ops';
import type { Lang } from './format';

export type SyncStatus = OpOutput<'sync.status'>;
export type SyncRun = OpOutput<'sync.run'>;
export type SyncSettings = OpOutput<'sync.settings.get'>;
export type SyncRejection = OpOutput<'sync.rejections'>['data'][number];

/** How often the header asks for the sync status. */
export const STATUS_POLL_MS = 30_000;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * How long ago `instant` was, in words: `baru saja`, `5 menit lalu`,
 * `2 jam lalu`, `3 hari lalu` (`just now`, `5 minutes ago`, `1 hour ago`…).
 * A moment slightly in the future (clocks a little apart) is "just now".
 */
export function relativeTime(instant: string | Date | null | undefined, now: number, lang: Lang): string {
  if (!instant) return '—';
  const at = instant instanceof Date ? instant.getTime() : Date.parse(instant);
  if (Number.isNaN(at)) return '—';
  const ago = now - at;
  if (ago < MINUTE) return lang === 'id' ? 'baru saja' : 'just now';
  const [n, unit] =
    ago < HOUR
      ? [Math.floor(ago / MINUTE), 'minute' as const]
      : ago < DAY
        ? [Math.floor(ago / HOUR), 'hour' as const]
        : [Math.floor(ago / DAY), 'day' as const];
  if (lang === 'id') {
    return `${n} ${{ minute: 'menit', hour: 'jam', day: 'hari' }[unit]} lalu`;
  }
  return `${n} ${unit}${n === 1 ? '' : 's'} ago`;
}

/** "1 change waiting" / "3 changes waiting" / "3 perubahan menunggu". */
export function pendingText(n: number, lang: Lang): string {
  if (lang === 'id') return `${n} perubahan menunggu`;
  return `${n} change${n === 1 ? '' : 's'} waiting`;
}

export type IndicatorTone = 'ok' | 'running' | 'failed' | 'never';

export interface Indicator {
  tone: IndicatorTone;
  /** `Disinkronkan 5 menit lalu`, `Sinkronisasi gagal 2 menit lalu`, … */
  text: string;
  /** Changes not yet taken by head office (shown when > 0). */
  pending: number;
  /** Why the last attempt failed, in words; null when it did not. */
  error: string | null;
}

/**
 * Whether the latest attempt failed. The core clears the error on success,
 * and a success is stamped after its attempt began; an error older than the
 * last success does not count.
 */
export function lastAttemptFailed(s: Pick<SyncStatus, 'last_error' | 'last_attempt_at' | 'last_success_at'>): boolean {
  if (!s.last_error) return false;
  if (!s.last_success_at || !s.last_attempt_at) return true;
  return Date.parse(s.last_attempt_at) >= Date.parse(s.last_success_at);
}

/** What the header says about sync; null when sync is not set up (nothing to say). */
export function syncIndicator(s: SyncStatus | undefined, now: number, lang: Lang): Indicator | null {
  if (!s || !s.configured) return null;
  const id = lang === 'id';
  const pending = s.pending_changes;
  if (s.running) {
    return { tone: 'running', text: id ? 'Menyinkronkan…' : 'Syncing…', pending, error: null };
  }
  if (lastAttemptFailed(s)) {
    const when = relativeTime(s.last_attempt_at, now, lang);
    return {
      tone: 'failed',
      text: id ? `Sinkronisasi gagal ${when}` : `Sync failed ${when}`,
      pending,
      error: syncFailureText(s.last_error ?? '', lang),
    };
  }
  if (s.last_success_at) {
    const when = relativeTime(s.last_success_at, now, lang);
    return { tone: 'ok', text: id ? `Disinkronkan ${when}` : `Synced ${when}`, pending, error: null };
  }
  return { tone: 'never', text: id ? 'Belum pernah disinkronkan' : 'Never synced yet', pending, error: null };
}

type Rule = [RegExp, (m: RegExpMatchArray) => string];

function sentence(s: string): string {
  const c = s.trim();
  const up = c ? c[0].toUpperCase() + c.slice(1) : c;
  return /[.!?]$/.test(up) ? up : up + '.';
}

/**
 * Indonesian for why a run failed, as the core words it (head office's 401,
 * 426, timeouts, an unreachable address, a restored database…). Unknown
 * phrasings pass through unchanged.
 */
const FAILURE_ID: Rule[] = [
  [
    /^head office refused this branch's token \(wrong or revoked\).*$/,
    () =>
      'Kantor pusat menolak token cabang ini (salah atau sudah dicabut). Minta token baru ke kantor pusat lalu simpan di pengaturan sinkronisasi. Perubahan yang menunggu tidak hilang',
  ],
  [
    /^head office speaks another sync protocol: update Loket \((.*)\)$/,
    (m) => `Kantor pusat memakai versi sinkronisasi lain: perbarui Loket (${m[1]})`,
  ],
  [
    /^head office speaks another sync protocol: update Loket$/,
    () => 'Kantor pusat memakai versi sinkronisasi lain: perbarui Loket',
  ],
  [
    /^head office did not answer within the sync's (\d+) s limit.*$/,
    (m) => `Kantor pusat tidak menjawab dalam batas ${m[1]} detik; sisanya dikirim pada sinkronisasi berikutnya`,
  ],
  [
    /^head office at (\S+) cannot be reached: the configured CA certificate is unusable: (.*)$/,
    (m) => `Kantor pusat di ${m[1]} tidak dapat dihubungi: sertifikat CA yang disimpan tidak dapat dipakai (${m[2]})`,
  ],
  [
    /^head office at (\S+) cannot be reached: (.*)$/,
    (m) => `Kantor pusat di ${m[1]} tidak dapat dihubungi (${m[2]}). Periksa alamatnya dan koneksi internet`,
  ],
  [/^head office answered (\d+): (.*)$/, (m) => `Kantor pusat menjawab ${m[1]}: ${m[2]}`],
  [
    /^head office has this branch's changes up to (\d+) but this desk's log ends at (\d+).*$/,
    (m) =>
      `Kantor pusat sudah menerima perubahan cabang ini sampai nomor ${m[1]}, tetapi catatan meja ini berakhir di ${m[2]}: basis data dipulihkan dari salinan lama. Minta kantor pusat mendaftarkan meja ini sebagai cabang baru`,
  ],
  [
    /^head office expects this branch's change (\d+) next, which this desk cannot send \(its log ends at (\d+)\)$/,
    (m) =>
      `Kantor pusat menunggu perubahan nomor ${m[1]} dari cabang ini, yang tidak dapat dikirim meja ini (catatannya berakhir di ${m[2]})`,
  ],
  [
    /^a sync with head office is already running.*$/,
    () => 'Sinkronisasi dengan kantor pusat sedang berjalan; tunggu sampai selesai',
  ],
  [
    /^sync is not set up.*$/,
    () => 'Sinkronisasi belum diatur: simpan alamat kantor pusat dan token cabang ini dulu',
  ],
];

/** `text` (English, from the core or head office) as one sentence in `lang`: the first Indonesian rule it matches, or itself. */
function inWords(text: string, lang: Lang, rulesId: Rule[]): string {
  if (lang === 'id') {
    for (const [re, fn] of rulesId) {
      const m = text.match(re);
      if (m) return sentence(fn(m));
    }
  }
  return sentence(text);
}

/** Why a sync failed, as one sentence in `lang`. */
export function syncFailureText(message: string, lang: Lang): string {
  return inWords(message, lang, FAILURE_ID);
}

/** Head office's reasons for refusing a change (`hq/src/sync_push.rs`), in Indonesian. */
const REFUSAL_ID: Rule[] = [
  [/^unknown entity kind "?(.*?)"?$/, (m) => `jenis data "${m[1]}" tidak dikenal kantor pusat`],
  [/^unknown operation "?(.*?)"?$/, (m) => `operasi "${m[1]}" tidak dikenal kantor pusat`],
  [/^the record id must be 1 to 200 characters$/, () => 'ID data harus 1 sampai 200 karakter'],
  [/^the row must be a JSON object$/, () => 'isi data tidak terbaca (bukan objek JSON)'],
];

/** Why head office refused one change, in `lang` (unknown reasons pass through). */
export function refusalText(reason: string, lang: Lang): string {
  return inWords(reason, lang, REFUSAL_ID);
}

/** A run's duration: `0,4 detik` / `0.4 s`, `13 detik`; a quick one `kurang dari 0,1 detik`. */
export function durationText(ms: number, lang: Lang): string {
  if (ms < 50) return lang === 'id' ? 'kurang dari 0,1 detik' : 'under 0.1 s';
  const s = ms / 1000;
  const n = s < 10 ? (Math.round(s * 10) / 10).toString() : Math.round(s).toString();
  return lang === 'id' ? `${n.replace('.', ',')} detik` : `${n} s`;
}

// ---- the settings form -------------------------------------------------------

export interface SyncForm {
  hq_url: string;
  /** Empty: keep the stored token. */
  token: string;
  interval_min: string;
  ca_cert: string;
}

export function syncForm(s: SyncSettings): SyncForm {
  return {
    hq_url: s.hq_url ?? '',
    token: '',
    interval_min: String(s.interval_min ?? 0),
    ca_cert: s.ca_cert ?? '',
  };
}

/** The form's own checks, before the core's: the interval is a whole number of minutes. */
export function syncFormErrors(f: SyncForm): Partial<Record<keyof SyncForm, 'sync.intervalWhole'>> {
  return /^\s*\d+\s*$/.test(f.interval_min) ? {} : { interval_min: 'sync.intervalWhole' };
}

/**
 * What `sync.settings.update` is sent: the address (empty clears it), the
 * interval and the certificate as they are; the token only when one was
 * typed, since the stored one is never shown (and saving a token resets
 * the pull from head office).
 */
export function syncUpdate(f: SyncForm): OpInput<'sync.settings.update'> {
  const out: OpInput<'sync.settings.update'> = {
    hq_url: f.hq_url.trim() || null,
    interval_min: Number(f.interval_min.trim()),
    ca_cert: f.ca_cert.trim() || null,
  };
  const token = f.token.trim();
  if (token) out.token = token;
  return out;
}
