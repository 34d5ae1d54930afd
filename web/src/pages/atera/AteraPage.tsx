import { Alert, Badge, Button, Paper, Tabs } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Navigate, useNavigate, useParams } from 'react-router';
import { api, errorMessage } from '../../api/http';
import { useAteraSettings } from '../../api/queries';
import { PageHeader, QueryState } from '../../components/ui';
import { AlertingSection } from './AlertingSection';
import { AssetsSection } from './AssetsSection';
import { ConnectionSection } from './ConnectionSection';
import { CustomersSection } from './CustomersSection';
import { IntegratorSection } from './IntegratorSection';
import { RunsSection } from './RunsSection';
import { DraftProvider } from './settings';

const TABS = [
  { value: 'connection', label: 'Connection' },
  { value: 'customers', label: 'Customers' },
  { value: 'assets', label: 'Assets' },
  { value: 'integrator', label: 'Integrator' },
  { value: 'alerting', label: 'Alerting' },
  { value: 'runs', label: 'Runs' },
] as const;

/** Configuration > Integrations > Atera RMM: the guide's setup page, one tab per part, in the guide's order. */
export function AteraPage() {
  const { tab } = useParams();
  const navigate = useNavigate();
  const settings = useAteraSettings();
  const qc = useQueryClient();
  const enable = useMutation({
    mutationFn: (enabled: boolean) =>
      api('/api/Integration/Atera', { method: 'POST', body: { atera_enabled: enabled } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['atera'] }),
  });
  if (!TABS.some((t) => t.value === tab)) return <Navigate to="/config/integrations/atera/connection" replace />;

  return (
    <DraftProvider>
      <PageHeader
        title="Atera RMM"
        description="Import customers and devices from Atera RMM, sync them automatically, and turn Atera alerts into tickets."
        breadcrumbs={[
          { label: 'Configuration', to: '/config' },
          { label: 'Integrations', to: '/config/integrations' },
        ]}
        actions={
          settings.data?.atera_enabled ? (
            <Badge color="teal" variant="light" size="lg">
              Module enabled
            </Badge>
          ) : undefined
        }
      />
      <QueryState query={settings}>
        {(s) => (
          <>
            {!s.atera_enabled && (
              <Alert color="yellow" mb="md" title="The Atera RMM module is not enabled">
                Enable it to use the integration.{' '}
                <Button size="xs" ml="sm" onClick={() => enable.mutate(true)} loading={enable.isPending}>
                  Enable Atera RMM
                </Button>
                {enable.error && <div>{errorMessage(enable.error)}</div>}
              </Alert>
            )}
            <Tabs value={tab} onChange={(v) => v && navigate(`/config/integrations/atera/${v}`)} keepMounted={false}>
              <Tabs.List mb="md">
                {TABS.map((t) => (
                  <Tabs.Tab key={t.value} value={t.value}>
                    {t.label}
                  </Tabs.Tab>
                ))}
              </Tabs.List>
              <Paper withBorder p={{ base: 'sm', sm: 'lg' }}>
                <Tabs.Panel value="connection">
                  <ConnectionSection settings={s} />
                </Tabs.Panel>
                <Tabs.Panel value="customers">
                  <CustomersSection settings={s} />
                </Tabs.Panel>
                <Tabs.Panel value="assets">
                  <AssetsSection settings={s} />
                </Tabs.Panel>
                <Tabs.Panel value="integrator">
                  <IntegratorSection settings={s} />
                </Tabs.Panel>
                <Tabs.Panel value="alerting">
                  <AlertingSection settings={s} />
                </Tabs.Panel>
                <Tabs.Panel value="runs">
                  <RunsSection />
                </Tabs.Panel>
              </Paper>
            </Tabs>
          </>
        )}
      </QueryState>
    </DraftProvider>
  );
}
