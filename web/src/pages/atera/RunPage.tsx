import { Alert, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { api, errorMessage } from '../../api/http';
import type { Run } from '../../api/types';
import { DetailGrid, formatDate, formatDuration, PageHeader, QueryState } from '../../components/ui';
import { ChangesTable, isActive, kindLabel, RunCounts, RunProgressBar, RunStatusBadge, useRunPoll } from './runs';

function Confirmation({ run }: { run: Run }) {
  const qc = useQueryClient();
  const decide = useMutation({
    mutationFn: (what: 'Confirm' | 'Reject') =>
      api<Run>(`/api/Integration/Atera/Runs/${run.id}/${what}`, { method: 'POST' }),
    onSuccess: (r) => {
      qc.setQueryData(['atera', 'run', run.id], r);
      void qc.invalidateQueries({ queryKey: ['atera'] });
      void qc.invalidateQueries({ queryKey: ['list', 'Asset'] });
    },
  });
  const message =
    typeof run.summary.deactivation === 'string' ? run.summary.deactivation : 'This run is waiting for confirmation.';
  return (
    <Alert color="orange" icon={<IconAlertTriangle size={18} />} title="Waiting for your confirmation" role="status">
      <Stack gap="sm">
        <Text size="sm">{message}</Text>
        <Text size="sm">
          Confirm to deactivate these assets in Keel (they are never deleted and come back if the devices reappear), or
          reject to keep them active.
        </Text>
        <Group gap="sm">
          <Button
            color="orange"
            onClick={() => decide.mutate('Confirm')}
            loading={decide.isPending && decide.variables === 'Confirm'}
          >
            Confirm
          </Button>
          <Button
            variant="default"
            onClick={() => decide.mutate('Reject')}
            loading={decide.isPending && decide.variables === 'Reject'}
          >
            Reject
          </Button>
        </Group>
        {decide.error && (
          <Text size="sm" c="red" role="alert">
            {errorMessage(decide.error)}
          </Text>
        )}
      </Stack>
    </Alert>
  );
}

export function RunPage() {
  const { id } = useParams();
  const run = useRunPoll(Number(id));
  return (
    <QueryState query={run}>
      {(r) => (
        <Stack gap="lg">
          <PageHeader
            title={`${kindLabel(r.kind)} #${r.id}`}
            breadcrumbs={[
              { label: 'Integrations', to: '/config/integrations' },
              { label: 'Atera RMM', to: '/config/integrations/atera/connection' },
              { label: 'Runs', to: '/config/integrations/atera/runs' },
            ]}
            actions={<RunStatusBadge run={r} />}
          />
          {r.status === 'needs_confirmation' && <Confirmation run={r} />}
          {r.error && (
            <Alert color="red" title="The run failed" role="alert">
              {r.error}
              {r.error_code ? ` (${r.error_code})` : ''}
            </Alert>
          )}
          <Paper withBorder p="md">
            <Stack gap="md">
              <DetailGrid
                items={[
                  { label: 'Started by', value: r.started_by ?? 'Schedule' },
                  { label: 'Queued', value: formatDate(r.queued_at) },
                  { label: 'Started', value: formatDate(r.started_at) },
                  { label: 'Finished', value: formatDate(r.finished_at) },
                  { label: 'Duration', value: formatDuration(r.duration_ms) },
                  { label: 'Mode', value: r.dry_run ? 'Preview / dry run: nothing was written' : 'Live' },
                ]}
              />
              {isActive(r) ? <RunProgressBar run={r} /> : <RunCounts run={r} />}
              {typeof r.summary.deactivation === 'string' && r.status !== 'needs_confirmation' && (
                <Text size="sm">{r.summary.deactivation}</Text>
              )}
            </Stack>
          </Paper>
          <div>
            <Title order={2} size="h4" mb="sm">
              Changes and errors
            </Title>
            <ChangesTable runId={r.id} label={`Changes of run ${r.id}`} dryRun={r.dry_run} />
          </div>
        </Stack>
      )}
    </QueryState>
  );
}
