// The route table: every screen once, with its path, its navigation entry
// (label and icon; none for detail screens) and the permission it needs.
// The router, the navigation and the "not allowed" screen are all made from
// this one list, so a permission is written here and nowhere else.
import type { ComponentType } from 'react';
import type { Key } from './i18n';
import type { Permission } from './lib/permissions';
import type { Route } from './lib/router';
import { BookingDetail } from './screens/BookingDetail';
import { BookingsList } from './screens/BookingsList';
import { CustomerDetail } from './screens/CustomerDetail';
import { CustomersList } from './screens/CustomersList';
import { GatewayScreen } from './screens/GatewayScreen';
import { MessageLog } from './screens/MessageLog';
import { NewBooking } from './screens/NewBooking';
import { Providers } from './screens/Providers';
import { Schedule } from './screens/Schedule';
import { Services } from './screens/Services';
import { SettingsScreen } from './screens/SettingsScreen';
import { StaffList } from './screens/StaffList';
import { SyncScreen } from './screens/SyncScreen';
import { SyncSettingsScreen } from './screens/SyncSettingsScreen';
import { Templates } from './screens/Templates';
import { Today } from './screens/Today';
import { UnitsGrid } from './screens/UnitsGrid';
import { Users } from './screens/Users';
import { VehiclesList } from './screens/VehiclesList';
import { WhatsAppReport } from './screens/WhatsAppReport';

export interface ScreenProps {
  route: Route;
}

export interface AppRoute {
  /** A React Router pattern: `/bookings/:id`, `/units/:id?`. */
  path: string;
  screen: ComponentType<ScreenProps>;
  /** Shown in the navigation, in table order; detail screens have none. */
  label?: Key;
  icon?: string;
  /** Without it a role sees no navigation entry and gets the "not allowed" screen. */
  permission?: Permission;
  /** The screen starts afresh when this changes (another booking, another pre-filled form). */
  remountKey?: (route: Route) => string;
}

export const ROUTES: readonly AppRoute[] = [
  { path: '/', screen: Today, label: 'nav.today', icon: '★' },
  { path: '/bookings', screen: BookingsList, label: 'nav.bookings', icon: '☰' },
  {
    path: '/bookings/new',
    screen: NewBooking,
    label: 'nav.newBooking',
    icon: '+',
    remountKey: (r) => r.query.toString(),
  },
  { path: '/bookings/:id', screen: BookingDetail, remountKey: (r) => r.params.id ?? '' },
  { path: '/customers', screen: CustomersList, label: 'nav.customers', icon: '☺' },
  { path: '/customers/:id', screen: CustomerDetail, remountKey: (r) => r.params.id ?? '' },
  { path: '/vehicles', screen: VehiclesList, label: 'nav.vehicles', icon: '⚒' },
  // `/units/ID` is the grid with that unit's dialog open.
  { path: '/units/:id?', screen: UnitsGrid, label: 'nav.units', icon: '▦' },
  { path: '/services', screen: Services, label: 'nav.services', icon: '✂' },
  { path: '/providers', screen: Providers, label: 'nav.providers', icon: '⚑' },
  { path: '/schedule', screen: Schedule, label: 'nav.schedule', icon: '▤' },
  { path: '/messages', screen: MessageLog, label: 'nav.messages', icon: '✉', permission: 'messages.read' },
  { path: '/report', screen: WhatsAppReport, label: 'nav.report', icon: '▥', permission: 'report.read' },
  { path: '/templates', screen: Templates, label: 'nav.templates', icon: '✎', permission: 'messaging.configure' },
  { path: '/gateway', screen: GatewayScreen, label: 'nav.gateway', icon: '⇄', permission: 'messaging.configure' },
  // every role sees the sync status; running and configuring it are checked inside
  { path: '/sync', screen: SyncScreen, label: 'nav.sync', icon: '⇅', permission: 'sync.read' },
  { path: '/settings', screen: SettingsScreen, label: 'nav.settings', icon: '⚙', permission: 'settings.write' },
  { path: '/settings/sync', screen: SyncSettingsScreen, permission: 'sync.configure' },
  // every role may read staff (StaffRead); only 'staff.write' may change them
  { path: '/staff', screen: StaffList, label: 'nav.staff', icon: '☷' },
  { path: '/users', screen: Users, label: 'nav.users', icon: '⚇', permission: 'users.manage' },
];

export interface NavItem {
  /** Where the entry links to: the route's path without its optional `:params`. */
  to: string;
  label: Key;
  icon: string;
}

/** Where a route's navigation entry links to: `/units/:id?` → `/units`. */
export function linkPath(pattern: string): string {
  return pattern.replace(/\/:[^/]+\?$/, '');
}

/** The navigation for a user: the labelled routes their permissions allow, in table order. */
export function navItems(can: (p: Permission) => boolean, routes: readonly AppRoute[] = ROUTES): NavItem[] {
  return routes
    .filter((r) => r.label && (!r.permission || can(r.permission)))
    .map((r) => ({ to: linkPath(r.path), label: r.label!, icon: r.icon ?? '' }));
}

/** Which navigation entry is lit for `path`: its own, else its first segment's (`/bookings/ID` → `/bookings`). */
export function activeNavPath(path: string, items: readonly NavItem[]): string {
  if (items.some((n) => n.to === path)) return path;
  const first = path.split('/').filter(Boolean)[0];
  return first ? `/${first}` : '/';
}
