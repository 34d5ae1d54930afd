import {
  Alert,
  Anchor,
  Badge,
  Button,
  Checkbox,
  Grid,
  Group,
  Pagination,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  Text,
  Textarea,
  Timeline,
  Title,
} from '@mantine/core';
import {
  IconAlertTriangle,
  IconCircleCheck,
  IconMessage,
  IconPlugConnected,
  IconSwitchHorizontal,
} from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { type FormEvent, useState } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError, api, errorMessage } from '../api/http';
import { fetchList, useRecord, useStatuses, useTicketTypes } from '../api/queries';
import type { Action, Ticket, TicketAlertState } from '../api/types';
import { useListParams } from '../components/listParams';
import { ClientPicker } from '../components/pickers';
import { ResourceList } from '../components/ResourceList';
import {
  DetailGrid,
  EmptyState,
  ErrorState,
  formatDate,
  LoadingState,
  PageHeader,
  QueryState,
  SectionTitle,
} from '../components/ui';

export function StatusBadge({ ticket }: { ticket: Pick<Ticket, 'status_name' | 'hasbeenclosed' | 'dateclosed'> }) {
  const closed = Boolean(ticket.dateclosed) || /closed/i.test(ticket.status_name ?? '');
  return (
    <Badge variant="light" color={closed ? 'gray' : 'blue'}>
      {ticket.status_name}
    </Badge>
  );
}

export function AlertBadge() {
  return (
    <Badge variant="light" color="orange" leftSection={<IconAlertTriangle size={12} />} style={{ flexShrink: 0 }}>
      Alert
    </Badge>
  );
}

export const ticketColumns: ColumnDef<Ticket>[] = [
  {
    id: 'id',
    accessorKey: 'id',
    header: 'ID',
    size: 70,
    cell: ({ row }) => (
      <Text size="sm" c="dimmed">
        #{row.original.id}
      </Text>
    ),
  },
  {
    id: 'summary',
    accessorKey: 'summary',
    header: 'Summary',
    cell: ({ row }) => (
      <Group gap={6} wrap="nowrap">
        <Anchor component={Link} to={`/tickets/${row.original.id}`} fw={500} lineClamp={2}>
          {row.original.summary}
        </Anchor>
        {row.original._isalert && <AlertBadge />}
      </Group>
    ),
  },
  { id: 'client', header: 'Customer', cell: ({ row }) => row.original.client_name ?? '—' },
  { id: 'type', header: 'Type', cell: ({ row }) => row.original.tickettype_name ?? '—' },
  {
    id: 'status_id',
    accessorKey: 'status_id',
    header: 'Status',
    cell: ({ row }) => <StatusBadge ticket={row.original} />,
  },
  { id: 'priority', header: 'Priority', cell: ({ row }) => row.original.priority_name ?? '—' },
  {
    id: 'dateoccurred',
    accessorKey: 'dateoccurred',
    header: 'Logged',
    cell: ({ row }) => formatDate(row.original.dateoccurred ?? row.original.datecreated),
  },
];

export function TicketsPage() {
  const lp = useListParams();
  const types = useTicketTypes();
  const state = lp.filter('state') || 'open';
  const type = lp.filter('type');
  const client = lp.filter('client');
  const alerts = lp.filter('alerts') === '1';
  return (
    <>
      <PageHeader title="Tickets" description="Work your customers' requests and the alerts Atera RMM raises." />
      <ResourceList<Ticket>
        resource="Tickets"
        listKey="tickets"
        label="Tickets"
        columns={ticketColumns}
        searchLabel="Search tickets"
        defaultSort={{ id: 'id', desc: true }}
        minWidth={860}
        query={{
          open_only: state === 'open' || undefined,
          closed_only: state === 'closed' || undefined,
          requesttype_id: type || undefined,
          client_id: client || undefined,
          isalert: alerts || undefined,
        }}
        filters={
          <>
            <Stack gap={4}>
              <Text size="sm" fw={500} id="ticket-state-label">
                Show
              </Text>
              <SegmentedControl
                aria-labelledby="ticket-state-label"
                value={state}
                onChange={(v) => lp.setFilter('state', v === 'open' ? null : v)}
                data={[
                  { value: 'open', label: 'Open' },
                  { value: 'closed', label: 'Closed' },
                  { value: 'all', label: 'All' },
                ]}
              />
            </Stack>
            <Select
              label="Ticket type"
              placeholder="Any type"
              clearable
              data={(types.data ?? []).map((t) => ({ value: String(t.id), label: t.name }))}
              value={type || null}
              onChange={(v) => lp.setFilter('type', v)}
              w={{ base: '100%', xs: 180 }}
            />
            <div style={{ minWidth: 220 }}>
              <ClientPicker
                label="Customer"
                placeholder="Any customer"
                value={client ? Number(client) : null}
                onChange={(v) => lp.setFilter('client', v ? String(v) : null)}
              />
            </div>
            <Checkbox
              label="Alerts only"
              checked={alerts}
              onChange={(e) => lp.setFilter('alerts', e.currentTarget.checked ? '1' : null)}
              mb={8}
            />
          </>
        }
        empty="No tickets match these filters."
      />
    </>
  );
}

