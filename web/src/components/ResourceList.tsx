import { Group, Stack, TextInput } from '@mantine/core';
import { IconSearch } from '@tabler/icons-react';
import type { ColumnDef } from '@tanstack/react-table';
import type { ReactNode } from 'react';
import type { QueryValue } from '../api/http';
import { useList } from '../api/queries';
import { DataTable, type SortState } from './DataTable';
import { useListParams } from './listParams';

export interface ResourceListProps<T> {
  resource: string;
  listKey: string;
  label: string;
  // biome-ignore lint/suspicious/noExplicitAny: TanStack column defs carry a per-column value type.
  columns: ColumnDef<T, any>[];
  searchLabel?: string;
  /** Extra API parameters (filters). */
  query?: Record<string, QueryValue>;
  filters?: ReactNode;
  defaultSort?: SortState | null;
  empty?: ReactNode;
  prefix?: string;
  pageSize?: number;
  withSearch?: boolean;
  minWidth?: number;
}

/** Search box + server-sorted, server-paged table over one Halo list resource. */
export function ResourceList<T>(props: ResourceListProps<T>) {
  const lp = useListParams({ prefix: props.prefix, defaultSort: props.defaultSort, pageSize: props.pageSize });
  const list = useList<T>(props.resource, props.listKey, { ...lp.query, ...props.query });
  const withSearch = props.withSearch ?? true;
  return (
    <Stack gap="sm">
      {(withSearch || props.filters) && (
        <Group gap="sm" align="flex-end" wrap="wrap">
          {withSearch && (
            <TextInput
              label={props.searchLabel ?? 'Search'}
              placeholder="Type to search"
              leftSection={<IconSearch size={16} />}
              value={lp.searchInput}
              onChange={(e) => lp.setSearchInput(e.currentTarget.value)}
              w={{ base: '100%', xs: 280 }}
              type="search"
            />
          )}
          {props.filters}
        </Group>
      )}
      <DataTable<T>
        label={props.label}
        columns={props.columns}
        rows={list.data?.rows}
        total={list.data?.total ?? 0}
        page={lp.page}
        pageSize={lp.pageSize}
        onPageChange={lp.setPage}
        sort={lp.sort}
        onSortChange={lp.setSort}
        loading={list.isLoading}
        fetching={list.isFetching}
        error={list.error}
        onRetry={() => list.refetch()}
        empty={lp.search ? `Nothing matches “${lp.search}”.` : props.empty}
        minWidth={props.minWidth}
      />
    </Stack>
  );
}
