import { describe, expect, it } from 'vitest';
import {
  addDays,
  daysBetween,
  formatDate,
  formatDateTime,
  formatPhone,
  formatRupiah,
  formatTime,
  localDate,
  parseRupiah,
  toLocalInput,
  today,
  weekStart,
  weekday,
} from '../src/lib/format';

describe('rupiah', () => {
  it('groups thousands with dots', () => {
    expect(formatRupiah('3500000')).toBe('Rp 3.500.000');
    expect(formatRupiah(3500000)).toBe('Rp 3.500.000');
    expect(formatRupiah('0')).toBe('Rp 0');
    expect(formatRupiah('999')).toBe('Rp 999');
    expect(formatRupiah('1000')).toBe('Rp 1.000');
    expect(formatRupiah('375000000')).toBe('Rp 375.000.000');
    expect(formatRupiah('12345678901234')).toBe('Rp 12.345.678.901.234');
  });
  it('shows cents with a comma only when there are any', () => {
    expect(formatRupiah('3500000.00')).toBe('Rp 3.500.000');
    expect(formatRupiah('1250000.5')).toBe('Rp 1.250.000,50');
    expect(formatRupiah('1250000.05')).toBe('Rp 1.250.000,05');
  });
  it('never goes through floating point', () => {
    expect(formatRupiah('9007199254740993')).toBe('Rp 9.007.199.254.740.993');
  });
  it('shows a dash for nothing', () => {
    expect(formatRupiah(null)).toBe('—');
    expect(formatRupiah(undefined)).toBe('—');
    expect(formatRupiah('')).toBe('—');
  });
  it('reads money as typed at the desk', () => {
    expect(parseRupiah('3.500.000')).toBe('3500000');
    expect(parseRupiah('Rp 3.500.000')).toBe('3500000');
    expect(parseRupiah('rp3500000')).toBe('3500000');
    expect(parseRupiah('3500000')).toBe('3500000');
    expect(parseRupiah('1.250.000,50')).toBe('1250000.50');
    expect(parseRupiah('1.500')).toBe('1500');
    expect(parseRupiah('12.5')).toBe('12.5');
    expect(parseRupiah('')).toBeNull();
    expect(parseRupiah('tiga juta')).toBeNull();
    expect(parseRupiah('-5')).toBeNull();
  });
});

describe('dates in the business time zone (Asia/Jakarta, UTC+7)', () => {
  const tz = 'Asia/Jakarta';
  it('puts an instant on the local calendar day around midnight', () => {
    // 23:59 on 30 November in Jakarta is still 16:59 UTC
    expect(localDate('2026-11-30T16:59:59Z', tz)).toBe('2026-11-30');
    // 00:00 on 1 December in Jakarta is 17:00 UTC the day before
    expect(localDate('2026-11-30T17:00:00Z', tz)).toBe('2026-12-01');
    expect(localDate('2026-12-31T17:30:00Z', tz)).toBe('2027-01-01');
  });
  it('formats date and time in Indonesian', () => {
    expect(formatDateTime('2026-11-30T17:30:00Z', tz, 'id')).toBe('Sel, 1 Des 2026, 00.30');
    expect(formatDateTime('2026-11-30T16:59:00Z', tz, 'id')).toBe('Sen, 30 Nov 2026, 23.59');
    expect(formatTime('2026-12-01T03:00:00Z', tz, 'id')).toBe('10.00');
    expect(formatTime('2026-12-01T03:00:00Z', tz, 'en')).toBe('10:00');
    expect(formatDateTime('2026-11-30T17:30:00Z', tz, 'en')).toBe('Tue, 1 Dec 2026, 00:30');
  });
  it('uses the business time zone, not the computer’s', () => {
    expect(formatTime('2026-12-01T03:00:00Z', 'Asia/Makassar', 'id')).toBe('11.00');
    expect(localDate('2026-11-30T16:30:00Z', 'Asia/Jayapura')).toBe('2026-12-01');
  });
  it('knows today in the business time zone', () => {
    expect(today(tz, new Date('2026-11-30T16:59:59Z'))).toBe('2026-11-30');
    expect(today(tz, new Date('2026-11-30T17:00:00Z'))).toBe('2026-12-01');
  });
  it('turns an instant into a datetime-local value in the zone', () => {
    expect(toLocalInput('2026-11-30T17:05:00Z', tz)).toBe('2026-12-01T00:05');
    expect(toLocalInput(null, tz)).toBe('');
  });
  it('never shifts a plain calendar date', () => {
    expect(formatDate('2026-12-01', 'id')).toBe('1 Des 2026');
    expect(formatDate('2026-12-01', 'id', { weekday: true })).toBe('Sel, 1 Des 2026');
    expect(formatDate('2026-12-01', 'id', { long: true })).toBe('1 Desember 2026');
    expect(formatDate('2026-12-01', 'en')).toBe('1 Dec 2026');
    expect(formatDate(null)).toBe('—');
  });
  it('does calendar arithmetic', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(weekday('2026-11-23')).toBe(0); // Monday
    expect(weekday('2026-11-22')).toBe(6); // Sunday
    expect(weekStart('2026-11-22')).toBe('2026-11-16');
    expect(weekStart('2026-11-23')).toBe('2026-11-23');
    expect(daysBetween('2026-11-30', '2026-12-02')).toBe(2);
  });
});

describe('phone numbers', () => {
  it('reads the stored 62… form the Indonesian way', () => {
    expect(formatPhone('6281234567890')).toBe('0812-3456-7890');
    expect(formatPhone('62215551234')).toBe('0215551234');
    expect(formatPhone(null)).toBe('—');
  });
});