function AteraAlertPanel({ ticket }: { ticket: Ticket }) {
  const q = useQuery({
    queryKey: ['ticket-alerts', ticket.id],
    queryFn: async ({ signal }) => {
      try {
        return await api<{ alerts: TicketAlertState[] }>('/api/Integration/Atera/Alerts', {
          query: { ticket_id: ticket.id },
          signal,
        });
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) return null;
        throw e;
      }
    },
    retry: false,
    refetchInterval: (query) => {
      const alerts = query.state.data?.alerts ?? [];
      // The resolve goes to Atera through an outbox: follow it until it is done.
      return alerts.some((a) => a.outbox && ['pending', 'queued', 'sending'].includes(a.outbox.status)) ? 2000 : false;
    },
  });
  if (!ticket._isalert && !ticket.atera_alert_id) return null;
  return (
    <Paper withBorder p="md">
      <SectionTitle>Atera alert</SectionTitle>
      {q.isLoading ? (
        <LoadingState />
      ) : q.error ? (
        <ErrorState error={q.error} onRetry={() => q.refetch()} />
      ) : q.data === null || q.data === undefined ? (
        <Text size="sm" c="dimmed">
          Atera alert {ticket.atera_alert_id ?? ''}: its state in Atera is not available from this server.
        </Text>
      ) : q.data.alerts.length === 0 ? (
        <Text size="sm" c="dimmed">
          No Atera alert is linked to this ticket.
        </Text>
      ) : (
        <Stack gap="sm" data-testid="atera-alert-state">
          {q.data.alerts.map((a) => (
            <Stack key={a.alert_id} gap={4}>
              <Group gap="xs">
                <IconPlugConnected size={16} aria-hidden />
                <Text size="sm" fw={500}>
                  Alert {a.alert_id}
                </Text>
                <Badge variant="light" color={/resolv|closed/i.test(a.state) ? 'teal' : 'orange'}>
                  {a.state}
                </Badge>
              </Group>
              {a.outbox && (
                <Text size="sm" c={a.outbox.last_error ? 'red' : 'dimmed'}>
                  Resolve in Atera: {a.outbox.status}
                  {a.outbox.attempts > 0 ? ` (${a.outbox.attempts} attempt${a.outbox.attempts === 1 ? '' : 's'})` : ''}
                  {a.outbox.last_error ? ` — last error: ${a.outbox.last_error}` : ''}
                </Text>
              )}
            </Stack>
          ))}
        </Stack>
      )}
    </Paper>
  );
}

