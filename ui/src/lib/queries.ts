// Server state through TanStack Query: every read of the core is a query
// keyed by its operation name and input (cached, deduplicated, kept on screen
// while a new page or filter loads, retried when the core could not be
// reached); every change is an action after which all queries are refreshed,
// so no screen reloads its lists by hand.
import { useCallback, useRef } from 'react';
import { QueryClient, keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { OpInput, OpName, OpOutput } from '../api/ops';
import { ApiError, call } from '../api/transport';

/** Only a failure to reach the core is worth trying again; the core's own answers (403, 404, 422…) are final. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  return failureCount < 2 && error instanceof ApiError && error.code === 'network';
}

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: shouldRetry,
        // the last rows stay on screen while the next page or filter loads
        placeholderData: keepPreviousData,
        // an edit form must not be refilled under the user's hands
        refetchOnWindowFocus: false,
      },
      mutations: { retry: false },
    },
  });
}

/** The app's one cache (dropped at login and logout: another user may see other things). */
export const queryClient = makeQueryClient();

export function opKey<N extends OpName>(name: N, input: OpInput<N>): readonly [N, OpInput<N>] {
  return [name, input];
}

/** Reads operation `name` with `input`; loads again whenever the input changes. */
export function useOp<N extends OpName>(
  name: N,
  input: OpInput<N>,
  options: { enabled?: boolean; refetchInterval?: number } = {},
) {
  return useQuery({ queryKey: opKey(name, input), queryFn: () => call(name, input), ...options });
}

/** Puts an answer the core already gave (a saved record) in the cache, so it shows at once. */
export function setOpData<N extends OpName>(name: N, input: OpInput<N>, data: OpOutput<N>): void {
  queryClient.setQueryData(opKey(name, input), data);
}

export interface Action<A extends unknown[], R> {
  /** Runs the action; resolves to its result, or undefined when it failed (see `error`). */
  run: (...args: A) => Promise<R | undefined>;
  busy: boolean;
  error: unknown;
  clearError: () => void;
}

/**
 * A user action (save, delete, recalculate…): busy while running, keeps the
 * error to show, and afterwards refreshes what is on screen. `refreshes:
 * false` for actions that change nothing (a search, a test message).
 */
export function useAction<A extends unknown[], R>(
  fn: (...args: A) => Promise<R>,
  { refreshes = true }: { refreshes?: boolean } = {},
): Action<A, R> {
  const client = useQueryClient();
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const mutation = useMutation({
    mutationFn: (args: A) => fnRef.current(...args),
    onSuccess: () => {
      if (refreshes) void client.invalidateQueries();
    },
  });
  const { mutateAsync, reset } = mutation;
  const run = useCallback(
    async (...args: A) => {
      try {
        return await mutateAsync(args);
      } catch {
        return undefined; // the error is in `mutation.error`
      }
    },
    [mutateAsync],
  );
  return { run, busy: mutation.isPending, error: mutation.error, clearError: reset };
}
