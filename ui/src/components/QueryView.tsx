import type { ReactNode } from 'react';
import { ErrorMessage } from './ErrorMessage';
import { Loading } from './Loading';

/** One query's states in one place: its error, <Loading/> until the first answer, then `children(data)`. */
export function QueryView<T>({
  query,
  children,
}: {
  query: { data: T | undefined; error: unknown; isPending: boolean };
  children: (data: T) => ReactNode;
}) {
  return (
    <>
      <ErrorMessage error={query.error} />
      {query.data !== undefined ? children(query.data) : query.isPending ? <Loading /> : null}
    </>
  );
}