function ActionsTimeline({ ticketId }: { ticketId: number }) {
  const [page, setPage] = useState(1);
  const size = 20;
  const actions = useQuery({
    queryKey: ['list', 'Actions', { ticket_id: ticketId, page }],
    queryFn: ({ signal }) =>
      fetchList<Action>('Actions', 'actions', { ticket_id: ticketId, page_no: page, page_size: size }, signal),
  });
  return (
    <QueryState query={actions} isEmpty={(d) => d.total === 0} empty="No actions yet.">
      {(d) => (
        <Stack gap="md">
          <Timeline bulletSize={26} lineWidth={2} aria-label="Actions">
            {d.rows.map((a) => (
              <Timeline.Item
                key={a.id}
                bullet={a.new_status ? <IconSwitchHorizontal size={14} /> : <IconMessage size={14} />}
                title={
                  <Group gap="xs" wrap="wrap">
                    <Text size="sm" fw={600}>
                      {a.who ?? 'Keel'}
                    </Text>
                    {a.new_status_name && (
                      <Badge size="sm" variant="light">
                        Status: {a.new_status_name}
                      </Badge>
                    )}
                    {a.hiddenfromuser && (
                      <Badge size="sm" variant="light" color="gray">
                        Hidden from user
                      </Badge>
                    )}
                    {a.is_system && (
                      <Badge size="sm" variant="outline" color="gray">
                        System
                      </Badge>
                    )}
                  </Group>
                }
              >
                {a.note && (
                  <Text size="sm" className="keel-pre" mt={4} data-testid="action-note">
                    {a.note}
                  </Text>
                )}
                <Text size="xs" c="dimmed" mt={4}>
                  {formatDate(a.datetime)}
                  {a.outcome ? ` · ${a.outcome}` : ''}
                </Text>
              </Timeline.Item>
            ))}
          </Timeline>
          {d.total > size && <Pagination total={Math.ceil(d.total / size)} value={page} onChange={setPage} size="sm" />}
        </Stack>
      )}
    </QueryState>
  );
}

function useTicketAction(ticketId: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (action: Record<string, unknown>) =>
      api<Action>('/api/Actions', { method: 'POST', body: [{ ticket_id: ticketId, ...action }] }),
    onSuccess: async () => {
      await Promise.all([
        qc.invalidateQueries({ queryKey: ['record', 'Tickets', String(ticketId)] }),
        qc.invalidateQueries({ queryKey: ['list', 'Actions'] }),
        qc.invalidateQueries({ queryKey: ['list', 'Tickets'] }),
        qc.invalidateQueries({ queryKey: ['ticket-alerts', ticketId] }),
      ]);
    },
  });
}

function AddNote({ ticketId }: { ticketId: number }) {
  const [note, setNote] = useState('');
  const [hidden, setHidden] = useState(false);
  const mutation = useTicketAction(ticketId);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!note.trim()) return;
    mutation.mutate({ note, hiddenfromuser: hidden }, { onSuccess: () => setNote('') });
  };
  return (
    <form onSubmit={submit}>
      <Stack gap="sm">
        <Textarea
          label="Note"
          placeholder="What did you do or find?"
          autosize
          minRows={3}
          value={note}
          onChange={(e) => setNote(e.currentTarget.value)}
        />
        <Group justify="space-between" wrap="wrap">
          <Checkbox
            label="Hide from the end user"
            checked={hidden}
            onChange={(e) => setHidden(e.currentTarget.checked)}
          />
          <Button type="submit" loading={mutation.isPending} disabled={!note.trim()}>
            Add note
          </Button>
        </Group>
        {mutation.error && (
          <Alert color="red" role="alert">
            {errorMessage(mutation.error)}
          </Alert>
        )}
      </Stack>
    </form>
  );
}

function StatusPanel({ ticket }: { ticket: Ticket }) {
  const statuses = useStatuses();
  const [status, setStatus] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const mutation = useTicketAction(ticket.id);
  const closed = (statuses.data ?? []).find((s) => s.type === 1);
  const isClosed = Boolean(ticket.dateclosed) || (closed !== undefined && ticket.status_id === closed.id);
  const change = (e: FormEvent) => {
    e.preventDefault();
    if (!status) return;
    mutation.mutate(
      { new_status: Number(status), ...(note.trim() ? { note } : {}) },
      {
        onSuccess: () => {
          setStatus(null);
          setNote('');
        },
      },
    );
  };
  return (
    <Paper withBorder p="md">
      <SectionTitle>Status</SectionTitle>
      <Stack gap="sm">
        <Group gap="xs">
          <Text size="sm">Current:</Text>
          <StatusBadge ticket={ticket} />
        </Group>
        <form onSubmit={change}>
          <Stack gap="sm">
            <Select
              label="New status"
              placeholder={statuses.isLoading ? 'Loading…' : 'Choose a status'}
              data={(statuses.data ?? [])
                .filter((s) => s.id !== ticket.status_id)
                .map((s) => ({ value: String(s.id), label: s.name }))}
              value={status}
              onChange={setStatus}
              error={statuses.error ? errorMessage(statuses.error) : undefined}
            />
            <Textarea
              label="Status change note"
              placeholder="Optional"
              autosize
              minRows={2}
              value={note}
              onChange={(e) => setNote(e.currentTarget.value)}
            />
            <Button
              type="submit"
              variant="light"
              disabled={!status}
              loading={mutation.isPending && mutation.variables?.new_status !== closed?.id}
            >
              Change status
            </Button>
          </Stack>
        </form>
        {!isClosed && closed && (
          <Button
            color="teal"
            leftSection={<IconCircleCheck size={16} />}
            loading={mutation.isPending && mutation.variables?.new_status === closed.id}
            onClick={() => mutation.mutate({ new_status: closed.id, note: 'Ticket closed.' })}
          >
            Close ticket
          </Button>
        )}
        {isClosed && ticket._isalert && (
          <Text size="xs" c="dimmed">
            Closing an alert ticket resolves its alert in Atera RMM.
          </Text>
        )}
        {mutation.error && (
          <Alert color="red" role="alert">
            {errorMessage(mutation.error)}
          </Alert>
        )}
      </Stack>
    </Paper>
  );
}

