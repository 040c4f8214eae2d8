import { describe, expect, it } from 'vitest';
import { changedValues } from '../src/lib/changes';

describe('changedValues', () => {
  it('keeps only the API values whose form field changed', () => {
    const initial = { name: 'Budi', email: '', year: '2019' };
    const form = { name: 'Budi Santoso', email: '', year: '' };
    const values = { name: form.name, email: null, year: null };
    expect(changedValues(values, form, initial)).toEqual({ name: 'Budi Santoso', year: null });
  });

  it('is empty when nothing changed', () => {
    const f = { plate_number: 'B 1 XY', model: 'Avanza' };
    expect(changedValues({ plate_number: 'B 1 XY', model: 'Avanza' }, f, { ...f })).toEqual({});
  });
});
