import { Anchor, Badge, Group, Paper, SimpleGrid, Stack, Text, ThemeIcon } from '@mantine/core';
import { IconAlertTriangle, IconBuilding, IconDeviceDesktop, IconTicket } from '@tabler/icons-react';
import type { ColumnDef } from '@tanstack/react-table';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { useAteraSettings, useList } from '../api/queries';
import type { Ticket } from '../api/types';
import { useAuth } from '../auth/auth';
import { DataTable } from '../components/DataTable';
import { DetailGrid, formatDate, PageHeader, SectionTitle } from '../components/ui';

function Stat({
  label,
  to,
  icon,
  query,
  color,
}: {
  label: string;
  to: string;
  icon: ReactNode;
  query: { data?: { total: number }; isLoading: boolean; error: unknown };
  color: string;
}) {
  return (
    <Paper
      withBorder
      p="md"
      radius="md"
      component={Link}
      to={to}
      style={{ textDecoration: 'none', color: 'inherit' }}
      aria-label={`${label}: ${query.data?.total ?? ''}`}
    >
      <Group justify="space-between" wrap="nowrap">
        <div>
          <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
            {label}
          </Text>
          <Text fw={700} fz={28} lh={1.2}>
            {query.isLoading ? '…' : query.error ? '—' : query.data?.total}
          </Text>
        </div>
        <ThemeIcon size={42} radius="md" variant="light" color={color} aria-hidden>
          {icon}
        </ThemeIcon>
      </Group>
    </Paper>
  );
}

const alertColumns: ColumnDef<Ticket>[] = [
  {
    id: 'id',
    header: 'ID',
    cell: ({ row }) => (
      <Anchor component={Link} to={`/tickets/${row.original.id}`}>
        #{row.original.id}
      </Anchor>
    ),
  },
  { id: 'summary', header: 'Summary', cell: ({ row }) => <Text size="sm">{row.original.summary}</Text> },
  { id: 'client', header: 'Customer', cell: ({ row }) => row.original.client_name ?? '—' },
  { id: 'priority', header: 'Priority', cell: ({ row }) => row.original.priority_name ?? '—' },
  { id: 'date', header: 'Logged', cell: ({ row }) => formatDate(row.original.datecreated) },
];

export function OverviewPage() {
  const { agent, isAdmin } = useAuth();
  const open = useList<Ticket>('Tickets', 'tickets', { open_only: true, page_size: 1 });
  const alerts = useList<Ticket>('Tickets', 'tickets', {
    open_only: true,
    isalert: true,
    page_size: 5,
    order: 'id',
    orderdesc: true,
  });
  const customers = useList('Client', 'clients', { page_size: 1 });
  const assets = useList('Asset', 'assets', { page_size: 1 });
  const atera = useAteraSettings();

  return (
    <Stack gap="lg">
      <PageHeader title={`Welcome, ${agent?.name ?? ''}`} description="What needs attention across your customers." />
      <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }}>
        <Stat label="Open tickets" to="/tickets" icon={<IconTicket size={22} />} query={open} color="blue" />
        <Stat
          label="Open alerts"
          to="/tickets?alerts=1"
          icon={<IconAlertTriangle size={22} />}
          query={alerts}
          color="orange"
        />
        <Stat label="Customers" to="/customers" icon={<IconBuilding size={22} />} query={customers} color="teal" />
        <Stat label="Assets" to="/assets" icon={<IconDeviceDesktop size={22} />} query={assets} color="grape" />
      </SimpleGrid>
      <div>
        <SectionTitle
          actions={
            <Anchor component={Link} to="/tickets?alerts=1" size="sm">
              All alert tickets
            </Anchor>
          }
        >
          Latest open alert tickets
        </SectionTitle>
        <DataTable
          label="Latest open alert tickets"
          columns={alertColumns}
          rows={alerts.data?.rows}
          loading={alerts.isLoading}
          error={alerts.error}
          onRetry={() => alerts.refetch()}
          empty="No open alert tickets. Atera alerts show up here once alert processing is on."
        />
      </div>
      {atera.data && (
        <Paper withBorder p="md" radius="md">
          <SectionTitle
            actions={
              isAdmin ? (
                <Anchor component={Link} to="/config/integrations/atera/connection" size="sm">
                  Atera RMM setup
                </Anchor>
              ) : undefined
            }
          >
            Atera RMM
          </SectionTitle>
          <DetailGrid
            items={[
              {
                label: 'Integration',
                value: atera.data.atera_enabled ? (
                  <Badge color="teal" variant="light">
                    Enabled
                  </Badge>
                ) : (
                  <Badge color="gray" variant="light">
                    Not enabled
                  </Badge>
                ),
              },
              { label: 'Keel Integrator', value: atera.data.halointegrator_atera ? 'On' : 'Off' },
              { label: 'Last sync', value: formatDate(atera.data.halointegrator_atera_lastsync) || 'Never' },
              { label: 'Last error', value: atera.data.halointegrator_atera_lasterror ?? 'None' },
            ]}
          />
        </Paper>
      )}
    </Stack>
  );
}
