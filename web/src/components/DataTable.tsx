import { Box, Group, Loader, Pagination, Paper, Table, Text, UnstyledButton } from '@mantine/core';
import { IconArrowsSort, IconSortAscending, IconSortDescending } from '@tabler/icons-react';
import { type ColumnDef, flexRender, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import type { ReactNode } from 'react';
import { EmptyState, ErrorState, LoadingState } from './ui';

export interface SortState {
  id: string;
  desc: boolean;
}

export interface DataTableProps<T> {
  /** Accessible name of the table. */
  label: string;
  // biome-ignore lint/suspicious/noExplicitAny: TanStack column defs carry a per-column value type.
  columns: ColumnDef<T, any>[];
  rows: T[] | undefined;
  total?: number;
  page?: number;
  pageSize?: number;
  onPageChange?: (page: number) => void;
  sort?: SortState | null;
  onSortChange?: (sort: SortState | null) => void;
  loading?: boolean;
  fetching?: boolean;
  error?: unknown;
  onRetry?: () => void;
  empty?: ReactNode;
  getRowId?: (row: T, index: number) => string;
  minWidth?: number;
  /** Extra content under a row (e.g. a change's fields), rendered across all columns. */
  renderExpanded?: (row: T) => ReactNode | null;
  withPaper?: boolean;
}

/**
 * The one table of the app: TanStack Table (headless) rendered with Mantine, with server-side
 * sorting (column id = the API's `order` field) and server paging (`record_count`).
 */
export function DataTable<T>(props: DataTableProps<T>) {
  const { columns, rows, total = rows?.length ?? 0, page = 1, pageSize = 25, sort, onSortChange } = props;
  const table = useReactTable({
    data: rows ?? [],
    columns,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    manualPagination: true,
    enableSorting: Boolean(onSortChange),
    getRowId: props.getRowId,
  });
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const from = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const to = Math.min(total, page * pageSize);

  const cycleSort = (id: string) => {
    if (!onSortChange) return;
    if (!sort || sort.id !== id) onSortChange({ id, desc: false });
    else if (!sort.desc) onSortChange({ id, desc: true });
    else onSortChange(null);
  };

  let body: ReactNode;
  if (props.loading && !rows) body = <LoadingState />;
  else if (props.error && !rows) body = <ErrorState error={props.error} onRetry={props.onRetry} />;
  else if ((rows?.length ?? 0) === 0) body = <EmptyState>{props.empty ?? 'No records match.'}</EmptyState>;

  const content = (
    <>
      {props.error && rows ? <ErrorState error={props.error} onRetry={props.onRetry} /> : null}
      <Table.ScrollContainer minWidth={props.minWidth ?? 640} type="native">
        <Table
          striped
          highlightOnHover
          verticalSpacing="sm"
          horizontalSpacing="md"
          aria-label={props.label}
          aria-busy={props.fetching ? true : undefined}
        >
          <Table.Thead>
            {table.getHeaderGroups().map((group) => (
              <Table.Tr key={group.id}>
                {group.headers.map((header) => {
                  const sortable = Boolean(onSortChange) && header.column.getCanSort();
                  const active = sort?.id === header.column.id;
                  const label = header.isPlaceholder
                    ? null
                    : flexRender(header.column.columnDef.header, header.getContext());
                  return (
                    <Table.Th
                      key={header.id}
                      aria-sort={active ? (sort?.desc ? 'descending' : 'ascending') : sortable ? 'none' : undefined}
                      style={{
                        whiteSpace: 'nowrap',
                        width: header.column.columnDef.size !== 150 ? header.column.columnDef.size : undefined,
                      }}
                    >
                      {sortable ? (
                        <UnstyledButton onClick={() => cycleSort(header.column.id)} fw={600} fz="sm">
                          <Group gap={4} wrap="nowrap">
                            {label}
                            {active ? (
                              sort?.desc ? (
                                <IconSortDescending size={14} aria-hidden />
                              ) : (
                                <IconSortAscending size={14} aria-hidden />
                              )
                            ) : (
                              <IconArrowsSort size={14} aria-hidden opacity={0.4} />
                            )}
                          </Group>
                        </UnstyledButton>
                      ) : (
                        label
                      )}
                    </Table.Th>
                  );
                })}
              </Table.Tr>
            ))}
          </Table.Thead>
          <Table.Tbody>
            {body ? (
              <Table.Tr>
                <Table.Td colSpan={columns.length}>{body}</Table.Td>
              </Table.Tr>
            ) : (
              table.getRowModel().rows.map((row) => {
                const extra = props.renderExpanded?.(row.original) ?? null;
                return [
                  <Table.Tr key={row.id}>
                    {row.getVisibleCells().map((cell) => (
                      <Table.Td key={cell.id} style={{ verticalAlign: 'top' }}>
                        {flexRender(cell.column.columnDef.cell, cell.getContext())}
                      </Table.Td>
                    ))}
                  </Table.Tr>,
                  extra ? (
                    <Table.Tr key={`${row.id}-x`}>
                      <Table.Td colSpan={columns.length} bg="var(--mantine-color-gray-0)">
                        {extra}
                      </Table.Td>
                    </Table.Tr>
                  ) : null,
                ];
              })
            )}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {props.onPageChange && (
        <Group justify="space-between" px="md" py="sm" wrap="wrap" gap="xs">
          <Group gap="xs">
            <Text size="sm" c="dimmed" aria-live="polite">
              {total === 0 ? 'No records' : `${from}–${to} of ${total}`}
            </Text>
            {props.fetching && <Loader size="xs" aria-label="Refreshing" />}
          </Group>
          {pages > 1 && (
            <Pagination
              total={pages}
              value={page}
              onChange={props.onPageChange}
              size="sm"
              siblings={1}
              boundaries={1}
              getControlProps={(control) => ({ 'aria-label': `${control} page` })}
              getItemProps={(p) => ({ 'aria-label': `Page ${p}` })}
            />
          )}
        </Group>
      )}
    </>
  );
  if (props.withPaper === false) return <Box>{content}</Box>;
  return (
    <Paper withBorder radius="md" style={{ overflow: 'hidden' }}>
      {content}
    </Paper>
  );
}
