// What the desk warns about: a damaged database (read-only until a backup is
// restored) and a backup that is too old. Pure functions of `status.get`'s
// answer, so the words and their conditions are tested without a screen.
import type { OpOutput } from '../api/ops';
import type { Key } from '../i18n';

export type SystemStatus = OpOutput<'status.get'>;
export type BackupOverview = OpOutput<'backup.list'>;
export type BackupRecord = BackupOverview['recent'][number];

/** The banner over every screen, if any: damaged (saves nothing) or still being checked. */
export function statusBanner(s: SystemStatus | undefined): { kind: 'error' | 'info'; key: Key } | null {
  if (!s) return null;
  if (s.database === 'damaged') return { kind: 'error', key: 'safety.damaged' };
  if (s.database === 'checking') return { kind: 'info', key: 'safety.checking' };
  return null;
}

/**
 * The dashboard's backup warning (the core decides when: none yet, or the
 * last good one older than 2 days) and what to do: make one, or ask an admin.
 */
export function backupWarning(
  s: SystemStatus | undefined,
  canBackUp: boolean,
  now: number = Date.now(),
): { key: Key; days: number; todo: Key } | null {
  if (!s?.backup_warning) return null;
  const todo: Key = canBackUp ? 'safety.backupAction' : 'safety.backupAskAdmin';
  if (!s.last_backup_at) return { key: 'safety.noBackup', days: 0, todo };
  const days = Math.max(0, Math.floor((now - Date.parse(s.last_backup_at)) / 86_400_000));
  return { key: 'safety.oldBackup', days, todo };
}

/** A byte count in words: `12.3 MB`. */
export function formatSize(bytes: number | null | undefined): string {
  if (bytes == null) return '';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let n = bytes / 1024;
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u += 1;
  }
  return `${n.toFixed(n < 10 ? 1 : 0)} ${units[u]}`;
}

/** Checks what the core would refuse before asking it: a full path and a long enough passphrase. */
export function backupFormErrors(folder: string, passphrase: string): { folder?: Key; passphrase?: Key } {
  const out: { folder?: Key; passphrase?: Key } = {};
  const f = folder.trim();
  if (!f || !(f.startsWith('/') || /^[A-Za-z]:[\\/]/.test(f) || f.startsWith('\\\\'))) out.folder = 'safety.folderFull';
  if ([...passphrase].length < 8) out.passphrase = 'safety.passphraseShort';
  return out;
}
