// The one table of every list screen, on TanStack Table: the columns are
// declared once (header, cell, class), the three states of a loaded list are
// handled here (loading, failed, nothing found, rows), and so is paging — by the
// core's pages (`meta` of its answer) or, for rows that are all loaded, here.
// A column with a `sortValue` sorts by a click on its header.
import { useState, type HTMLAttributes, type ReactNode, type TdHTMLAttributes } from 'react';
import {
  flexRender,
  getCoreRowModel,
  getPaginationRowModel,
  getSortedRowModel,
  useReactTable,
  type ColumnDef,
  type PaginationState,
  type SortingState,
} from '@tanstack/react-table';
import type { PageMeta } from '../api/ops';
import { Empty } from './Empty';
import { ErrorMessage } from './ErrorMessage';
import { Loading } from './Loading';
import { Pagination } from './Pagination';

type DataAttributes = { [name: `data-${string}`]: string | number | undefined };

export interface Column<T> {
  id: string;
  header: ReactNode;
  cell: (row: T) => ReactNode;
  /** Class of the column's cells (`num`, `nowrap`, `actions`…). */
  className?: string;
  /** Class of the column's header (`num` to right-align it with its numbers). */
  headerClassName?: string;
  /** More attributes of one row's cell: a class or title that depends on the row. */
  cellProps?: (row: T) => TdHTMLAttributes<HTMLTableCellElement> & DataAttributes;
  /** Makes the column sortable by a click on its header, by this value. */
  sortValue?: (row: T) => string | number;
}

export interface DataTableProps<T> {
  /** The columns; `false` leaves one out (a column only some roles see). */
  columns: readonly (Column<T> | false | null | undefined)[];
  /** What loads the rows: a query answering `{ data: rows, meta? }` as the core lists them; its error shows above the table. */
  query: { isPending: boolean; error?: unknown; data?: { data: readonly T[]; meta?: PageMeta } };
  rowKey: (row: T) => string;
  rowProps?: (row: T) => HTMLAttributes<HTMLTableRowElement> & DataAttributes;
  /** Shown instead of a table without rows (none: the headers stay). */
  empty?: string;
  /** Turns the core's pages: shows the pager under the table from the answer's `meta`. */
  onPage?: (page: number) => void;
  /** Pages rows that are all loaded here, this many a page. */
  pageSize?: number;
  className?: string;
  testId?: string;
  /** Without the scrolling frame (a table inside a card). */
  bare?: boolean;
}

const NO_ROWS: readonly never[] = [];

export function DataTable<T>({
  columns,
  query,
  rowKey,
  rowProps,
  empty,
  onPage,
  pageSize,
  className = 'table',
  testId,
  bare,
}: DataTableProps<T>) {
  const shown = columns.filter((c): c is Column<T> => !!c);
  const byId = new Map(shown.map((c) => [c.id, c]));
  const defs: ColumnDef<T>[] = shown.map((c) => ({
    id: c.id,
    header: () => c.header,
    cell: ({ row }) => c.cell(row.original),
    accessorFn: c.sortValue,
    enableSorting: !!c.sortValue,
    sortDescFirst: false, // a first click sorts ascending, numbers too
  }));
  const rows = query.data?.data ?? NO_ROWS;
  const [sorting, setSorting] = useState<SortingState>([]);
  const [pagination, setPagination] = useState<PaginationState>({ pageIndex: 0, pageSize: pageSize ?? rows.length });
  const table = useReactTable<T>({
    data: rows as T[],
    columns: defs,
    getRowId: rowKey,
    state: pageSize ? { sorting, pagination } : { sorting },
    onSortingChange: setSorting,
    onPaginationChange: setPagination,
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    ...(pageSize ? { getPaginationRowModel: getPaginationRowModel() } : {}),
  });

  const pager = onPage ? (
    <Pagination meta={query.data?.meta} onPage={onPage} />
  ) : pageSize ? (
    <Pagination
      meta={{ page: pagination.pageIndex + 1, page_size: pageSize, page_count: table.getPageCount(), total: rows.length }}
      onPage={(p) => table.setPageIndex(p - 1)}
    />
  ) : null;

  const error = <ErrorMessage error={query.error} />;
  if (query.isPending) {
    return (
      <>
        {error}
        <Loading />
      </>
    );
  }
  // A failed load shows its error and "nothing found" (or nothing, without an `empty` text).
  if (!rows.length && (empty !== undefined || !query.data)) {
    return (
      <>
        {error}
        {empty !== undefined && <Empty text={empty} />}
        {pager}
      </>
    );
  }
  const grid = (
    <table className={className} data-testid={testId}>
      <thead>
        <tr>
          {table.getFlatHeaders().map((h) => {
            const column = byId.get(h.column.id)!;
            const label = flexRender(h.column.columnDef.header, h.getContext());
            const dir = h.column.getIsSorted();
            return (
              <th
                key={h.id}
                className={column.headerClassName}
                aria-sort={dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : undefined}
              >
                {h.column.getCanSort() ? (
                  <button type="button" className="th-sort" onClick={h.column.getToggleSortingHandler()}>
                    {label}
                    <span aria-hidden="true">{dir === 'asc' ? ' ▲' : dir === 'desc' ? ' ▼' : ''}</span>
                  </button>
                ) : (
                  label
                )}
              </th>
            );
          })}
        </tr>
      </thead>
      <tbody>
        {table.getRowModel().rows.map((row) => (
          <tr key={row.id} {...rowProps?.(row.original)}>
            {row.getVisibleCells().map((cell) => {
              const column = byId.get(cell.column.id)!;
              return (
                <td key={cell.id} className={column.className} {...column.cellProps?.(row.original)}>
                  {flexRender(cell.column.columnDef.cell, cell.getContext())}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
  return (
    <>
      {error}
      {bare ? grid : <div className="table-wrap">{grid}</div>}
      {pager}
    </>
  );
}
