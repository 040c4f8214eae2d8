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
  | 'schedule.write'
  | 'messaging.configure'
  | 'messages.read'
  | 'messages.manage'
  | 'report.read'
  | 'report.manage'
  | 'jobs.run';

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
  // templates, gateway settings, test message (MessagingConfigure)
  'messaging.configure': ['admin'],
  // the message log (MessagesRead; the jobs list needs only SettingsRead, every role)
  'messages.read': ['admin', 'manager', 'marketing', 'sales', 'front_desk'],
  // resend, cancel, deliver now (MessagesManage)
  'messages.manage': ['admin', 'manager', 'front_desk'],
  // the WhatsApp report and its statistics (ReportRead)
  'report.read': ['admin', 'manager', 'marketing'],
  // delete report rows, reset frequencies (ReportManage)
  'report.manage': ['admin', 'manager'],
  // run a daily job by hand (JobsRun)
  'jobs.run': ['admin', 'manager'],
};

export function can(role: Role | null | undefined, p: Permission): boolean {
  return !!role && MATRIX[p].includes(role);
}
