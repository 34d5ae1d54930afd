import { Anchor, Group, Select, Stack, Text, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/http';
import type { Run } from '../../api/types';
import { DataTable } from '../../components/DataTable';
import { formatDate, formatDuration } from '../../components/ui';
import { isActive, KIND_LABELS, kindLabel, RunCounts, RunProgressBar, RunStatusBadge } from './runs';

const columns: ColumnDef<Run>[] = [
  {
    id: 'id',
    header: 'Run',
    cell: ({ row }) => (
      <Anchor component={Link} to={`/config/integrations/atera/runs/${row.original.id}`} fw={500}>
        #{row.original.id} {kindLabel(row.original.kind)}
      </Anchor>
    ),
  },
  { id: 'status', header: 'Status', cell: ({ row }) => <RunStatusBadge run={row.original} /> },
  {
    id: 'started',
    header: 'Started',
    cell: ({ row }) => (
      <Stack gap={0}>
        <Text size="sm">{formatDate(row.original.started_at ?? row.original.queued_at)}</Text>
        <Text size="xs" c="dimmed">
          {row.original.started_by ?? 'Schedule'}
        </Text>
      </Stack>
    ),
  },
  {
    id: 'duration',
    header: 'Duration',
    cell: ({ row }) => formatDuration(row.original.duration_ms) || (isActive(row.original) ? '…' : '—'),
  },
  {
    id: 'counts',
    header: 'Result',
    cell: ({ row }) =>
      isActive(row.original) ? <RunProgressBar run={row.original} /> : <RunCounts run={row.original} compact />,
  },
];

const STATUS_OPTIONS = [
  { value: '', label: 'Any status' },
  { value: 'running', label: 'Running' },
  { value: 'succeeded', label: 'Succeeded' },
  { value: 'failed', label: 'Failed' },
  { value: 'needs_confirmation', label: 'Needs confirmation' },
];

/** History of every run, newest first, refreshing while one is running. */
export function RunsSection() {
  const [page, setPage] = useState(1);
  const [status, setStatus] = useState('');
  const [kind, setKind] = useState('');
  const pageSize = 20;
  const runs = useQuery({
    queryKey: ['atera', 'runs', { page, status, kind }],
    queryFn: ({ signal }) =>
      api<{ record_count: number; runs: Run[] }>('/api/Integration/Atera/Runs', {
        query: { page_no: page, page_size: pageSize, status: status || undefined, kind: kind || undefined },
        signal,
      }),
    placeholderData: keepPreviousData,
    refetchInterval: (q) => (q.state.data?.runs.some(isActive) ? 1000 : false),
  });
  return (
    <Stack gap="md">
      <div>
        <Title order={2} size="h3">
          Runs
        </Title>
        <Text size="sm" c="dimmed" mt={4}>
          Every import, sync and alert run with its counts and per-record changes. Runs that would deactivate many
          assets wait here for your confirmation.
        </Text>
      </div>
      <Group gap="sm" align="flex-end">
        <Select
          label="Status"
          data={STATUS_OPTIONS}
          value={status}
          onChange={(v) => {
            setStatus(v ?? '');
            setPage(1);
          }}
          allowDeselect={false}
          w={200}
        />
        <Select
          label="Kind"
          data={[
            { value: '', label: 'Any kind' },
            ...Object.entries(KIND_LABELS)
              .filter(([k]) => k !== 'poll_alerts')
              .map(([value, label]) => ({ value, label })),
          ]}
          value={kind}
          onChange={(v) => {
            setKind(v ?? '');
            setPage(1);
          }}
          allowDeselect={false}
          w={200}
        />
      </Group>
      <DataTable<Run>
        label="Runs"
        columns={columns}
        rows={runs.data?.runs}
        total={runs.data?.record_count ?? 0}
        page={page}
        pageSize={pageSize}
        onPageChange={setPage}
        loading={runs.isLoading}
        fetching={runs.isFetching}
        error={runs.error}
        onRetry={() => runs.refetch()}
        empty="No runs yet. Import customers or assets, or run a sync, and they appear here."
        minWidth={760}
      />
    </Stack>
  );
}
