import { useSession } from '../session';
import { STATUS_POLL_MS } from './sync';
import { useOp } from './queries';

/**
 * The sync status, shared by the header and the sync screen (one query,
 * one cache entry): asked again every 30 s, and refreshed after a run
 * (every action refreshes what is on screen).
 */
export function useSyncStatus() {
  const { can } = useSession();
  return useOp('sync.status', {}, { enabled: can('sync.read'), refetchInterval: STATUS_POLL_MS });
}
