import type { Vehicle } from '../api/ops';
import { useSession } from '../session';
import { today } from './format';
import { serviceDue } from './messaging';

/** Today's date and the reminder window, for the "due soon" badges. */
export function useServiceDue() {
  const { tz, settings } = useSession();
  const day = today(tz);
  const windowDays = settings.maintenance_window_days ?? 7;
  return { day, windowDays, due: (v: Pick<Vehicle, 'next_service_at'>) => serviceDue(v.next_service_at, day, windowDays) };
}
