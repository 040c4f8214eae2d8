// Head office's page (ui/hq): the Cabang screen's health marker, the report
// charts' scaling and sums, the API client's query strings, and the bot
// settings form's request body.
import { describe, expect, it } from 'vitest';
import { queryString } from '../hq/api/client';
import { compactNumber, sumBy } from '../hq/lib/chart';
import { LATE_AFTER_S, STALE_AFTER_S, branchHealth, durationWords } from '../hq/lib/health';
import { barLayout } from '../src/lib/barLayout';
import { botUpdate } from '../hq/screens/WhatsApp';
import { slugOf } from '../hq/book/BookingPage';

const NOW = Date.parse('2026-12-02T10:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();

describe('branchHealth', () => {
  it('revoked and never-synced branches say so, whatever else they carry', () => {
    expect(branchHealth({ revoked: true, last_push_at: ago(10), behind_seconds: 0 }, NOW)).toBe('revoked');
    expect(branchHealth({ revoked: false, last_push_at: null, behind_seconds: null }, NOW)).toBe('never');
  });
  it('healthy up to an hour since the last push, late up to a day, stale past it', () => {
    expect(branchHealth({ revoked: false, last_push_at: ago(60), behind_seconds: 0 }, NOW)).toBe('healthy');
    expect(branchHealth({ revoked: false, last_push_at: ago(LATE_AFTER_S), behind_seconds: 0 }, NOW)).toBe('healthy');
    expect(branchHealth({ revoked: false, last_push_at: ago(LATE_AFTER_S + 1), behind_seconds: 0 }, NOW)).toBe('late');
    expect(branchHealth({ revoked: false, last_push_at: ago(STALE_AFTER_S), behind_seconds: 0 }, NOW)).toBe('late');
    expect(branchHealth({ revoked: false, last_push_at: ago(STALE_AFTER_S + 1), behind_seconds: 0 }, NOW)).toBe('stale');
  });
  it('a recent push that left old changes behind counts by how old they are', () => {
    expect(branchHealth({ revoked: false, last_push_at: ago(30), behind_seconds: 2 * 3600 }, NOW)).toBe('late');
    expect(branchHealth({ revoked: false, last_push_at: ago(30), behind_seconds: 3 * 86400 }, NOW)).toBe('stale');
  });
  it('an unknown lag (a desk too old to say) counts as none; a branch clock ahead is not negative', () => {
    expect(branchHealth({ revoked: false, last_push_at: ago(30), behind_seconds: null }, NOW)).toBe('healthy');
    expect(branchHealth({ revoked: false, last_push_at: ago(-300) }, NOW)).toBe('healthy');
  });
});

describe('durationWords', () => {
  it('in Indonesian and English', () => {
    expect(durationWords(45, 'id')).toBe('45 detik');
    expect(durationWords(3 * 60 + 5, 'id')).toBe('3 menit');
    expect(durationWords(2 * 3600 + 5 * 60, 'id')).toBe('2 jam 5 menit');
    expect(durationWords(3600, 'en')).toBe('1 h');
    expect(durationWords(4 * 86400 + 7, 'id')).toBe('4 hari');
    expect(durationWords(-5, 'en')).toBe('0 s');
  });
});

describe('barLayout', () => {
  const pts = (values: number[]) => values.map((v, i) => ({ key: String(i), label: String(i), value: v }));
  it('rounds the top up to a nice step and scales bars to it', () => {
    const l = barLayout(pts([3, 7, 0]), 400, 200, { top: 0, right: 0, bottom: 0, left: 0 });
    expect(l.max).toBe(8);
    expect(l.ticks).toEqual([0, 2, 4, 6, 8]);
    expect(l.bars.map((b) => b.height)).toEqual([75, 175, 0]);
    // bars stand on the axis
    for (const b of l.bars) expect(b.y + b.height).toBe(200);
    // one slot each, centred, in order
    expect(l.bars[1].x).toBeGreaterThan(l.bars[0].x);
    expect(l.bars[0].x + l.bars[0].width / 2).toBeCloseTo(400 / 6);
  });
  it('money-sized values get money-sized ticks', () => {
    const l = barLayout(pts([1_250_000, 3_400_000]), 400, 200);
    expect(l.max).toBe(4_000_000);
    expect(l.ticks).toEqual([0, 1_000_000, 2_000_000, 3_000_000, 4_000_000]);
  });
  it('nothing, zeros and nonsense draw flat, never NaN', () => {
    expect(barLayout([], 400, 200).bars).toEqual([]);
    const l = barLayout(pts([0, -3, Number.NaN]), 400, 200);
    expect(l.max).toBe(1);
    for (const b of l.bars) {
      expect(b.height).toBe(0);
      expect(Number.isFinite(b.y)).toBe(true);
    }
  });
});

describe('sumBy', () => {
  it('adds up each key over branches, in key order; decimal strings count', () => {
    const rows = [
      { d: '2026-12-02', v: '100.50' },
      { d: '2026-12-01', v: '10' },
      { d: '2026-12-02', v: 200 },
    ];
    expect(sumBy(rows, (r) => r.d, (r) => r.v)).toEqual([
      { key: '2026-12-01', value: 10 },
      { key: '2026-12-02', value: 300.5 },
    ]);
  });
  it('follows a given order (segments high, medium, low), unknown keys last', () => {
    const rows = ['low', 'odd', 'high', 'low'].map((s) => ({ s, n: 1 }));
    expect(sumBy(rows, (r) => r.s, (r) => r.n, ['high', 'medium', 'low']).map((x) => x.key)).toEqual(['high', 'low', 'odd']);
  });
});

describe('compactNumber and queryString', () => {
  it('axis numbers stay short', () => {
    expect(compactNumber(1_500_000, 'en')).toBe('1.5M');
    expect(compactNumber(0, 'id')).toBe('0');
  });
  it('empty filters are left out of the query string', () => {
    expect(queryString({ branch_id: '', from: '2026-12-01', page: 2, to: undefined })).toBe('?from=2026-12-01&page=2');
    expect(queryString({})).toBe('');
  });
});

describe('botUpdate', () => {
  const form = {
    enabled: true,
    business_name: '  ',
    public_url: ' https://booking.example.com ',
    radius_km: '12,5',
    greeting: '',
    secrets: { meta_app_secret: '', meta_verify_token: ' verify-1 ', waha_api_key: '', waha_hmac_key: '' },
  };
  it('sends the plain settings, empty text as null, a decimal comma as a point', () => {
    expect(botUpdate(form)).toEqual({
      enabled: true,
      business_name: null,
      public_url: 'https://booking.example.com',
      radius_km: 12.5,
      greeting: null,
      meta_verify_token: 'verify-1',
    });
  });
  it('leaves out a secret left empty (head office keeps the stored one)', () => {
    expect(Object.keys(botUpdate(form))).not.toContain('meta_app_secret');
  });
  it('sends a radius that is no number as typed, for head office to name', () => {
    expect(botUpdate({ ...form, radius_km: 'jauh' }).radius_km).toBe('jauh');
  });
});

describe('slugOf', () => {
  it('reads the branch from /book/{slug}, not from /book or /book/confirm', () => {
    expect(slugOf('/book/studio-kemang')).toBe('studio-kemang');
    expect(slugOf('/book/studio-kemang/')).toBe('studio-kemang');
    expect(slugOf('/book')).toBeNull();
    expect(slugOf('/book/confirm')).toBeNull();
  });
});
