import { Anchor, Badge, Paper, Stack, Tabs } from '@mantine/core';
import type { ColumnDef } from '@tanstack/react-table';
import { Link, useParams } from 'react-router';
import { useRecord } from '../api/queries';
import type { Asset, Site, User } from '../api/types';
import { ResourceList } from '../components/ResourceList';
import { ActiveBadge, DetailGrid, displayValue, PageHeader, QueryState } from '../components/ui';
import { assetColumns } from './assets';
import { userColumns } from './users';

export const siteColumns: ColumnDef<Site>[] = [
  {
    id: 'name',
    accessorKey: 'name',
    header: 'Site',
    cell: ({ row }) => (
      <Anchor component={Link} to={`/sites/${row.original.id}`} fw={500}>
        {row.original.name}
      </Anchor>
    ),
  },
  {
    id: 'client_name',
    accessorKey: 'client_name',
    header: 'Customer',
    cell: ({ row }) => (
      <Anchor component={Link} to={`/customers/${row.original.client_id}`}>
        {row.original.client_name}
      </Anchor>
    ),
  },
  { id: 'city', accessorKey: 'city', header: 'City', cell: ({ row }) => row.original.city ?? '—' },
  { id: 'country', header: 'Country', cell: ({ row }) => row.original.country ?? '—' },
  {
    id: 'ateraid',
    header: 'Atera customer',
    cell: ({ row }) => (row.original.ateraid ? <Badge variant="light">Atera {row.original.ateraid}</Badge> : '—'),
  },
  { id: 'status', header: 'Status', cell: ({ row }) => <ActiveBadge inactive={row.original.inactive} /> },
];

export function SitesPage() {
  return (
    <>
      <PageHeader
        title="Sites"
        description="Each customer's locations. Map a site to an Atera customer in the Atera RMM setup."
      />
      <ResourceList<Site>
        resource="Site"
        listKey="sites"
        label="Sites"
        columns={siteColumns}
        searchLabel="Search sites"
        defaultSort={{ id: 'name', desc: false }}
        empty="No sites yet."
      />
    </>
  );
}

export function SiteDetailPage() {
  const { id } = useParams();
  const site = useRecord<Site>('Site', id);
  return (
    <QueryState query={site}>
      {(s) => (
        <Stack gap="lg">
          <PageHeader
            title={s.name}
            description={s.client_name}
            breadcrumbs={[
              { label: 'Sites', to: '/sites' },
              { label: s.client_name, to: `/customers/${s.client_id}` },
            ]}
            actions={<ActiveBadge inactive={s.inactive} />}
          />
          <Paper withBorder p="md">
            <DetailGrid
              items={[
                {
                  label: 'Customer',
                  value: (
                    <Anchor component={Link} to={`/customers/${s.client_id}`}>
                      {s.client_name}
                    </Anchor>
                  ),
                },
                { label: 'Address', value: s.address },
                { label: 'City', value: s.city },
                { label: 'State', value: s.state },
                { label: 'Postcode', value: s.postcode },
                { label: 'Country', value: s.country },
                { label: 'Phone', value: s.phonenumber },
                { label: 'Atera customer ID', value: s.ateraid },
                { label: 'Notes', value: s.notes ? <span className="keel-pre">{s.notes}</span> : null },
                ...s.customfields.map((f) => ({ label: f.label ?? f.name, value: displayValue(f.value) })),
              ]}
            />
          </Paper>
          <Tabs defaultValue="assets" keepMounted={false}>
            <Tabs.List>
              <Tabs.Tab value="assets">Assets</Tabs.Tab>
              <Tabs.Tab value="users">Users</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="assets" pt="md">
              <ResourceList<Asset>
                resource="Asset"
                listKey="assets"
                label={`Assets at ${s.name}`}
                columns={assetColumns}
                query={{ site_id: s.id }}
                prefix="a_"
                searchLabel="Search assets"
                pageSize={10}
                empty="No assets at this site."
              />
            </Tabs.Panel>
            <Tabs.Panel value="users" pt="md">
              <ResourceList<User>
                resource="Users"
                listKey="users"
                label={`Users at ${s.name}`}
                columns={userColumns}
                query={{ site_id: s.id }}
                prefix="u_"
                searchLabel="Search users"
                pageSize={10}
                empty="No users at this site."
              />
            </Tabs.Panel>
          </Tabs>
        </Stack>
      )}
    </QueryState>
  );
}
