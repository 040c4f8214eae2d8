import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PageMeta } from '../src/api/ops';
import { ApiError } from '../src/api/transport';
import { DataTable, type Column } from '../src/components/DataTable';
import { I18nProvider } from '../src/i18n';

(globalThis as unknown as { IS_REACT_ACT_ENVIRONMENT: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

interface Plate {
  id: string;
  plate: string;
  year: number;
}

const PLATES: Plate[] = [
  { id: '1', plate: 'B 1234 XY', year: 2019 },
  { id: '2', plate: 'D 77 AB', year: 2021 },
  { id: '3', plate: 'AB 5 C', year: 2015 },
  { id: '4', plate: 'L 900 ZZ', year: 2023 },
  { id: '5', plate: 'F 12 Q', year: 2017 },
];

const COLUMNS: Column<Plate>[] = [
  { id: 'plate', header: 'Plate', className: 'mono', cell: (p) => p.plate, sortValue: (p) => p.plate },
  { id: 'year', header: 'Year', headerClassName: 'num', className: 'num', cell: (p) => p.year, sortValue: (p) => p.year },
];

let host: HTMLElement;
let root: Root;
beforeEach(() => {
  localStorage.setItem('loket.lang', 'en');
  host = document.createElement('div');
  document.body.append(host);
  root = createRoot(host);
});
afterEach(() => {
  act(() => root.unmount());
  host.remove();
});

function render(node: React.ReactNode) {
  act(() => root.render(<I18nProvider>{node}</I18nProvider>));
}
const cells = (col: number) => [...host.querySelectorAll('tbody tr')].map((tr) => tr.children[col].textContent);
const header = (name: string) => [...host.querySelectorAll('th')].find((th) => th.textContent?.startsWith(name))!;
const click = (el: Element) => act(() => (el as HTMLElement).click());
const button = (text: string) => [...host.querySelectorAll('button')].find((b) => b.textContent?.includes(text))!;

describe('DataTable', () => {
  it('draws the declared columns with their classes, row attributes and a test id', () => {
    render(
      <DataTable
        query={{ isPending: false, data: { data: PLATES.slice(0, 2) } }}
        columns={[...COLUMNS, false]}
        rowKey={(p) => p.id}
        rowProps={(p) => ({ 'data-plate': p.plate })}
        testId="plates"
      />,
    );
    expect(host.querySelector('table')?.dataset.testid).toBe('plates');
    expect([...host.querySelectorAll('th')].map((th) => th.textContent)).toEqual(['Plate', 'Year']);
    expect(host.querySelectorAll('th')[1].className).toBe('num');
    expect(host.querySelector('tbody tr')?.getAttribute('data-plate')).toBe('B 1234 XY');
    expect(host.querySelector('tbody td')?.className).toBe('mono');
    expect(cells(1)).toEqual(['2019', '2021']);
  });

  it('sorts by a column when its header is clicked: ascending, then descending', () => {
    render(<DataTable query={{ isPending: false, data: { data: PLATES } }} columns={COLUMNS} rowKey={(p) => p.id} />);
    expect(cells(1)).toEqual(['2019', '2021', '2015', '2023', '2017']); // as loaded
    click(header('Year').querySelector('button')!);
    expect(cells(1)).toEqual(['2015', '2017', '2019', '2021', '2023']);
    expect(header('Year').getAttribute('aria-sort')).toBe('ascending');
    click(header('Year').querySelector('button')!);
    expect(cells(1)).toEqual(['2023', '2021', '2019', '2017', '2015']);
    expect(header('Year').getAttribute('aria-sort')).toBe('descending');
    click(header('Plate').querySelector('button')!);
    expect(cells(0)).toEqual(['AB 5 C', 'B 1234 XY', 'D 77 AB', 'F 12 Q', 'L 900 ZZ']);
    expect(header('Year').getAttribute('aria-sort')).toBeNull();
  });

  it('pages rows that are all loaded, and sorts across the pages', () => {
    render(
      <DataTable query={{ isPending: false, data: { data: PLATES } }} columns={COLUMNS} rowKey={(p) => p.id} pageSize={2} />,
    );
    expect(cells(1)).toEqual(['2019', '2021']);
    expect(host.querySelector('.pagination')?.textContent).toContain('Page 1 of 3 · 5 in total');
    expect(button('Previous').disabled).toBe(true);
    click(button('Next'));
    expect(cells(1)).toEqual(['2015', '2023']);
    click(button('Next'));
    expect(cells(1)).toEqual(['2017']);
    expect(button('Next').disabled).toBe(true);
    click(header('Year').querySelector('button')!);
    click(button('Previous'));
    click(button('Previous'));
    expect(cells(1)).toEqual(['2015', '2017']);
  });

  it('asks for the core’s next page by its meta', () => {
    const asked: number[] = [];
    const meta: PageMeta = { page: 2, page_size: 2, page_count: 3, total: 6 };
    render(
      <DataTable
        query={{ isPending: false, data: { data: PLATES.slice(0, 2), meta } }}
        columns={COLUMNS}
        rowKey={(p) => p.id}
        onPage={(p) => asked.push(p)}
      />,
    );
    expect(host.querySelector('.pagination')?.textContent).toContain('Page 2 of 3 · 6 in total');
    click(button('Next'));
    click(button('Previous'));
    expect(asked).toEqual([3, 1]);
    expect(cells(1)).toEqual(['2019', '2021']); // the rows are the core's page, not cut here
  });

  it('shows loading, then "nothing found" instead of an empty table', () => {
    const props = { columns: COLUMNS, rowKey: (p: Plate) => p.id, empty: 'No vehicles yet.' };
    render(<DataTable query={{ isPending: true }} {...props} />);
    expect(host.querySelector('[role=status]')?.textContent).toBe('Loading…');
    expect(host.querySelector('table')).toBeNull();
    render(<DataTable query={{ isPending: false, data: { data: [] } }} {...props} />);
    expect(host.querySelector('.empty')?.textContent).toBe('No vehicles yet.');
    expect(host.querySelector('table')).toBeNull();
    // without an "empty" text the headers stay
    render(<DataTable query={{ isPending: false, data: { data: [] } }} columns={COLUMNS} rowKey={(p) => p.id} />);
    expect(host.querySelectorAll('th')).toHaveLength(2);
    expect(host.querySelectorAll('tbody tr')).toHaveLength(0);
  });

  it('shows a failed load as a sentence above "nothing found"', () => {
    render(
      <DataTable
        query={{ isPending: false, error: new ApiError('forbidden', 'permission denied', null, 403) }}
        columns={COLUMNS}
        rowKey={(p) => p.id}
        empty="No vehicles yet."
      />,
    );
    const banner = host.querySelector('[role=alert]');
    expect(banner?.textContent).toBeTruthy();
    expect(banner?.textContent).not.toContain('{');
    expect(host.querySelector('.empty')?.textContent).toBe('No vehicles yet.');
  });
});
