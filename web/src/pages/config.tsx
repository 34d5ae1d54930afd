import {
  ActionIcon,
  Alert,
  Anchor,
  Badge,
  Button,
  Group,
  Paper,
  SimpleGrid,
  Stack,
  Text,
  ThemeIcon,
  Tooltip,
} from '@mantine/core';
import { IconLock, IconPlug, IconPlus } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, Outlet, useNavigate } from 'react-router';
import { api, errorMessage } from '../api/http';
import { useAteraSettings } from '../api/queries';
import { useAuth } from '../auth/auth';
import { PageHeader, QueryState } from '../components/ui';

/** Configuration is for administrators; a technician who opens it gets a clear refusal. */
export function RequireAdmin() {
  const { isAdmin } = useAuth();
  if (!isAdmin) {
    return (
      <Stack gap="md">
        <PageHeader title="Configuration" />
        <Alert color="red" icon={<IconLock size={18} />} title="Administrators only" role="alert">
          You do not have permission to open Configuration. Ask an administrator if a setting needs to change.
        </Alert>
      </Stack>
    );
  }
  return <Outlet />;
}

export function ConfigPage() {
  return (
    <>
      <PageHeader title="Configuration" description="Set up how Keel works for your MSP." />
      <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }}>
        <Paper
          withBorder
          p="md"
          component={Link}
          to="/config/integrations"
          style={{ textDecoration: 'none', color: 'inherit' }}
        >
          <Group wrap="nowrap" align="flex-start">
            <ThemeIcon size={38} variant="light" aria-hidden>
              <IconPlug size={20} />
            </ThemeIcon>
            <div>
              <Text fw={600}>Integrations</Text>
              <Text size="sm" c="dimmed">
                Connect Keel to Atera RMM: customers, assets and alerts.
              </Text>
            </div>
          </Group>
        </Paper>
      </SimpleGrid>
    </>
  );
}

export function IntegrationsPage() {
  const settings = useAteraSettings();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const enable = useMutation({
    mutationFn: () => api('/api/Integration/Atera', { method: 'POST', body: { atera_enabled: true } }),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ['atera'] });
      navigate('/config/integrations/atera/connection');
    },
  });
  return (
    <>
      <PageHeader
        title="Integrations"
        description="Enable an integration module with the '+' icon, then click into it to configure it."
        breadcrumbs={[{ label: 'Configuration', to: '/config' }]}
      />
      <QueryState query={settings}>
        {(s) => (
          <Paper withBorder>
            <Group p="md" justify="space-between" wrap="nowrap" aria-label="Atera RMM integration module">
              <Group wrap="nowrap" gap="md">
                <ThemeIcon size={44} radius="md" color="indigo" variant="light" aria-hidden>
                  <Text fw={800} size="sm">
                    AT
                  </Text>
                </ThemeIcon>
                <div>
                  <Group gap="xs">
                    {s.atera_enabled ? (
                      <Anchor component={Link} to="/config/integrations/atera/connection" fw={600}>
                        Atera RMM
                      </Anchor>
                    ) : (
                      <Text fw={600}>Atera RMM</Text>
                    )}
                    {s.atera_enabled ? (
                      <Badge color="teal" variant="light">
                        Enabled
                      </Badge>
                    ) : (
                      <Badge color="gray" variant="light">
                        Not enabled
                      </Badge>
                    )}
                  </Group>
                  <Text size="sm" c="dimmed">
                    Import customers and devices from Atera RMM, keep them in sync, and turn Atera alerts into tickets.
                  </Text>
                </div>
              </Group>
              {s.atera_enabled ? (
                <Button component={Link} to="/config/integrations/atera/connection" variant="light">
                  Configure
                </Button>
              ) : (
                <Tooltip label="Enable Atera RMM">
                  <ActionIcon
                    size="lg"
                    variant="filled"
                    aria-label="Enable Atera RMM"
                    loading={enable.isPending}
                    onClick={() => enable.mutate()}
                  >
                    <IconPlus size={18} />
                  </ActionIcon>
                </Tooltip>
              )}
            </Group>
            {enable.error && (
              <Alert color="red" m="md" mt={0} role="alert">
                {errorMessage(enable.error)}
              </Alert>
            )}
          </Paper>
        )}
      </QueryState>
    </>
  );
}