export function TicketDetailPage() {
  const { id } = useParams();
  const ticket = useRecord<Ticket>('Tickets', id);
  return (
    <QueryState query={ticket}>
      {(t) => (
        <Stack gap="lg">
          <PageHeader
            title={
              <>
                <Text span c="dimmed" inherit>
                  #{t.id}{' '}
                </Text>
                {t.summary}
              </>
            }
            breadcrumbs={[{ label: 'Tickets', to: '/tickets' }]}
            actions={
              <Group gap="xs">
                {t._isalert && <AlertBadge />}
                <StatusBadge ticket={t} />
              </Group>
            }
          />
          <Grid gap="lg">
            <Grid.Col span={{ base: 12, md: 8 }}>
              <Stack gap="lg">
                <Paper withBorder p="md">
                  <SectionTitle>Details</SectionTitle>
                  {t.details ? (
                    <Text size="sm" className="keel-pre" data-testid="ticket-details">
                      {t.details}
                    </Text>
                  ) : (
                    <EmptyState>No details.</EmptyState>
                  )}
                </Paper>
                <Paper withBorder p="md">
                  <SectionTitle>Add a note</SectionTitle>
                  <AddNote ticketId={t.id} />
                </Paper>
                <Paper withBorder p="md">
                  <Title order={2} size="h4" mb="md">
                    Actions
                  </Title>
                  <ActionsTimeline ticketId={t.id} />
                </Paper>
              </Stack>
            </Grid.Col>
            <Grid.Col span={{ base: 12, md: 4 }}>
              <Stack gap="lg">
                <StatusPanel ticket={t} />
                <AteraAlertPanel ticket={t} />
                <Paper withBorder p="md">
                  <SectionTitle>Properties</SectionTitle>
                  <DetailGrid
                    cols={{ base: 1, xs: 2, md: 1, lg: 2 }}
                    items={[
                      {
                        label: 'Customer',
                        value: t.client_id ? (
                          <Anchor component={Link} to={`/customers/${t.client_id}`}>
                            {t.client_name}
                          </Anchor>
                        ) : null,
                      },
                      {
                        label: 'Site',
                        value: t.site_id ? (
                          <Anchor component={Link} to={`/sites/${t.site_id}`}>
                            {t.site_name}
                          </Anchor>
                        ) : null,
                      },
                      {
                        label: 'User',
                        value: t.user_id ? (
                          <Anchor component={Link} to={`/users/${t.user_id}`}>
                            {t.user_name}
                          </Anchor>
                        ) : null,
                      },
                      { label: 'Agent', value: t.agent_name },
                      { label: 'Type', value: t.tickettype_name },
                      { label: 'Priority', value: t.priority_name },
                      {
                        label: 'Assets',
                        value: t.assets.length ? (
                          <Stack gap={2}>
                            {t.assets.map((a) => (
                              <Anchor key={a.id} component={Link} to={`/assets/${a.id}`} size="sm">
                                {a.inventory_number || `Asset ${a.id}`}
                              </Anchor>
                            ))}
                          </Stack>
                        ) : null,
                      },
                      { label: 'Logged', value: formatDate(t.dateoccurred ?? t.datecreated) },
                      { label: 'Closed', value: formatDate(t.dateclosed) },
                      { label: 'Atera alert ID', value: t.atera_alert_id },
                    ]}
                  />
                </Paper>
              </Stack>
            </Grid.Col>
          </Grid>
        </Stack>
      )}
    </QueryState>
  );
}
