// Pure rules of the staff screen: the active/inactive/all filter and what the
// editor sends (create: empty fields left out; update: only what changed,
// an emptied optional field sent as null to clear it).
import type { OpInput, Staff } from '../api/ops';
import { formatPhone, optionalText } from './format';

export type EmploymentStatus = Staff['employment_status'];
export const EMPLOYMENT_STATUSES: EmploymentStatus[] = ['permanent', 'contract', 'freelance'];

export type ActiveFilter = 'active' | 'inactive' | 'all';
export const ACTIVE_FILTERS: ActiveFilter[] = ['active', 'inactive', 'all'];

/** The filter as read from the URL (`?active=inactive`); anything else is "active". */
export function parseActiveFilter(v: string | null | undefined): ActiveFilter {
  return v === 'inactive' || v === 'all' ? v : 'active';
}

/** The `active` input of `staff.list` for a filter (null: both). */
export function activeParam(f: ActiveFilter): boolean | null {
  return f === 'all' ? null : f === 'active';
}

/** The editor's fields, as typed. */
export interface StaffForm {
  staff_code: string;
  name: string;
  short_code: string;
  phone: string;
  email: string;
  employment_status: EmploymentStatus;
  active: boolean;
}

/** The editor's starting values: a new record, or `s` as shown (phone as 0812-3456-7890). */
export function staffForm(s?: Staff): StaffForm {
  return {
    staff_code: s?.staff_code ?? '',
    name: s?.name ?? '',
    short_code: s?.short_code ?? '',
    phone: s?.phone ? formatPhone(s.phone) : '',
    email: s?.email ?? '',
    employment_status: s?.employment_status ?? 'permanent',
    active: s?.active ?? true,
  };
}

/** `staff.create` for the form: no code means the core allocates one (ST-NNN). */
export function createInput(f: StaffForm): OpInput<'staff.create'> {
  return {
    staff_code: optionalText(f.staff_code),
    name: f.name.trim(),
    short_code: optionalText(f.short_code),
    phone: optionalText(f.phone),
    email: optionalText(f.email),
    employment_status: f.employment_status,
    active: f.active,
  };
}

/** `staff.update` for `s`, with only the fields changed from `initial`. */
export function updateInput(s: Pick<Staff, 'id' | 'version'>, initial: StaffForm, f: StaffForm): OpInput<'staff.update'> {
  const input: OpInput<'staff.update'> = { id: s.id, version: s.version };
  if (f.name !== initial.name) input.name = f.name.trim();
  if (f.short_code !== initial.short_code) input.short_code = optionalText(f.short_code);
  if (f.phone !== initial.phone) input.phone = optionalText(f.phone);
  if (f.email !== initial.email) input.email = optionalText(f.email);
  if (f.employment_status !== initial.employment_status) input.employment_status = f.employment_status;
  if (f.active !== initial.active) input.active = f.active;
  return input;
}

/** Whether the update would change anything (only `id` and `version` otherwise). */
export function hasChanges(input: OpInput<'staff.update'>): boolean {
  return Object.keys(input).some((k) => k !== 'id' && k !== 'version');
}
