import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addressFilters, setNavigator } from '../src/lib/router';

const route = (query: string) => ({ path: '/messages', params: {}, query: new URLSearchParams(query) });

describe("a list screen's filters in the address", () => {
  const went: string[] = [];
  beforeEach(() => setNavigator((to) => went.push(to)));
  afterEach(() => {
    setNavigator(null);
    went.length = 0;
  });

  it('gives a filter select its name and value, empty when the address has none', () => {
    const [, , filter] = addressFilters(route('status=failed&page=3'), '/messages', ['status', 'kind', 'page']);
    expect(filter('status')).toMatchObject({ name: 'status', value: 'failed' });
    expect(filter('kind')).toMatchObject({ name: 'kind', value: '' });
  });

  it('a choice keeps the other filters and goes back to the first page', () => {
    const [, , filter] = addressFilters(route('status=failed&kind=reminder&page=3'), '/messages', ['status', 'kind', 'page']);
    filter('kind').onChange('unpaid');
    expect(went).toEqual(['/messages?status=failed&kind=unpaid']);
  });
});
