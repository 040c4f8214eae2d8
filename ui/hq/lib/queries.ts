import { useQuery } from '@tanstack/react-query';
import { get, type AnswerOf, type QueryOf } from '../api/client';

type Path = Parameters<typeof get>[0];

/** `GET path?query` as a query, keyed by both; loads again whenever the query changes. */
export function useGet<P extends Path>(path: P, query: QueryOf<P>, options: { refetchInterval?: number; enabled?: boolean } = {}) {
  return useQuery<AnswerOf<P>>({ queryKey: [path, query], queryFn: () => get(path, query), ...options });
}

/** Every branch (for filters and names): one page of the largest size. */
export function useBranches() {
  return useGet('/api/v1/branches', { page_size: 200 });
}
