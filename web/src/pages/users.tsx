import { Anchor, Paper, Stack } from '@mantine/core';
import type { ColumnDef } from '@tanstack/react-table';
import { Link, useParams } from 'react-router';
import { useRecord } from '../api/queries';
import type { Ticket, User } from '../api/types';
import { ResourceList } from '../components/ResourceList';
import { ActiveBadge, DetailGrid, displayValue, PageHeader, QueryState, SectionTitle } from '../components/ui';
import { ticketColumns } from './tickets';

export const userColumns: ColumnDef<User>[] = [
  {
    id: 'name',
    accessorKey: 'name',
    header: 'Name',
    cell: ({ row }) => (
      <Anchor component={Link} to={`/users/${row.original.id}`} fw={500}>
        {row.original.name}
      </Anchor>
    ),
  },
  {
    id: 'emailaddress',
    accessorKey: 'emailaddress',
    header: 'Email',
    cell: ({ row }) => row.original.emailaddress ?? '—',
  },
  {
    id: 'client_name',
    accessorKey: 'client_name',
    header: 'Customer',
    cell: ({ row }) =>
      row.original.client_id ? (
        <Anchor component={Link} to={`/customers/${row.original.client_id}`}>
          {row.original.client_name}
        </Anchor>
      ) : (
        '—'
      ),
  },
  { id: 'site_name', accessorKey: 'site_name', header: 'Site', cell: ({ row }) => row.original.site_name ?? '—' },
  { id: 'status', header: 'Status', cell: ({ row }) => <ActiveBadge inactive={row.original.inactive} /> },
];

export function UsersPage() {
  return (
    <>
      <PageHeader title="Users" description="Your customers' people (end users)." />
      <ResourceList<User>
        resource="Users"
        listKey="users"
        label="Users"
        columns={userColumns}
        searchLabel="Search users"
        defaultSort={{ id: 'name', desc: false }}
        empty="No users yet."
      />
    </>
  );
}

export function UserDetailPage() {
  const { id } = useParams();
  const user = useRecord<User>('Users', id);
  return (
    <QueryState query={user}>
      {(u) => (
        <Stack gap="lg">
          <PageHeader
            title={u.name}
            breadcrumbs={[{ label: 'Users', to: '/users' }]}
            actions={<ActiveBadge inactive={u.inactive} />}
          />
          <Paper withBorder p="md">
            <DetailGrid
              items={[
                { label: 'Email', value: u.emailaddress },
                { label: 'Login', value: u.login },
                { label: 'Phone', value: u.phonenumber },
                {
                  label: 'Customer',
                  value: u.client_id ? (
                    <Anchor component={Link} to={`/customers/${u.client_id}`}>
                      {u.client_name}
                    </Anchor>
                  ) : null,
                },
                {
                  label: 'Site',
                  value: u.site_id ? (
                    <Anchor component={Link} to={`/sites/${u.site_id}`}>
                      {u.site_name}
                    </Anchor>
                  ) : null,
                },
                { label: 'Notes', value: u.notes ? <span className="keel-pre">{u.notes}</span> : null },
                ...u.customfields.map((f) => ({ label: f.label ?? f.name, value: displayValue(f.value) })),
              ]}
            />
          </Paper>
          <div>
            <SectionTitle>Tickets</SectionTitle>
            <ResourceList<Ticket>
              resource="Tickets"
              listKey="tickets"
              label={`Tickets of ${u.name}`}
              columns={ticketColumns}
              query={{ user_id: u.id }}
              prefix="t_"
              withSearch={false}
              pageSize={10}
              defaultSort={{ id: 'id', desc: true }}
              empty="No tickets for this user."
            />
          </div>
        </Stack>
      )}
    </QueryState>
  );
}
