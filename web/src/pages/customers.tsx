import { Anchor, Badge, Paper, Stack, Tabs, Text } from '@mantine/core';
import type { ColumnDef } from '@tanstack/react-table';
import { Link, useParams } from 'react-router';
import { useRecord } from '../api/queries';
import type { Asset, Client, Site, Ticket, User } from '../api/types';
import { ResourceList } from '../components/ResourceList';
import { ActiveBadge, DetailGrid, displayValue, PageHeader, QueryState } from '../components/ui';
import { assetColumns } from './assets';
import { siteColumns } from './sites';
import { ticketColumns } from './tickets';
import { userColumns } from './users';

export const clientColumns: ColumnDef<Client>[] = [
  {
    id: 'name',
    accessorKey: 'name',
    header: 'Name',
    cell: ({ row }) => (
      <Anchor component={Link} to={`/customers/${row.original.id}`} fw={500}>
        {row.original.name}
      </Anchor>
    ),
  },
  {
    id: 'toplevel_name',
    accessorKey: 'toplevel_name',
    header: 'Top level',
    cell: ({ row }) => row.original.toplevel_name ?? '—',
  },
  { id: 'main_site', header: 'Main site', cell: ({ row }) => row.original.main_site_name ?? '—' },
  {
    id: 'ateraid',
    header: 'Atera customer',
    cell: ({ row }) =>
      row.original.ateraid ? (
        <Badge variant="light" color="blue">
          Atera {row.original.ateraid}
        </Badge>
      ) : (
        <Text c="dimmed" size="sm">
          Not linked
        </Text>
      ),
  },
  { id: 'status', header: 'Status', cell: ({ row }) => <ActiveBadge inactive={row.original.inactive} /> },
];

export function CustomersPage() {
  return (
    <>
      <PageHeader
        title="Customers"
        description="Your customers (Halo: clients). Atera customers link to them through the integration."
      />
      <ResourceList<Client>
        resource="Client"
        listKey="clients"
        label="Customers"
        columns={clientColumns}
        searchLabel="Search customers"
        defaultSort={{ id: 'name', desc: false }}
        empty="No customers yet. Import them from Atera RMM under Configuration > Integrations."
      />
    </>
  );
}

export function CustomerDetailPage() {
  const { id } = useParams();
  const client = useRecord<Client>('Client', id);
  return (
    <QueryState query={client}>
      {(c) => (
        <Stack gap="lg">
          <PageHeader
            title={c.name}
            breadcrumbs={[{ label: 'Customers', to: '/customers' }]}
            actions={<ActiveBadge inactive={c.inactive} />}
          />
          <Paper withBorder p="md">
            <DetailGrid
              items={[
                { label: 'Top level', value: c.toplevel_name },
                {
                  label: 'Main site',
                  value: c.main_site_id ? (
                    <Anchor component={Link} to={`/sites/${c.main_site_id}`}>
                      {c.main_site_name}
                    </Anchor>
                  ) : null,
                },
                { label: 'Atera customer ID', value: c.ateraid },
                { label: 'Website', value: c.website },
                { label: 'Notes', value: c.notes ? <span className="keel-pre">{c.notes}</span> : null },
                ...c.customfields.map((f) => ({ label: f.label ?? f.name, value: displayValue(f.value) })),
              ]}
            />
          </Paper>
          <Tabs defaultValue="sites" keepMounted={false}>
            <Tabs.List>
              <Tabs.Tab value="sites">Sites</Tabs.Tab>
              <Tabs.Tab value="assets">Assets</Tabs.Tab>
              <Tabs.Tab value="users">Users</Tabs.Tab>
              <Tabs.Tab value="tickets">Open tickets</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="sites" pt="md">
              <ResourceList<Site>
                resource="Site"
                listKey="sites"
                label={`Sites of ${c.name}`}
                columns={siteColumns}
                query={{ client_id: c.id }}
                prefix="s_"
                withSearch={false}
                pageSize={10}
                empty="This customer has no sites."
              />
            </Tabs.Panel>
            <Tabs.Panel value="assets" pt="md">
              <ResourceList<Asset>
                resource="Asset"
                listKey="assets"
                label={`Assets of ${c.name}`}
                columns={assetColumns}
                query={{ client_id: c.id }}
                prefix="a_"
                searchLabel="Search assets"
                pageSize={10}
                empty="This customer has no assets."
              />
            </Tabs.Panel>
            <Tabs.Panel value="users" pt="md">
              <ResourceList<User>
                resource="Users"
                listKey="users"
                label={`Users of ${c.name}`}
                columns={userColumns}
                query={{ client_id: c.id }}
                prefix="u_"
                searchLabel="Search users"
                pageSize={10}
                empty="This customer has no users."
              />
            </Tabs.Panel>
            <Tabs.Panel value="tickets" pt="md">
              <ResourceList<Ticket>
                resource="Tickets"
                listKey="tickets"
                label={`Open tickets of ${c.name}`}
                columns={ticketColumns}
                query={{ client_id: c.id, open_only: true }}
                prefix="t_"
                withSearch={false}
                pageSize={10}
                defaultSort={{ id: 'id', desc: true }}
                empty="No open tickets."
              />
            </Tabs.Panel>
          </Tabs>
        </Stack>
      )}
    </QueryState>
  );
}
