import { describe, expect, it } from 'vitest';
import type { Staff } from '../src/api/ops';
import { ApiError } from '../src/api/transport';
import { translate } from '../src/i18n';
import { errorText, validationText } from '../src/i18n/errors';
import { can } from '../src/lib/permissions';
import {
  EMPLOYMENT_STATUSES,
  activeParam,
  createInput,
  hasChanges,
  parseActiveFilter,
  staffForm,
  updateInput,
} from '../src/lib/staff';

const rina: Staff = {
  id: '0190a1b2-0000-7000-8000-000000000001',
  staff_code: 'ST-001',
  name: 'Rina Marlina',
  short_code: 'Sales A',
  phone: '6281234567890',
  email: 'rina@example.com',
  employment_status: 'contract',
  active: true,
  created_at: '2026-01-02T03:04:05Z',
  updated_at: '2026-01-02T03:04:05Z',
  version: 3,
};

describe('the active filter', () => {
  it('reads the URL value, "active" unless told otherwise', () => {
    expect(parseActiveFilter(null)).toBe('active');
    expect(parseActiveFilter('nonsense')).toBe('active');
    expect(parseActiveFilter('inactive')).toBe('inactive');
    expect(parseActiveFilter('all')).toBe('all');
  });

  it('becomes the `active` input of staff.list (null: both)', () => {
    expect(activeParam('active')).toBe(true);
    expect(activeParam('inactive')).toBe(false);
    expect(activeParam('all')).toBeNull();
  });
});

describe('the staff editor’s input', () => {
  it('starts a new record permanent and active, with no code (the core allocates ST-NNN)', () => {
    expect(staffForm()).toEqual({
      staff_code: '',
      name: '',
      short_code: '',
      phone: '',
      email: '',
      employment_status: 'permanent',
      active: true,
    });
  });

  it('shows an existing record as typed (local phone)', () => {
    expect(staffForm(rina)).toMatchObject({ staff_code: 'ST-001', phone: '0812-3456-7890', short_code: 'Sales A' });
  });

  it('creates with empty optional fields left to the core (null), text trimmed', () => {
    const f = { ...staffForm(), name: '  Dewi Lestari ', short_code: ' Sales B ', email: '  ' };
    expect(createInput(f)).toEqual({
      staff_code: null,
      name: 'Dewi Lestari',
      short_code: 'Sales B',
      phone: null,
      email: null,
      employment_status: 'permanent',
      active: true,
    });
    expect(createInput({ ...f, staff_code: 'MKT-7' }).staff_code).toBe('MKT-7');
  });

  it('updates only what changed, with the version seen; an emptied field is cleared (null)', () => {
    const initial = staffForm(rina);
    const same = updateInput(rina, initial, initial);
    expect(same).toEqual({ id: rina.id, version: 3 });
    expect(hasChanges(same)).toBe(false);

    const edited = updateInput(rina, initial, { ...initial, short_code: 'Sales C', email: '', active: false });
    expect(edited).toEqual({ id: rina.id, version: 3, short_code: 'Sales C', email: null, active: false });
    expect(hasChanges(edited)).toBe(true);
    // the phone as shown is not sent back unless it was changed
    expect('phone' in edited).toBe(false);
  });
});

describe('staff words and messages', () => {
  it('translates every employment status in both languages', () => {
    for (const e of EMPLOYMENT_STATUSES) {
      for (const lang of ['id', 'en'] as const) {
        expect(translate(lang, `employment.${e}`)).not.toBe(`employment.${e}`);
      }
    }
    expect(translate('id', 'employment.contract')).toBe('Kontrak');
  });

  it('names the staff fields in validation messages', () => {
    expect(validationText('email', 'is not a valid e-mail address', 'id')).toBe('E-mail bukan alamat e-mail yang valid.');
    expect(validationText('short_code', 'must be at most 20 characters', 'id')).toBe('Kode singkat maksimal 20 karakter.');
    expect(validationText('staff_code', 'ST-001 is already used', 'id')).toBe('Kode staf ST-001 sudah dipakai.');
    expect(validationText('staff_code', 'ST-001 is already used', 'en')).toBe('Staff code ST-001 is already used.');
  });

  it('explains a stale staff record (two words) as a conflict sentence', () => {
    const stale = new ApiError(
      'conflict',
      'this staff record was changed by someone else since you opened it (version 3, now 4); reload and try again',
      null,
      409,
    );
    expect(errorText(stale, 'id')).toBe('Data ini sudah diubah orang lain sejak Anda membukanya. Muat ulang lalu coba lagi.');
  });

  it('the screen asks the permissions the core listed for the user', () => {
    expect(can(['staff.read', 'staff.write'], 'staff.write')).toBe(true);
    expect(can(['staff.read'], 'staff.write')).toBe(false);
    expect(can(undefined, 'staff.read')).toBe(false);
  });
});
