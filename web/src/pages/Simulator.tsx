import { Alert, Badge, Button, Group, Paper, Select, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, errorMessage } from '../api/http';
import { useDemo } from '../api/queries';
import type { SimAlert } from '../api/types';
import { EmptyState, ErrorState, LoadingState, PageHeader, SectionTitle } from '../components/ui';

const idOf = (a: SimAlert) => a.alert_id ?? a.AlertID ?? a.id ?? 0;
const titleOf = (a: SimAlert) => a.title ?? a.Title ?? `Alert ${idOf(a)}`;
const severityOf = (a: SimAlert) => a.severity ?? a.Severity ?? '';
const deviceOf = (a: SimAlert) =>
  a.device_name ?? a.DeviceName ?? ((a.agent_id ?? a.AgentID) ? `Agent ${a.agent_id ?? a.AgentID}` : '');

/** Demo mode only: raise and resolve alerts in the built-in Atera simulator to see Keel react. */
export function SimulatorPage() {
  const demo = useDemo(true);
  const qc = useQueryClient();
  const [severity, setSeverity] = useState<string | null>('Critical');
  const [title, setTitle] = useState('Disk space low on C:');
  const [agentId, setAgentId] = useState<number | string>('');
  const alerts = useQuery({
    queryKey: ['demo', 'alerts'],
    queryFn: async ({ signal }) => {
      const data = await api<SimAlert[] | { alerts: SimAlert[] }>('/api/Demo/Simulator/Alerts', { signal });
      return Array.isArray(data) ? data : (data.alerts ?? []);
    },
    enabled: demo.data?.enabled === true,
    refetchInterval: 5000,
  });
  const agents = useQuery({
    queryKey: ['demo', 'agents'],
    queryFn: ({ signal }) =>
      api<{ agent_id: number; machine_name: string | null; customer_name: string | null }[]>(
        '/api/Demo/Simulator/Agents',
        { signal },
      ),
    enabled: demo.data?.enabled === true,
    staleTime: 60_000,
  });
  const raise = useMutation({
    mutationFn: () =>
      api('/api/Demo/Simulator/Alerts', {
        method: 'POST',
        body: { severity, title, ...(typeof agentId === 'number' ? { agent_id: agentId } : {}) },
      }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['demo', 'alerts'] }),
  });
  const resolve = useMutation({
    mutationFn: (id: number) => api(`/api/Demo/Simulator/Alerts/${id}/Resolve`, { method: 'POST' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['demo', 'alerts'] }),
  });

  if (demo.isLoading) return <LoadingState />;
  if (!demo.data?.enabled) {
    return (
      <>
        <PageHeader title="Simulator" />
        <Alert color="gray">The Atera simulator is only available when Keel runs in demo mode.</Alert>
      </>
    );
  }
  const submit = (e: FormEvent) => {
    e.preventDefault();
    raise.mutate();
  };
  return (
    <Stack gap="lg">
      <PageHeader
        title="Simulator"
        description="Demo mode: raise an alert in the simulated Atera account and watch it become a ticket; resolve it and watch the ticket close."
      />
      <Paper withBorder p="md">
        <SectionTitle>Raise an alert</SectionTitle>
        <form onSubmit={submit}>
          <Stack gap="sm">
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <Select
                label="Severity"
                data={['Information', 'Warning', 'Critical']}
                value={severity}
                onChange={setSeverity}
                allowDeselect={false}
              />
              <TextInput
                label="Title"
                value={title}
                onChange={(e) => setTitle(e.currentTarget.value)}
                required
                withAsterisk={false}
              />
              <Select
                label="Device"
                placeholder="A random device"
                searchable
                clearable
                data={(agents.data ?? []).map((a) => ({
                  value: String(a.agent_id),
                  label: `${a.machine_name ?? a.agent_id} (${a.customer_name ?? 'no customer'})`,
                }))}
                value={agentId === '' ? null : String(agentId)}
                onChange={(v) => setAgentId(v ? Number(v) : '')}
              />
            </SimpleGrid>
            <Group>
              <Button type="submit" loading={raise.isPending} disabled={!title.trim()}>
                Raise alert
              </Button>
            </Group>
            {raise.error && (
              <Alert color="red" role="alert">
                {errorMessage(raise.error)}
              </Alert>
            )}
          </Stack>
        </form>
      </Paper>
      <Paper withBorder p="md">
        <SectionTitle>Open simulated alerts</SectionTitle>
        {alerts.isLoading ? (
          <LoadingState />
        ) : alerts.error ? (
          <ErrorState error={alerts.error} onRetry={() => alerts.refetch()} />
        ) : (alerts.data ?? []).length === 0 ? (
          <EmptyState>No open alerts in the simulator.</EmptyState>
        ) : (
          <Table.ScrollContainer minWidth={520}>
            <Table aria-label="Open simulated alerts" striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Alert</Table.Th>
                  <Table.Th>Severity</Table.Th>
                  <Table.Th>Device</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {(alerts.data ?? []).map((a) => (
                  <Table.Tr key={idOf(a)}>
                    <Table.Td>
                      <Text size="sm" fw={500}>
                        {titleOf(a)}
                      </Text>
                      <Text size="xs" c="dimmed">
                        Alert {idOf(a)}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Badge
                        variant="light"
                        color={severityOf(a) === 'Critical' ? 'red' : severityOf(a) === 'Warning' ? 'orange' : 'blue'}
                      >
                        {severityOf(a)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{deviceOf(a)}</Table.Td>
                    <Table.Td>
                      <Button
                        size="compact-sm"
                        variant="light"
                        onClick={() => resolve.mutate(idOf(a))}
                        loading={resolve.isPending && resolve.variables === idOf(a)}
                        aria-label={`Resolve alert ${idOf(a)}`}
                      >
                        Resolve
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {resolve.error && (
          <Alert color="red" role="alert" mt="sm">
            {errorMessage(resolve.error)}
          </Alert>
        )}
      </Paper>
    </Stack>
  );
}
