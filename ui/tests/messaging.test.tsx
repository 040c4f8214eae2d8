import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../src/api/transport';
import { FrequencyChart } from '../src/components/FrequencyChart';
import { I18nProvider } from '../src/i18n';
import { errorText, validationText } from '../src/i18n/errors';
import { barLayout, niceStep } from '../src/lib/barLayout';
import { formatNumber } from '../src/lib/format';
import {
  baseUrlAfterKindChange,
  canCancel,
  canResend,
  frequencyPoints,
  gatewayFields,
  gatewayForm,
  gatewayUpdate,
  insertPlaceholder,
  jobResultText,
  nextServiceDate,
  normalisePlate,
  plateKey,
  scanPlaceholders,
  serviceDue,
  type GatewaySettings,
} from '../src/lib/messaging';

(globalThis as unknown as { IS_REACT_ACT_ENVIRONMENT: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const PLACEHOLDERS = [
  'customer_name',
  'booking_code',
  'date',
  'time',
  'service',
  'provider',
  'unit',
  'address',
  'amount',
  'vehicle',
  'plate',
  'business_name',
];

describe('plates, as the core spells them', () => {
  it('normalises the usual spellings to region, number and suffix', () => {
    for (const raw of ['b1234cd', 'B-1234-CD', ' B 1234 CD ', 'b.1234.cd']) expect(normalisePlate(raw)).toBe('B 1234 CD');
    expect(normalisePlate('AB 1 X')).toBe('AB 1 X');
    expect(normalisePlate('d 123')).toBe('D 123');
    expect(normalisePlate('RI 1')).toBe('RI 1');
  });
  it('keeps the grouping of special plates', () => {
    expect(normalisePlate('cd-12-345-67')).toBe('CD 12 345 67');
  });
  it('answers null where the core would refuse the plate', () => {
    expect(normalisePlate('')).toBeNull();
    expect(normalisePlate('   ')).toBeNull();
    expect(normalisePlate('B_1234')).toBeNull();
    expect(normalisePlate('B')).toBeNull();
    expect(normalisePlate('B 1234567890123')).toBeNull();
  });
  it('keys plates by letters and digits', () => {
    expect(plateKey('B 1234 CD')).toBe('B1234CD');
    expect(plateKey('b-1234.cd')).toBe('B1234CD');
  });
});

describe('service dates', () => {
  it('derives the next service from the last one and the interval', () => {
    expect(nextServiceDate('2026-01-31', 30)).toBe('2026-03-02');
    expect(nextServiceDate('2026-12-20', 14)).toBe('2027-01-03');
    expect(nextServiceDate('', 30)).toBeNull();
    expect(nextServiceDate('2026-01-31', null)).toBeNull();
    expect(nextServiceDate('2026-01-31', 0)).toBeNull();
  });
  it('is due soon within the reminder window, overdue before today', () => {
    const today = '2026-11-22';
    expect(serviceDue(null, today, 7)).toBeNull();
    expect(serviceDue('2026-11-21', today, 7)).toBe('overdue');
    expect(serviceDue('2026-11-22', today, 7)).toBe('soon');
    expect(serviceDue('2026-11-29', today, 7)).toBe('soon');
    expect(serviceDue('2026-11-30', today, 7)).toBeNull();
    expect(serviceDue('2026-11-22', today, 0)).toBe('soon');
    expect(serviceDue('2026-12-31', '2026-12-30', 1)).toBe('soon');
  });
});

describe('template placeholders', () => {
  it('lists the placeholders used, in order, and the unknown ones', () => {
    expect(scanPlaceholders('Hi {customer_name}, {date} {customer_name}', PLACEHOLDERS)).toEqual({
      used: ['customer_name', 'date'],
      unknown: [],
    });
    expect(scanPlaceholders('Hi {nama} {customer_name} {nama}', PLACEHOLDERS)).toEqual({
      used: ['customer_name'],
      unknown: ['nama'],
    });
  });
  it('leaves braces that are not names alone (as the core does)', () => {
    expect(scanPlaceholders('a { b } {1,2} {', PLACEHOLDERS)).toEqual({ used: [], unknown: [] });
    expect(scanPlaceholders('{{customer_name}}', PLACEHOLDERS).used).toEqual(['customer_name']);
  });
  it('inserts at the caret and puts the caret after the placeholder', () => {
    expect(insertPlaceholder('Halo , terima kasih', 5, 5, 'customer_name')).toEqual({
      body: 'Halo {customer_name}, terima kasih',
      caret: 20,
    });
  });
  it('replaces a selection', () => {
    expect(insertPlaceholder('Halo NAMA!', 5, 9, 'customer_name')).toEqual({ body: 'Halo {customer_name}!', caret: 20 });
  });
  it('appends when there is no caret and clamps positions out of range', () => {
    expect(insertPlaceholder('Halo ', null, null, 'date')).toEqual({ body: 'Halo {date}', caret: 11 });
    expect(insertPlaceholder('ab', 10, 20, 'time')).toEqual({ body: 'ab{time}', caret: 8 });
    expect(insertPlaceholder('ab', 2, 1, 'time')).toEqual({ body: 'ab{time}', caret: 8 });
  });
});

describe('the gateway form', () => {
  const stored: GatewaySettings = {
    kind: 'waha',
    base_url: 'http://127.0.0.1:3000',
    token: '••••abcd',
    phone_number_id: null,
    api_version: 'v21.0',
    session: 'default',
    timeout_secs: 15,
    templates: { reminder_h1: { name: 'pengingat', language: 'id', parameters: ['customer_name', 'date'] } },
  };
  it('shows the settings each gateway uses', () => {
    expect(gatewayFields('log')).toEqual([]);
    expect(gatewayFields('waha')).toEqual(['base_url', 'token', 'session', 'timeout_secs']);
    expect(gatewayFields('fonnte')).toEqual(['base_url', 'token', 'timeout_secs']);
    expect(gatewayFields('meta')).toContain('phone_number_id');
    expect(gatewayFields('meta')).toContain('templates');
  });
  it('keeps the stored token when the field is left empty', () => {
    const f = gatewayForm(stored);
    expect(f.token).toBe('');
    const out = gatewayUpdate(f);
    expect('token' in out).toBe(false);
    expect(out).toEqual({ kind: 'waha', base_url: 'http://127.0.0.1:3000', session: 'default', timeout_secs: 15 });
  });
  it('sends a new token, or null to remove it', () => {
    expect(gatewayUpdate({ ...gatewayForm(stored), token: '  secret-key ' }).token).toBe('secret-key');
    const removed = gatewayUpdate({ ...gatewayForm(stored), token: 'ignored', removeToken: true });
    expect(removed.token).toBeNull();
    expect('token' in removed).toBe(true);
  });
  it('sends an empty address as null (the gateway’s default)', () => {
    expect(gatewayUpdate({ ...gatewayForm(stored), base_url: '  ' }).base_url).toBeNull();
  });
  it('maps Meta templates, dropping empty rows and braces', () => {
    const f = gatewayForm({ ...stored, kind: 'meta', phone_number_id: '123' });
    expect(f.templates.reminder_h1.parameters).toBe('customer_name, date');
    f.templates.unpaid_h1 = { name: 'tagihan', language: 'id', parameters: '{customer_name} {amount}' };
    const out = gatewayUpdate(f);
    expect(out.templates).toEqual({
      reminder_h1: { name: 'pengingat', language: 'id', parameters: ['customer_name', 'date'] },
      unpaid_h1: { name: 'tagihan', language: 'id', parameters: ['customer_name', 'amount'] },
    });
    expect(out.phone_number_id).toBe('123');
    expect('session' in out).toBe(false);
  });
  it('switches to the new gateway’s default address unless one was typed', () => {
    const f = gatewayForm({ ...stored, kind: 'log', base_url: '' });
    expect(baseUrlAfterKindChange(f, 'waha')).toBe('http://localhost:3000');
    expect(baseUrlAfterKindChange({ ...f, kind: 'waha', base_url: 'http://localhost:3000' }, 'fonnte')).toBe('https://api.fonnte.com');
    expect(baseUrlAfterKindChange({ ...f, kind: 'waha', base_url: 'http://10.0.0.5:3000' }, 'fonnte')).toBe('http://10.0.0.5:3000');
  });
});

describe('message actions', () => {
  it('mirror what the core allows', () => {
    expect(['queued', 'sending', 'sent', 'failed', 'unknown', 'canceled'].filter((s) => canResend(s as never))).toEqual([
      'failed',
      'unknown',
      'canceled',
    ]);
    expect(['queued', 'sending', 'sent', 'failed', 'unknown', 'canceled'].filter((s) => canCancel(s as never))).toEqual([
      'queued',
      'failed',
      'unknown',
    ]);
  });
  it('reads job results in Indonesian', () => {
    expect(jobResultText('queued 2 reminders, 1 unpaid notices', 'id')).toBe('2 pengingat dan 1 tagihan diantrekan');
    expect(jobResultText('queued 0 maintenance reminders', 'id')).toBe('0 pengingat servis diantrekan');
    expect(jobResultText('rescored 5, 1 segment changes', 'id')).toBe('5 booking dinilai ulang, 1 berganti segmen');
    expect(jobResultText('canceled 3', 'id')).toBe('3 booking dibatalkan');
    expect(jobResultText('failed: database is locked', 'id')).toBe('gagal: database is locked');
    expect(jobResultText('queued 2 reminders, 1 unpaid notices', 'en')).toBe('queued 2 reminders, 1 unpaid notices');
    expect(jobResultText(null, 'id')).toBe('—');
  });
});

describe('the core’s messaging errors, readable', () => {
  it('an unknown placeholder', () => {
    const msg = 'unknown placeholder {nama}; use {customer_name}, {date}';
    expect(validationText('body', msg, 'id')).toBe('Placeholder {nama} tidak dikenal; gunakan {customer_name}, {date}.');
    expect(validationText('body', msg, 'en')).toBe('Unknown placeholder {nama}; use {customer_name}, {date}.');
  });
  it('plates and gateway fields', () => {
    expect(validationText('plate_number', 'B 1234 CD is already registered to Budi', 'id')).toBe(
      'Nomor polisi B 1234 CD sudah terdaftar atas nama Budi.',
    );
    expect(validationText('base_url', 'must be an http:// or https:// address', 'id')).toBe(
      'Alamat (base URL) harus berupa alamat http:// atau https://.',
    );
    expect(validationText('token', 'is required for Fonnte', 'id')).toBe('Token akses wajib diisi untuk Fonnte.');
    expect(validationText('test_phone', 'must start with 08, +62 or 62', 'id')).toBe('Nomor telepon harus diawali 08, +62 atau 62.');
  });
  it('a message that may not be resent', () => {
    const e = new ApiError('conflict', 'the message is sent; only failed, unknown or canceled messages are resent', null, 409);
    expect(errorText(e, 'id')).toBe(
      'Pesan ini berstatus "terkirim"; hanya pesan "gagal", "tidak pasti (terputus)", "dibatalkan" yang bisa dikirim ulang.',
    );
    expect(errorText(new ApiError('not_found', 'vehicle not found'), 'id')).toBe('Kendaraan tidak ditemukan.');
  });
});

describe('the frequency chart', () => {
  it('picks round steps for the value axis', () => {
    expect(niceStep(0)).toBe(1);
    expect(niceStep(3)).toBe(1);
    expect(niceStep(7)).toBe(2);
    expect(niceStep(23)).toBe(5);
    expect(niceStep(180)).toBe(50);
  });
  it('scales bars to the largest count, in order of frequency', () => {
    const layout = barLayout(frequencyPoints({ '3': 1, '1': 4, '2': 2 }), 400, 200, { top: 0, right: 0, bottom: 0, left: 0 });
    expect(layout.max).toBe(4);
    expect(layout.ticks).toEqual([0, 1, 2, 3, 4]);
    expect(layout.bars.map((b) => [b.key, b.label, b.value])).toEqual([
      ['1', '1×', 4],
      ['2', '2×', 2],
      ['3', '3×', 1],
    ]);
    const [a, b, c] = layout.bars;
    expect(a.height).toBe(200);
    expect(a.y).toBe(0);
    expect(b.height).toBe(100);
    expect(c.height).toBe(50);
    expect(c.y).toBe(150);
    // equal slots, bars centred in them, never overlapping
    expect(b.x - a.x).toBeCloseTo(400 / 3);
    expect(a.x + a.width).toBeLessThan(b.x);
  });
  it('rounds the top of the axis up', () => {
    const layout = barLayout(frequencyPoints({ '1': 7 }), 100, 100);
    expect(layout.max).toBe(8);
    expect(layout.ticks).toEqual([0, 2, 4, 6, 8]);
  });
  it('draws nothing for no data', () => {
    const layout = barLayout(frequencyPoints({}), 100, 100);
    expect(layout.bars).toEqual([]);
    expect(layout.max).toBe(1);
  });
  it('leaves out a frequency or count that is not a number, and a negative count', () => {
    expect(frequencyPoints({ '2': 1, x: 3, '4': -1, '5': Number.NaN, '10': 0 }).map((p) => p.key)).toEqual(['2', '10']);
  });
  it('keeps the default room for the axes where only the left margin is given', () => {
    const layout = barLayout(frequencyPoints({ '1': 1 }), 440, 200, { left: 36 });
    expect(layout.plot).toEqual({ x: 36, y: 20, width: 440 - 36 - 8, height: 200 - 20 - 34 });
  });

  let root: Root;
  let host: HTMLDivElement;
  beforeEach(() => {
    host = document.createElement('div');
    document.body.append(host);
    root = createRoot(host);
  });
  afterEach(() => {
    act(() => root.unmount());
    host.remove();
  });
  it('is an accessible image with the values as text', () => {
    act(() =>
      root.render(
        <I18nProvider lang="id">
          <FrequencyChart data={{ '1': 3, '2': 1 }} />
        </I18nProvider>,
      ),
    );
    const svg = host.querySelector('svg')!;
    expect(svg.getAttribute('role')).toBe('img');
    const label = 'Pelanggan menurut jumlah pesan: 1 pesan: 3 pasangan; 2 pesan: 1 pasangan';
    expect(svg.getAttribute('aria-label')).toBe(label);
    expect(svg.querySelector('title')!.textContent).toBe(label);
    expect([...svg.querySelectorAll('.chart-value')].map((e) => e.textContent)).toEqual(['3', '1']);
    expect([...svg.querySelectorAll('.chart-label')].map((e) => e.textContent)).toEqual(['1×', '2×']);
    expect(svg.querySelectorAll('rect')).toHaveLength(2);
  });
  it('says so when nothing was counted', () => {
    act(() =>
      root.render(
        <I18nProvider lang="en">
          <FrequencyChart data={{}} />
        </I18nProvider>,
      ),
    );
    expect(host.querySelector('svg')).toBeNull();
    expect(host.textContent).toBe('No messages counted yet.');
  });
});

describe('numbers', () => {
  it('in the user’s language', () => {
    expect(formatNumber(1.5, 'id')).toBe('1,5');
    expect(formatNumber(1234.567, 'en')).toBe('1,234.57');
    expect(formatNumber(2, 'id')).toBe('2');
  });
});
