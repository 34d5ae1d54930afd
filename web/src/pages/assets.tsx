import { Anchor, Badge, Checkbox, Group, Paper, SimpleGrid, Stack, Table, Text, Tooltip } from '@mantine/core';
import { IconPlugConnected } from '@tabler/icons-react';
import type { ColumnDef } from '@tanstack/react-table';
import { Link, useParams } from 'react-router';
import { useRecord } from '../api/queries';
import type { Asset, FieldValue, Ticket } from '../api/types';
import { useListParams } from '../components/listParams';
import { ResourceList } from '../components/ResourceList';
import {
  ActiveBadge,
  DetailGrid,
  displayValue,
  EmptyState,
  formatDate,
  PageHeader,
  QueryState,
  SectionTitle,
} from '../components/ui';
import { ticketColumns } from './tickets';

export function lastSeen(asset: Asset): string | null {
  const f = asset.fields.find((x) => x.name.toLowerCase() === 'last seen');
  return f && f.value !== null && f.value !== '' ? String(f.value) : null;
}

export function AteraLink({ ateraId }: { ateraId: string | null }) {
  if (!ateraId)
    return (
      <Text c="dimmed" size="sm">
        Not linked
      </Text>
    );
  return (
    <Tooltip label="This asset is linked to a device in Atera RMM">
      <Badge variant="light" color="blue" leftSection={<IconPlugConnected size={12} />}>
        Atera {ateraId}
      </Badge>
    </Tooltip>
  );
}

export const assetColumns: ColumnDef<Asset>[] = [
  {
    id: 'inventory_number',
    accessorKey: 'inventory_number',
    header: 'Asset',
    cell: ({ row }) => (
      <Anchor component={Link} to={`/assets/${row.original.id}`} fw={500}>
        {row.original.inventory_number || `Asset ${row.original.id}`}
      </Anchor>
    ),
  },
  {
    id: 'assettype_name',
    accessorKey: 'assettype_name',
    header: 'Type',
    cell: ({ row }) => row.original.assettype_name ?? '—',
  },
  {
    id: 'client_name',
    accessorKey: 'client_name',
    header: 'Customer',
    cell: ({ row }) => row.original.client_name ?? '—',
  },
  { id: 'site_name', accessorKey: 'site_name', header: 'Site', cell: ({ row }) => row.original.site_name ?? '—' },
  { id: 'atera', header: 'Atera RMM', cell: ({ row }) => <AteraLink ateraId={row.original.atera_id} /> },
  { id: 'lastseen', header: 'Last seen', cell: ({ row }) => formatDate(lastSeen(row.original)) || '—' },
  { id: 'status', header: 'Status', cell: ({ row }) => <ActiveBadge inactive={row.original.inactive} /> },
];

export function AssetsPage() {
  const lp = useListParams();
  const includeInactive = lp.filter('inactive') === '1';
  return (
    <>
      <PageHeader title="Assets" description="Devices, imported from Atera RMM or added in Keel." />
      <ResourceList<Asset>
        resource="Asset"
        listKey="assets"
        label="Assets"
        columns={assetColumns}
        searchLabel="Search assets"
        defaultSort={{ id: 'inventory_number', desc: false }}
        query={{ includeinactive: includeInactive || undefined }}
        minWidth={860}
        filters={
          <Checkbox
            label="Include inactive assets"
            checked={includeInactive}
            onChange={(e) => lp.setFilter('inactive', e.currentTarget.checked ? '1' : null)}
            mb={8}
          />
        }
        empty="No assets yet. Import them from Atera RMM under Configuration > Integrations."
      />
    </>
  );
}

function FieldTable({ label, fields }: { label: string; fields: FieldValue[] }) {
  if (fields.length === 0) return <EmptyState>No values.</EmptyState>;
  return (
    <Table aria-label={label} verticalSpacing={6}>
      <Table.Tbody>
        {fields.map((f) => (
          <Table.Tr key={f.id}>
            <Table.Th w="40%" fw={500} c="dimmed" fz="sm">
              {f.label ?? f.name}
            </Table.Th>
            <Table.Td fz="sm" className="keel-pre">
              {f.name.toLowerCase() === 'last seen' && typeof f.value === 'string'
                ? formatDate(f.value)
                : displayValue(f.value)}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function AssetDetailPage() {
  const { id } = useParams();
  const asset = useRecord<Asset>('Asset', id);
  return (
    <QueryState query={asset}>
      {(a) => (
        <Stack gap="lg">
          <PageHeader
            title={a.inventory_number || `Asset ${a.id}`}
            description={[a.assettype_name, a.client_name].filter(Boolean).join(' · ')}
            breadcrumbs={[{ label: 'Assets', to: '/assets' }]}
            actions={
              <Group gap="xs">
                <AteraLink ateraId={a.atera_id} />
                <ActiveBadge inactive={a.inactive} />
              </Group>
            }
          />
          <Paper withBorder p="md">
            <DetailGrid
              items={[
                { label: 'Asset type', value: a.assettype_name },
                { label: 'Asset group', value: a.assetgroup_name },
                {
                  label: 'Customer',
                  value: a.client_id ? (
                    <Anchor component={Link} to={`/customers/${a.client_id}`}>
                      {a.client_name}
                    </Anchor>
                  ) : null,
                },
                {
                  label: 'Site',
                  value: a.site_id ? (
                    <Anchor component={Link} to={`/sites/${a.site_id}`}>
                      {a.site_name}
                    </Anchor>
                  ) : null,
                },
                {
                  label: 'User',
                  value: a.user_id ? (
                    <Anchor component={Link} to={`/users/${a.user_id}`}>
                      {a.username}
                    </Anchor>
                  ) : null,
                },
                { label: 'Atera RMM ID', value: a.atera_id },
                { label: 'Last seen', value: formatDate(lastSeen(a)) },
                { label: 'Created', value: formatDate(a.datecreated) },
                { label: 'Last updated', value: formatDate(a.dlastupdate) },
              ]}
            />
          </Paper>
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <Paper withBorder p="md">
              <SectionTitle>Fields</SectionTitle>
              <FieldTable label="Asset fields" fields={a.fields} />
            </Paper>
            <Paper withBorder p="md">
              <SectionTitle>Custom fields</SectionTitle>
              <FieldTable label="Custom fields" fields={a.customfields} />
            </Paper>
          </SimpleGrid>
          <div>
            <SectionTitle>Open alert tickets</SectionTitle>
            <ResourceList<Ticket>
              resource="Tickets"
              listKey="tickets"
              label="Open tickets for this asset"
              columns={ticketColumns}
              query={{ asset_id: a.id, open_only: true }}
              prefix="t_"
              withSearch={false}
              pageSize={10}
              defaultSort={{ id: 'id', desc: true }}
              empty="No open tickets for this asset."
            />
          </div>
        </Stack>
      )}
    </QueryState>
  );
}
