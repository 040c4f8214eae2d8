// A branch's sync health, as head office's Cabang screen marks it: how long
// since it last pushed, and how old the oldest change it has not yet sent is
// (as the branch said at that push, counted to now by head office).

/** Up to an hour: healthy. */
export const LATE_AFTER_S = 60 * 60;
/** Past a day: stale. */
export const STALE_AFTER_S = 24 * 60 * 60;

export type Health = 'healthy' | 'late' | 'stale' | 'never' | 'revoked';

export interface BranchSync {
  revoked: boolean;
  last_push_at?: string | null;
  behind_seconds?: number | null;
}

/**
 * The marker: `revoked` for a cut-off branch, `never` before its first push;
 * otherwise the larger of "since its last push" and "behind in time" decides:
 * healthy up to [`LATE_AFTER_S`], late up to [`STALE_AFTER_S`], stale past it.
 * A `behind_seconds` head office does not know (an old desk) counts as 0.
 */
export function branchHealth(b: BranchSync, now: number): Health {
  if (b.revoked) return 'revoked';
  if (!b.last_push_at) return 'never';
  const pushed = Date.parse(b.last_push_at);
  if (Number.isNaN(pushed)) return 'never';
  const sincePush = Math.max(0, (now - pushed) / 1000);
  const lag = Math.max(sincePush, b.behind_seconds ?? 0);
  if (lag <= LATE_AFTER_S) return 'healthy';
  if (lag <= STALE_AFTER_S) return 'late';
  return 'stale';
}

/** A duration in seconds in words: `45 detik`, `3 menit`, `2 jam 5 menit`, `4 hari`. */
export function durationWords(seconds: number, lang: 'id' | 'en'): string {
  const s = Math.max(0, Math.round(seconds));
  const w = lang === 'id'
    ? { s: 'detik', m: 'menit', h: 'jam', d: 'hari' }
    : { s: 's', m: 'min', h: 'h', d: 'd' };
  const sep = lang === 'id' ? ' ' : ' ';
  if (s < 60) return `${s}${sep}${w.s}`;
  if (s < 3600) return `${Math.floor(s / 60)}${sep}${w.m}`;
  if (s < 86400) {
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return m ? `${h}${sep}${w.h} ${m}${sep}${w.m}` : `${h}${sep}${w.h}`;
  }
  return `${Math.floor(s / 86400)}${sep}${w.d}`;
}
