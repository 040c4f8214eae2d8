import type { ReactNode } from 'react';
import type { Loaded } from '../lib/hooks';
import { Empty } from './Empty';
import { Loading } from './Loading';

/**
 * The three states of a loaded list, in one place instead of a ternary per
 * screen: <Loading/> on the first load (no data yet), <Empty text={empty}/>
 * when there are no rows (or the load failed; the screen shows the error
 * itself), else `children(rows)`. Data kept while reloading stays on screen.
 */
export function Rows<T>({
  load,
  empty,
  children,
}: {
  load: Pick<Loaded<{ data: T[] }>, 'loading' | 'data'>;
  empty: string;
  children: (rows: T[]) => ReactNode;
}) {
  if (load.loading && !load.data) return <Loading />;
  if (!load.data?.data.length) return <Empty text={empty} />;
  return children(load.data.data);
}
