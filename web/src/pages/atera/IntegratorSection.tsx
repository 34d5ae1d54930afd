import {
  Alert,
  Button,
  Checkbox,
  Divider,
  Group,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { api, errorMessage } from '../../api/http';
import type { AteraSettings, Run } from '../../api/types';
import { DetailGrid, formatDate } from '../../components/ui';
import { RunSummary, useRunPoll } from './runs';
import { SaveBar, useSettingsSection } from './settings';

const KEYS = [
  'halointegrator_atera',
  'halointegrator_atera_entities',
  'atera_schedule_customers',
  'atera_schedule_assets',
  'atera_schedule_alerts',
  'atera_schedule_timezone',
  'atera_delete_devices',
  'atera_deactivation_threshold',
] as const;

const SCHEDULE_HELP = 'An interval such as 1d, 5m or 30s, or a cron expression such as 0 2 * * *.';

function timeZones(): string[] {
  try {
    return (Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf('timeZone');
  } catch {
    return ['UTC'];
  }
}

export function IntegratorSection({ settings }: { settings: AteraSettings }) {
  const section = useSettingsSection(settings, KEYS);
  const zones = useMemo(() => {
    const list = timeZones();
    return list.includes('UTC') ? list : ['UTC', ...list];
  }, []);
  const [runId, setRunId] = useState<number | null>(null);
  const run = useRunPoll(runId);
  const sync = useMutation({
    mutationFn: (dryRun: boolean) => {
      const entities = (settings.halointegrator_atera_entities ?? []).filter(
        (e) => e === 'customers' || e === 'assets',
      );
      return api<Run>('/api/Integration/Atera/Sync', {
        method: 'POST',
        body: { dry_run: dryRun, ...(entities.length ? { entities } : {}) },
      });
    },
    onSuccess: (r) => setRunId(r.id),
  });
  const entities = section.value('halointegrator_atera_entities') ?? [];
  const nextDue = settings.halointegrator_atera_nextdue ?? {};

  return (
    <Stack gap="lg">
      <div>
        <Title order={2} size="h3">
          Import Assets and Customer data automatically
        </Title>
        <Text size="sm" c="dimmed" mt={4} maw={760}>
          To have customer and asset data (and alerts) sync from Atera to Keel automatically, enable the Keel Integrator
          for the integration and choose the entities to sync.
        </Text>
      </div>
      <Stack gap="md" maw={640}>
        <Switch
          label="Enable the Keel Integrator for the Atera RMM integration"
          checked={Boolean(section.value('halointegrator_atera'))}
          onChange={(e) => section.set('halointegrator_atera', e.currentTarget.checked)}
          error={section.error('halointegrator_atera')}
        />
        <Checkbox.Group
          label="Entities to Sync"
          description="Customers and assets sync daily by default; alerts every 5 minutes."
          value={entities}
          onChange={(v) =>
            section.set('halointegrator_atera_entities', v as AteraSettings['halointegrator_atera_entities'])
          }
          error={section.error('halointegrator_atera_entities')}
        >
          <Group mt="xs">
            <Checkbox value="customers" label="Customers" />
            <Checkbox value="assets" label="Assets" />
            <Checkbox value="alerts" label="Alerts" />
          </Group>
        </Checkbox.Group>
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <TextInput
            label="Customers schedule"
            value={section.value('atera_schedule_customers') ?? ''}
            onChange={(e) => section.set('atera_schedule_customers', e.currentTarget.value)}
            error={section.error('atera_schedule_customers')}
          />
          <TextInput
            label="Assets schedule"
            value={section.value('atera_schedule_assets') ?? ''}
            onChange={(e) => section.set('atera_schedule_assets', e.currentTarget.value)}
            error={section.error('atera_schedule_assets')}
          />
          <TextInput
            label="Alerts schedule"
            value={section.value('atera_schedule_alerts') ?? ''}
            onChange={(e) => section.set('atera_schedule_alerts', e.currentTarget.value)}
            error={section.error('atera_schedule_alerts')}
          />
        </SimpleGrid>
        <Text size="xs" c="dimmed" mt={-8}>
          {SCHEDULE_HELP}
        </Text>
        <Select
          label="Schedule time zone"
          description="Cron schedules run in this time zone."
          data={zones}
          searchable
          value={section.value('atera_schedule_timezone') ?? 'UTC'}
          onChange={(v) => v && section.set('atera_schedule_timezone', v)}
          error={section.error('atera_schedule_timezone')}
          allowDeselect={false}
          limit={50}
        />
        <Switch
          label="Deactivate Assets in Keel when they are deleted from Atera RMM"
          description="Keel Integrator only: assets are set inactive (never deleted) after a complete read of Atera's devices."
          checked={Boolean(section.value('atera_delete_devices'))}
          onChange={(e) => section.set('atera_delete_devices', e.currentTarget.checked)}
          error={section.error('atera_delete_devices')}
        />
        <NumberInput
          label="Confirmation threshold (%)"
          description="When more than this share of linked assets would be deactivated at once, the run waits for an admin to confirm."
          min={0}
          max={100}
          value={section.value('atera_deactivation_threshold') ?? 10}
          onChange={(v) => section.set('atera_deactivation_threshold', typeof v === 'number' ? v : Number(v) || 0)}
          error={section.error('atera_deactivation_threshold')}
          maw={260}
        />
        <SaveBar section={section} />
      </Stack>
      <Divider />
      <Stack gap="sm">
        <Title order={3} size="h5">
          Sync status
        </Title>
        <DetailGrid
          items={[
            { label: 'Last sync', value: formatDate(settings.halointegrator_atera_lastsync) || 'Never' },
            {
              label: 'Last error',
              value: settings.halointegrator_atera_lasterror ? (
                <Text span c="red.8" size="sm">
                  {settings.halointegrator_atera_lasterror}
                </Text>
              ) : (
                'None'
              ),
            },
            ...Object.entries(nextDue).map(([k, v]) => ({ label: `Next ${k}`, value: formatDate(v) })),
          ]}
        />
        <Group gap="sm">
          <Button onClick={() => sync.mutate(false)} loading={sync.isPending && sync.variables === false}>
            Sync now
          </Button>
          <Button
            variant="default"
            onClick={() => sync.mutate(true)}
            loading={sync.isPending && sync.variables === true}
          >
            Dry run
          </Button>
        </Group>
        <Text size="xs" c="dimmed">
          A dry run reports what a sync would change without writing anything.
        </Text>
        {sync.error && (
          <Alert color="red" role="alert">
            {errorMessage(sync.error)}
          </Alert>
        )}
        {run.data && <RunSummary run={run.data} />}
      </Stack>
    </Stack>
  );
}
