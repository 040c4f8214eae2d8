// What each role may do, mirroring `Role::allows` in the core (src/auth.rs).
// The UI only hides what a role may not do; the core still enforces it.
import type { Role } from '../api/ops';

export type Permission =
  | 'customers.sensitive'
  | 'customers.delete'
  | 'units.write'
  | 'bookings.cancel'
  | 'priority.recalculate'
  | 'audit.read'
  | 'staff.write'
  | 'users.manage'
  | 'settings.write'
  | 'catalog.write'
  | 'schedule.write';

const MATRIX: Record<Permission, Role[]> = {
  'customers.sensitive': ['admin', 'manager', 'marketing'],
  'units.write': ['admin', 'manager', 'marketing'],
  'bookings.cancel': ['admin', 'manager', 'marketing', 'front_desk'],
  'customers.delete': ['admin', 'manager'],
  'staff.write': ['admin', 'manager'],
  'priority.recalculate': ['admin', 'manager'],
  'audit.read': ['admin', 'manager'],
  'users.manage': ['admin'],
  'settings.write': ['admin'],
  'catalog.write': ['admin', 'manager'],
  'schedule.write': ['admin', 'manager', 'front_desk'],
};

export function can(role: Role | null | undefined, p: Permission): boolean {
  return !!role && MATRIX[p].includes(role);
}
