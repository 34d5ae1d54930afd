import { useDebouncedValue } from '@mantine/hooks';
import { useCallback, useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import type { QueryValue } from '../api/http';
import type { SortState } from './DataTable';

export const PAGE_SIZE = 25;

/**
 * A list's search, sort, page and filters, kept in the URL (so reload, back and shared links
 * show the same page). `prefix` lets two lists share one URL.
 */
export function useListParams(opts: { prefix?: string; defaultSort?: SortState | null; pageSize?: number } = {}) {
  const p = opts.prefix ?? '';
  const pageSize = opts.pageSize ?? PAGE_SIZE;
  const [params, setParams] = useSearchParams();
  const page = Math.max(1, Number(params.get(`${p}page`) ?? '1') || 1);
  const search = params.get(`${p}q`) ?? '';
  const sortId = params.get(`${p}sort`);
  const sort: SortState | null = sortId
    ? { id: sortId, desc: params.get(`${p}desc`) === '1' }
    : (opts.defaultSort ?? null);

  const update = useCallback(
    (changes: Record<string, string | null>, resetPage = true) => {
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          for (const [k, v] of Object.entries(changes)) {
            if (v === null || v === '') next.delete(`${p}${k}`);
            else next.set(`${p}${k}`, v);
          }
          if (resetPage && !('page' in changes)) next.delete(`${p}page`);
          return next;
        },
        { replace: true },
      );
    },
    [setParams, p],
  );

  const [searchInput, setSearchInput] = useState(search);
  const [debounced] = useDebouncedValue(searchInput, 300);
  // biome-ignore lint/correctness/useExhaustiveDependencies: only typing (the debounced input) writes the URL; the URL is the source of truth otherwise.
  useEffect(() => {
    if (debounced !== search) update({ q: debounced });
  }, [debounced]);

  const filter = (name: string) => params.get(`${p}${name}`) ?? '';
  const setFilter = (name: string, value: string | null) => update({ [name]: value });

  const query: Record<string, QueryValue> = {
    page_no: page,
    page_size: pageSize,
    search: search || undefined,
    order: sort?.id,
    orderdesc: sort ? sort.desc : undefined,
  };

  return {
    page,
    pageSize,
    search,
    searchInput,
    setSearchInput,
    sort,
    query,
    filter,
    setFilter,
    setPage: (n: number) => update({ page: n === 1 ? null : String(n) }, false),
    setSort: (s: SortState | null) =>
      update(s ? { sort: s.id, desc: s.desc ? '1' : null } : { sort: null, desc: null }),
  };
}
