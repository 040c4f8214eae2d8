import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../src/api/transport';
import { Form } from '../src/components/Form';
import { TextField } from '../src/components/TextField';
import { I18nProvider } from '../src/i18n';
import { errorText, fieldErrors, validationText } from '../src/i18n/errors';
import type { Lang } from '../src/lib/format';

(globalThis as unknown as { IS_REACT_ACT_ENVIRONMENT: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

describe('messages from the core, in the user’s language', () => {
  it('puts the field label before a translated validation message', () => {
    expect(validationText('customer.ktp_number', 'must be 16 digits', 'id')).toBe('Nomor KTP harus 16 digit.');
    expect(validationText('customer.ktp_number', 'must be 16 digits', 'en')).toBe('KTP number must be 16 digits.');
    expect(validationText('npwp_number', 'must be 15 or 16 digits', 'id')).toBe('Nomor NPWP harus 15 atau 16 digit.');
    expect(validationText('price', 'is required when no unit or slot is booked', 'id')).toBe(
      'Harga wajib diisi bila tidak memesan unit atau slot.',
    );
    expect(validationText('customer.phone', 'already belongs to CS-000001 (Budi Santoso)', 'id')).toBe(
      'Telepon sudah dipakai oleh CS-000001 (Budi Santoso).',
    );
    expect(validationText('address', 'is required for a service booking', 'id')).toBe(
      'Alamat wajib diisi untuk booking layanan.',
    );
    expect(validationText('days[2].end', 'must be after start', 'id')).toBe('Selesai harus setelah jam mulai.');
  });

  it('reads the message as the core sends it (`field: rule`)', () => {
    expect(validationText('customer.ktp_number', 'customer.ktp_number: must be 16 digits', 'id')).toBe(
      'Nomor KTP harus 16 digit.',
    );
    expect(validationText('price', 'price: is required when no unit or slot is booked', 'en')).toBe(
      'Price is required when no unit or slot is booked.',
    );
  });

  it('keeps an unknown message readable rather than hiding it', () => {
    expect(validationText('price', 'some new rule', 'id')).toBe('Harga some new rule.');
  });

  it('translates conflicts into sentences, never JSON', () => {
    const unit = new ApiError('conflict', 'unit UNIT-001 is booked and cannot take a new booking', null, 409);
    expect(errorText(unit, 'id')).toBe('Unit UNIT-001 berstatus "dipesan" dan tidak bisa dipesan lagi.');
    expect(errorText(unit, 'en')).toBe('Unit UNIT-001 is booked and cannot take a new booking.');
    const slot = new ApiError('conflict', 'the slot 2026-12-01 10:00 with Mbak Ayu is already booked', null, 409);
    expect(errorText(slot, 'id')).toBe('Slot 2026-12-01 10:00 dengan Mbak Ayu sudah dipesan orang lain.');
    const stale = new ApiError(
      'conflict',
      'this booking was changed by someone else since you opened it (version 3, now 4); reload and try again',
    );
    expect(errorText(stale, 'id')).toMatch(/sudah diubah orang lain/);
    const status = new ApiError('conflict', 'BK-2026-001 is pending; it cannot become completed');
    expect(errorText(status, 'id')).toBe(
      'BK-2026-001 berstatus "menunggu pembayaran" sehingga tidak bisa menjadi "selesai".',
    );
  });

  it('explains the other error codes', () => {
    expect(errorText(new ApiError('forbidden', 'your role may not manage users'), 'id')).toBe(
      'Peran Anda tidak diizinkan mengelola pengguna.',
    );
    expect(errorText(new ApiError('not_found', 'booking not found'), 'id')).toBe('Booking tidak ditemukan.');
    expect(errorText(new ApiError('login_failed', 'wrong username or password'), 'en')).toBe(
      'Wrong username or password.',
    );
    expect(errorText(new ApiError('network', 'Failed to fetch'), 'id')).toMatch(/Tidak dapat terhubung/);
    expect(errorText(new Error('boom'), 'id')).toMatch(/Loket tidak dapat menyelesaikan/);
  });

  it('says how long a locked login waits, in words, and that the desk is busy', () => {
    const locked = new ApiError(
      'too_many_attempts',
      'too many failed logins for this username; try again in 30 seconds',
      null,
      429,
    );
    expect(errorText(locked, 'id')).toBe('Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam 30 detik.');
    expect(errorText(locked, 'en')).toBe('Too many failed logins. Try again in 30 seconds.');
    const address = new ApiError(
      'too_many_attempts',
      "too many failed logins for this computer's address; try again in 2 minutes",
      null,
      429,
    );
    expect(errorText(address, 'id')).toBe(
      'Terlalu banyak percobaan masuk yang gagal dari komputer ini. Coba lagi dalam 2 menit.',
    );
    expect(errorText(new ApiError('busy', 'busy', null, 503), 'id')).toBe(
      'Loket sedang sibuk memeriksa login lain. Coba lagi sebentar lagi.',
    );
    expect(validationText('new_password', 'is too common and easy to guess; choose another', 'id')).toBe(
      'Kata sandi baru terlalu umum dan mudah ditebak; pilih yang lain.',
    );
    expect(validationText('current_password', 'is not your current password', 'en')).toBe(
      'Current password is not your current password.',
    );
  });

  it('maps a field error to its field', () => {
    const e = new ApiError('validation', 'must be 16 digits', 'customer.ktp_number', 422);
    expect(fieldErrors(e, 'id')).toEqual({ 'customer.ktp_number': 'Nomor KTP harus 16 digit.' });
    expect(fieldErrors(new ApiError('conflict', 'x'), 'id')).toEqual({});
  });
});

describe('a form shows the core’s message next to the field it names', () => {
  let host: HTMLDivElement;
  let root: Root;
  beforeEach(() => {
    host = document.createElement('div');
    document.body.appendChild(host);
    root = createRoot(host);
  });
  afterEach(() => {
    act(() => root.unmount());
    host.remove();
  });

  function render(error: unknown, lang: Lang) {
    act(() =>
      root.render(
        <I18nProvider lang={lang}>
          <Form onSubmit={() => {}} error={error}>
            <TextField name="customer.name" label="Nama" value="Budi" onChange={() => {}} />
            <TextField name="customer.ktp_number" label="Nomor KTP" value="123" onChange={() => {}} />
          </Form>
        </I18nProvider>,
      ),
    );
  }
  const fieldBox = (name: string) => host.querySelector(`[data-field="${name}"]`)!;

  it('in Indonesian', () => {
    render(new ApiError('validation', 'customer.ktp_number: must be 16 digits', 'customer.ktp_number', 422), 'id');
    const ktp = fieldBox('customer.ktp_number');
    expect(ktp.querySelector('.field-error')?.textContent).toBe('Nomor KTP harus 16 digit.');
    expect(ktp.querySelector('input')?.getAttribute('aria-invalid')).toBe('true');
    expect(ktp.classList.contains('has-error')).toBe(true);
    // the other field is untouched, and the banner only points at the field
    expect(fieldBox('customer.name').querySelector('.field-error')).toBeNull();
    expect(host.querySelector('.banner-error')).toBeNull();
    expect(host.querySelector('.form-hint-error')?.textContent).toBe('Periksa kolom yang ditandai.');
    // the field with the error gets the focus
    expect(document.activeElement).toBe(ktp.querySelector('input'));
  });

  it('in English', () => {
    render(new ApiError('validation', 'must be 16 digits', 'customer.ktp_number', 422), 'en');
    expect(fieldBox('customer.ktp_number').querySelector('.field-error')?.textContent).toBe(
      'KTP number must be 16 digits.',
    );
  });

  it('errors without a field in this form appear above it, readable', () => {
    render(new ApiError('conflict', 'unit UNIT-001 is booked and cannot take a new booking', null, 409), 'id');
    expect(host.querySelector('.banner-error')?.textContent).toBe(
      'Unit UNIT-001 berstatus "dipesan" dan tidak bisa dipesan lagi.',
    );
    expect(host.querySelectorAll('.field-error')).toHaveLength(0);
    render(new ApiError('validation', 'is required', 'price', 422), 'id');
    expect(host.querySelector('.banner-error')?.textContent).toBe('Harga wajib diisi.');
  });

  it('puts the focus in the first field', () => {
    render(null, 'id');
    expect(document.activeElement).toBe(fieldBox('customer.name').querySelector('input'));
  });
});
