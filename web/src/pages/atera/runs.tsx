import { Alert, Anchor, Badge, Button, Group, Progress, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch } from '@tabler/icons-react';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { type ReactNode, useEffect, useMemo, useRef, useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/http';
import type { Change, ChangeAction, Run, RunProgressPart } from '../../api/types';
import { DataTable } from '../../components/DataTable';
import { displayValue, formatDuration } from '../../components/ui';

export const KIND_LABELS: Record<string, string> = {
  import_customers: 'Import Customers',
  import_assets: 'Import Assets',
  sync: 'Integrator sync',
  alerts: 'Alert processing',
  poll_alerts: 'Alert processing',
};

export const kindLabel = (kind: string) => KIND_LABELS[kind] ?? kind.replace(/_/g, ' ');

const STATUS: Record<string, { label: string; color: string }> = {
  queued: { label: 'Queued', color: 'gray' },
  running: { label: 'Running', color: 'blue' },
  succeeded: { label: 'Succeeded', color: 'teal' },
  failed: { label: 'Failed', color: 'red' },
  needs_confirmation: { label: 'Needs confirmation', color: 'orange' },
  cancelled: { label: 'Cancelled', color: 'gray' },
};

export const isActive = (run: Pick<Run, 'status'> | undefined) => run?.status === 'queued' || run?.status === 'running';

export function RunStatusBadge({ run }: { run: Pick<Run, 'status' | 'dry_run' | 'kind'> }) {
  const s = STATUS[run.status] ?? { label: run.status, color: 'gray' };
  return (
    <Group gap={4} wrap="nowrap">
      <Badge color={s.color} variant="light">
        {s.label}
      </Badge>
      {run.dry_run && (
        <Badge color="violet" variant="outline">
          {run.kind.startsWith('import') ? 'Preview' : 'Dry run'}
        </Badge>
      )}
    </Group>
  );
}

const COUNT_LABELS: [string, string, string][] = [
  ['created', 'Created', 'teal'],
  ['updated', 'Updated', 'blue'],
  ['unchanged', 'Unchanged', 'gray'],
  ['skipped', 'Skipped', 'yellow'],
  ['conflicts', 'Conflicts', 'orange'],
  ['errors', 'Errors', 'red'],
  ['deactivated', 'Deactivated', 'grape'],
  ['reactivated', 'Reactivated', 'cyan'],
];

export function RunCounts({ run, compact }: { run: Run; compact?: boolean }) {
  const items = COUNT_LABELS.filter(([k]) => !compact || (run.counts[k] ?? 0) > 0);
  if (items.length === 0)
    return (
      <Text size="sm" c="dimmed">
        No changes
      </Text>
    );
  return (
    <Group gap={6} wrap="wrap">
      {items.map(([k, label, color]) => (
        <Badge
          key={k}
          color={color}
          variant={(run.counts[k] ?? 0) > 0 ? 'light' : 'outline'}
          size={compact ? 'sm' : 'md'}
        >
          {label} {run.counts[k] ?? 0}
        </Badge>
      ))}
    </Group>
  );
}

/** The part of a run's progress that has a total (assets or customers being read). */
export function progressOf(run: Run): { label: string; part: RunProgressPart } | null {
  for (const [label, part] of Object.entries(run.progress ?? {})) {
    if (part && typeof part === 'object' && 'records' in part) return { label, part };
  }
  return null;
}

export function RunProgressBar({ run }: { run: Run }) {
  const p = progressOf(run);
  const records = p?.part.records ?? 0;
  const total = p?.part.total_records ?? null;
  const pct = total ? Math.min(100, Math.round((records / total) * 100)) : run.status === 'queued' ? 0 : 5;
  return (
    <Stack gap={4}>
      <Progress
        value={isActive(run) ? pct : 100}
        animated={isActive(run)}
        aria-label={`${kindLabel(run.kind)} progress`}
        size="lg"
      />
      <Text size="xs" c="dimmed" aria-live="polite">
        {run.status === 'queued'
          ? 'Waiting to start…'
          : total
            ? `${records} of ${total} ${p?.label ?? 'records'} read`
            : `${records} ${p?.label ?? 'records'} read`}
      </Text>
    </Stack>
  );
}

/** A run's outcome in a few lines: status, counts, duration, error and anything waiting for an admin. */
export function RunSummary({ run, title }: { run: Run; title?: ReactNode }) {
  const deactivation = typeof run.summary?.deactivation === 'string' ? run.summary.deactivation : null;
  const color =
    run.status === 'failed' ? 'red' : run.status === 'needs_confirmation' ? 'orange' : isActive(run) ? 'blue' : 'teal';
  return (
    <Alert
      color={color}
      variant="light"
      title={title ?? `${kindLabel(run.kind)} ${run.dry_run ? '(preview) ' : ''}#${run.id}`}
      data-testid="run-summary"
    >
      <Stack gap="xs">
        <Group gap="sm" wrap="wrap">
          <RunStatusBadge run={run} />
          {run.duration_ms !== null && <Text size="sm">Took {formatDuration(run.duration_ms)}</Text>}
          <Anchor component={Link} to={`/config/integrations/atera/runs/${run.id}`} size="sm">
            View run #{run.id}
          </Anchor>
        </Group>
        {isActive(run) ? <RunProgressBar run={run} /> : <RunCounts run={run} />}
        {run.error && (
          <Text size="sm" c="red.8">
            {run.error}
          </Text>
        )}
        {deactivation && <Text size="sm">{deactivation}</Text>}
      </Stack>
    </Alert>
  );
}

/** Polls a run every second until it finishes; calls onDone once when it does. */
export function useRunPoll(runId: number | null, onDone?: (run: Run) => void) {
  const qc = useQueryClient();
  const done = useRef<number | null>(null);
  const q = useQuery({
    queryKey: ['atera', 'run', runId],
    queryFn: ({ signal }) => api<Run>(`/api/Integration/Atera/Runs/${runId}`, { signal }),
    enabled: runId !== null,
    refetchInterval: (query) => (isActive(query.state.data) || !query.state.data ? 1000 : false),
  });
  useEffect(() => {
    if (q.data && !isActive(q.data) && done.current !== q.data.id) {
      done.current = q.data.id;
      void qc.invalidateQueries({ queryKey: ['atera', 'runs'] });
      void qc.invalidateQueries({ queryKey: ['atera', 'settings'] });
      onDone?.(q.data);
    }
  }, [q.data, qc, onDone]);
  return q;
}

const ACTION_LABELS: Record<ChangeAction, { label: string; color: string }> = {
  create: { label: 'Create', color: 'teal' },
  update: { label: 'Update', color: 'blue' },
  unchanged: { label: 'Unchanged', color: 'gray' },
  skip: { label: 'Skip', color: 'yellow' },
  conflict: { label: 'Conflict', color: 'orange' },
  error: { label: 'Error', color: 'red' },
  deactivate: { label: 'Deactivate', color: 'grape' },
  reactivate: { label: 'Reactivate', color: 'cyan' },
  suggestion: { label: 'Suggestion', color: 'indigo' },
};

export const ACTION_FILTERS: { value: string; label: string }[] = [
  { value: '', label: 'All changes' },
  { value: 'create', label: 'Creates' },
  { value: 'update', label: 'Updates' },
  { value: 'skip', label: 'Skips' },
  { value: 'conflict', label: 'Conflicts' },
  { value: 'suggestion', label: 'Suggestions' },
  { value: 'error', label: 'Errors' },
  { value: 'deactivate', label: 'Deactivations' },
  { value: 'reactivate', label: 'Reactivations' },
];

export function ActionBadge({ action }: { action: ChangeAction }) {
  const a = ACTION_LABELS[action] ?? { label: action, color: 'gray' };
  return (
    <Badge color={a.color} variant="light">
      {a.label}
    </Badge>
  );
}

function FieldChanges({ change }: { change: Change }) {
  const entries = Object.entries(change.fields ?? {});
  return (
    <Table
      aria-label={`Field changes of ${change.name ?? change.external_id}`}
      verticalSpacing={4}
      fz="sm"
      withRowBorders={false}
    >
      <Table.Thead>
        <Table.Tr>
          <Table.Th w="30%">Field</Table.Th>
          <Table.Th>Before</Table.Th>
          <Table.Th>After</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {entries.map(([field, v]) => (
          <Table.Tr key={field}>
            <Table.Td fw={500}>{field}</Table.Td>
            <Table.Td c="dimmed" className="keel-pre">
              {displayValue(v.before)}
            </Table.Td>
            <Table.Td className="keel-pre">
              <Text span c="dimmed" aria-hidden>
                →{' '}
              </Text>
              {displayValue(v.after)}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function localLink(change: Change): string | null {
  if (!change.local_id) return null;
  if (change.entity === 'asset') return `/assets/${change.local_id}`;
  if (change.entity === 'customer') return `/customers/${change.local_id}`;
  if (change.entity === 'ticket' || change.entity === 'alert') return `/tickets/${change.local_id}`;
  return null;
}

/**
 * A run's per-record changes: filter by action, search by name, server-paged; each row opens its
 * per-field before → after. `rowActions` adds buttons (e.g. turn a suggestion into a mapping).
 */
export function ChangesTable({
  runId,
  label = 'Changes',
  initialAction = '',
  rowActions,
  dryRun,
}: {
  runId: number;
  label?: string;
  initialAction?: string;
  rowActions?: (change: Change) => ReactNode;
  dryRun?: boolean;
}) {
  const [action, setAction] = useState(initialAction);
  const [searchInput, setSearchInput] = useState('');
  const [search] = useDebouncedValue(searchInput, 300);
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<Set<number>>(new Set());
  const pageSize = 25;
  const changes = useQuery({
    queryKey: ['atera', 'changes', runId, { action, search, page }],
    queryFn: ({ signal }) =>
      api<{ record_count: number; changes: Change[] }>(`/api/Integration/Atera/Runs/${runId}/Changes`, {
        query: { action: action || undefined, search: search || undefined, page_no: page, page_size: pageSize },
        signal,
      }),
    placeholderData: keepPreviousData,
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new filter starts again at its first page.
  useEffect(() => setPage(1), [action, search]);

  const columns = useMemo<ColumnDef<Change>[]>(
    () => [
      {
        id: 'name',
        header: 'Record',
        cell: ({ row }) => {
          const c = row.original;
          const to = dryRun ? null : localLink(c);
          const name = c.name ?? c.external_id ?? `#${c.id}`;
          return (
            <Stack gap={0}>
              {to ? (
                <Anchor component={Link} to={to} fw={500} size="sm">
                  {name}
                </Anchor>
              ) : (
                <Text fw={500} size="sm">
                  {name}
                </Text>
              )}
              <Text size="xs" c="dimmed">
                {c.entity}
                {c.external_id ? ` · Atera ${c.external_id}` : ''}
              </Text>
            </Stack>
          );
        },
      },
      { id: 'action', header: 'Action', cell: ({ row }) => <ActionBadge action={row.original.action} /> },
      { id: 'reason', header: 'Reason', cell: ({ row }) => <Text size="sm">{row.original.reason ?? ''}</Text> },
      {
        id: 'fields',
        header: 'Fields',
        cell: ({ row }) => {
          const c = row.original;
          const n = Object.keys(c.fields ?? {}).length;
          return (
            <Group gap="xs" wrap="nowrap">
              {n > 0 && (
                <Button
                  size="compact-xs"
                  variant="subtle"
                  aria-expanded={open.has(c.id)}
                  aria-label={`${open.has(c.id) ? 'Hide' : 'Show'} ${n} field changes of ${c.name ?? c.external_id}`}
                  onClick={() =>
                    setOpen((s) => {
                      const next = new Set(s);
                      if (next.has(c.id)) next.delete(c.id);
                      else next.add(c.id);
                      return next;
                    })
                  }
                >
                  {open.has(c.id) ? 'Hide' : `${n} field${n === 1 ? '' : 's'}`}
                </Button>
              )}
              {rowActions?.(c)}
            </Group>
          );
        },
      },
    ],
    [open, rowActions, dryRun],
  );

  return (
    <Stack gap="sm">
      <Group gap="sm" align="flex-end" wrap="wrap">
        <Select
          label="Show"
          data={ACTION_FILTERS}
          value={action}
          onChange={(v) => setAction(v ?? '')}
          allowDeselect={false}
          w={{ base: '100%', xs: 200 }}
        />
        <TextInput
          label="Search by name"
          type="search"
          leftSection={<IconSearch size={16} />}
          value={searchInput}
          onChange={(e) => setSearchInput(e.currentTarget.value)}
          w={{ base: '100%', xs: 240 }}
        />
      </Group>
      <DataTable<Change>
        label={label}
        columns={columns}
        rows={changes.data?.changes}
        total={changes.data?.record_count ?? 0}
        page={page}
        pageSize={pageSize}
        onPageChange={setPage}
        loading={changes.isLoading}
        fetching={changes.isFetching}
        error={changes.error}
        onRetry={() => changes.refetch()}
        empty={
          action || search
            ? 'No changes match this filter.'
            : 'This run changed nothing (unchanged records are counted, not listed).'
        }
        renderExpanded={(c) => (open.has(c.id) ? <FieldChanges change={c} /> : null)}
        minWidth={720}
      />
    </Stack>
  );
}
