import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/api/transport';
import { errorText, validationText } from '../src/i18n/errors';
import {
  durationText,
  lastAttemptFailed,
  pendingText,
  refusalText,
  relativeTime,
  syncFailureText,
  syncForm,
  syncFormErrors,
  syncIndicator,
  syncUpdate,
  type SyncStatus,
} from '../src/lib/sync';

const NOW = Date.parse('2026-12-02T03:00:00.000Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();
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

const TOKEN_REFUSED =
  "head office refused this branch's token (wrong or revoked); ask head office for a new token and save it in the sync settings. Nothing queued is lost";

describe('relative time', () => {
  it('says how long ago, in Indonesian and English', () => {
    expect(relativeTime(ago(20_000), NOW, 'id')).toBe('baru saja');
    expect(relativeTime(ago(20_000), NOW, 'en')).toBe('just now');
    expect(relativeTime(ago(5 * MIN), NOW, 'id')).toBe('5 menit lalu');
    expect(relativeTime(ago(5 * MIN + 59_000), NOW, 'en')).toBe('5 minutes ago');
    expect(relativeTime(ago(1 * MIN), NOW, 'en')).toBe('1 minute ago');
    expect(relativeTime(ago(59 * MIN), NOW, 'id')).toBe('59 menit lalu');
    expect(relativeTime(ago(60 * MIN), NOW, 'en')).toBe('1 hour ago');
    expect(relativeTime(ago(3 * 60 * MIN), NOW, 'id')).toBe('3 jam lalu');
    expect(relativeTime(ago(26 * 60 * MIN), NOW, 'en')).toBe('1 day ago');
    expect(relativeTime(ago(3 * 24 * 60 * MIN), NOW, 'id')).toBe('3 hari lalu');
  });

  it('treats a moment a little ahead (clocks apart) as just now, and nothing as a dash', () => {
    expect(relativeTime(ago(-30_000), NOW, 'id')).toBe('baru saja');
    expect(relativeTime(null, NOW, 'id')).toBe('—');
    expect(relativeTime('not a time', NOW, 'en')).toBe('—');
    expect(relativeTime(new Date(NOW - 2 * MIN), NOW, 'en')).toBe('2 minutes ago');
  });

  it('counts the changes waiting', () => {
    expect(pendingText(1, 'en')).toBe('1 change waiting');
    expect(pendingText(4, 'en')).toBe('4 changes waiting');
    expect(pendingText(4, 'id')).toBe('4 perubahan menunggu');
  });

  it('words a run’s duration', () => {
    expect(durationText(54, 'id')).toBe('0,1 detik');
    expect(durationText(12, 'id')).toBe('kurang dari 0,1 detik');
    expect(durationText(12, 'en')).toBe('under 0.1 s');
    expect(durationText(2_400, 'en')).toBe('2.4 s');
    expect(durationText(12_600, 'id')).toBe('13 detik');
  });
});

describe('the header’s indicator', () => {
  it('says nothing while sync is not set up', () => {
    expect(syncIndicator(undefined, NOW, 'id')).toBeNull();
    expect(syncIndicator(status({ configured: false, pending_changes: 3 }), NOW, 'id')).toBeNull();
  });

  it('says when the last sync succeeded, and the changes waiting', () => {
    const s = status({ last_success_at: ago(5 * MIN), last_attempt_at: ago(5 * MIN), pending_changes: 2 });
    expect(syncIndicator(s, NOW, 'id')).toEqual({ tone: 'ok', text: 'Disinkronkan 5 menit lalu', pending: 2, error: null });
    expect(syncIndicator(s, NOW, 'en')?.text).toBe('Synced 5 minutes ago');
  });

  it('says the last attempt failed, and why, in words', () => {
    const s = status({
      last_success_at: ago(60 * MIN),
      last_attempt_at: ago(2 * MIN),
      last_error: TOKEN_REFUSED,
      pending_changes: 1,
    });
    const id = syncIndicator(s, NOW, 'id')!;
    expect(id.tone).toBe('failed');
    expect(id.text).toBe('Sinkronisasi gagal 2 menit lalu');
    expect(id.error).toMatch(/^Kantor pusat menolak token cabang ini/);
    expect(syncIndicator(s, NOW, 'en')!.error).toMatch(/^Head office refused this branch's token/);
  });

  it('forgets an error a later success cleared, and shows a run in progress', () => {
    // a success is recorded after its attempt began
    const s = status({ last_success_at: ago(MIN), last_attempt_at: ago(MIN + 500), last_error: 'stale' });
    expect(lastAttemptFailed(s)).toBe(false);
    expect(syncIndicator(s, NOW, 'en')?.tone).toBe('ok');
    expect(syncIndicator(status({ running: true }), NOW, 'id')?.text).toBe('Menyinkronkan…');
    expect(syncIndicator(status(), NOW, 'id')?.text).toBe('Belum pernah disinkronkan');
  });
});

describe('head office’s failures and refusals, in words', () => {
  it('translates what the core says went wrong', () => {
    expect(syncFailureText(TOKEN_REFUSED, 'id')).toBe(
      'Kantor pusat menolak token cabang ini (salah atau sudah dicabut). Minta token baru ke kantor pusat lalu simpan di pengaturan sinkronisasi. Perubahan yang menunggu tidak hilang.',
    );
    expect(syncFailureText('head office speaks another sync protocol: update Loket (protocol 2 required)', 'id')).toBe(
      'Kantor pusat memakai versi sinkronisasi lain: perbarui Loket (protocol 2 required).',
    );
    expect(
      syncFailureText('head office at https://hq.example.com cannot be reached: Connection refused (os error 111)', 'id'),
    ).toBe(
      'Kantor pusat di https://hq.example.com tidak dapat dihubungi (Connection refused (os error 111)). Periksa alamatnya dan koneksi internet.',
    );
    expect(
      syncFailureText("head office did not answer within the sync's 30 s limit; the rest waits for the next sync", 'id'),
    ).toBe('Kantor pusat tidak menjawab dalam batas 30 detik; sisanya dikirim pada sinkronisasi berikutnya.');
    expect(syncFailureText('head office answered 500: boom', 'id')).toBe('Kantor pusat menjawab 500: boom.');
    expect(syncFailureText('something new', 'id')).toBe('Something new.');
    expect(syncFailureText(TOKEN_REFUSED, 'en')).toBe(
      "Head office refused this branch's token (wrong or revoked); ask head office for a new token and save it in the sync settings. Nothing queued is lost.",
    );
  });

  it('shows a failed run (502), a run already going (409) and the not-set-up refusal as sentences', () => {
    expect(errorText(new ApiError('unavailable', TOKEN_REFUSED, null, 502), 'id')).toMatch(/^Kantor pusat menolak token/);
    expect(
      errorText(new ApiError('conflict', 'a sync with head office is already running; wait for it to finish', null, 409), 'id'),
    ).toBe('Sinkronisasi dengan kantor pusat sedang berjalan; tunggu sampai selesai.');
    expect(
      errorText(new ApiError('conflict', 'a sync with head office is already running; wait for it to finish', null, 409), 'en'),
    ).toBe('A sync with head office is already running; wait for it to finish.');
    expect(
      validationText('hq_url', "sync is not set up: save head office's address and this branch's token first", 'id'),
    ).toBe('Alamat kantor pusat belum diatur: simpan alamat kantor pusat dan token cabang ini dulu.');
  });

  it('labels the settings’ field errors', () => {
    expect(validationText('hq_url', 'must be https:// (plain http:// only for a head office on this machine)', 'id')).toBe(
      'Alamat kantor pusat harus https:// (http:// biasa hanya untuk kantor pusat di komputer ini).',
    );
    expect(validationText('interval_min', 'must be between 0 and 1440', 'id')).toBe(
      'Sinkronkan setiap (menit) harus antara 0 dan 1440.',
    );
    expect(validationText('ca_cert', 'must be a PEM certificate (-----BEGIN CERTIFICATE----- …)', 'en')).toBe(
      'CA certificate (optional) must be a PEM certificate (-----BEGIN CERTIFICATE----- …).',
    );
  });

  it('translates head office’s reasons for refusing a change', () => {
    expect(refusalText('the row must be a JSON object', 'id')).toBe('Isi data tidak terbaca (bukan objek JSON).');
    expect(refusalText('unknown entity kind "gizmo"', 'id')).toBe('Jenis data "gizmo" tidak dikenal kantor pusat.');
    expect(refusalText('the row must be a JSON object', 'en')).toBe('The row must be a JSON object.');
  });
});

describe('the settings form', () => {
  const stored = { hq_url: 'https://hq.example.com', token: '••••abcd', interval_min: 15, ca_cert: null };

  it('starts from the stored settings, the token empty (write-only)', () => {
    expect(syncForm(stored)).toEqual({ hq_url: 'https://hq.example.com', token: '', interval_min: '15', ca_cert: '' });
  });

  it('keeps the stored token when the field is left empty, sends a typed one', () => {
    const kept = syncUpdate(syncForm(stored));
    expect(kept).toEqual({ hq_url: 'https://hq.example.com', interval_min: 15, ca_cert: null });
    expect('token' in kept).toBe(false);
    expect(syncUpdate({ ...syncForm(stored), token: '  new-token ' }).token).toBe('new-token');
  });

  it('clears the address when emptied, keeps a pasted certificate, checks the interval', () => {
    const out = syncUpdate({ hq_url: ' ', token: '', interval_min: '0', ca_cert: '\n-----BEGIN CERTIFICATE-----\nx\n' });
    expect(out).toEqual({ hq_url: null, interval_min: 0, ca_cert: '-----BEGIN CERTIFICATE-----\nx' });
    expect(syncFormErrors({ ...syncForm(stored), interval_min: '' })).toEqual({ interval_min: 'sync.intervalWhole' });
    expect(syncFormErrors({ ...syncForm(stored), interval_min: '2.5' })).toEqual({ interval_min: 'sync.intervalWhole' });
    expect(syncFormErrors(syncForm(stored))).toEqual({});
  });
});
