import type { ReactNode } from 'react';
import { Empty } from './Empty';
import { Loading } from './Loading';

/**
 * The three states of a loaded list, in one place instead of a ternary per
 * screen: <Loading/> on the first load (no data yet), <Empty text={empty}/>
 * when there are no rows (or the load failed; the screen shows the error
 * itself), else `children(rows)`. Data kept while reloading stays on screen.
 */
export function Rows<T>({
  query,
  empty,
  children,
}: {
  query: { isPending: boolean; data?: { data: T[] } };
  empty: string;
  children: (rows: T[]) => ReactNode;
}) {
  if (query.isPending) return <Loading />;
  if (!query.data?.data.length) return <Empty text={empty} />;
  return children(query.data.data);
}
