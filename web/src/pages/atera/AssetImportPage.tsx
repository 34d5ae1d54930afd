import { Alert, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { IconRefresh } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, errorMessage } from '../../api/http';
import type { Run } from '../../api/types';
import { ErrorState, LoadingState, PageHeader } from '../../components/ui';
import { ChangesTable, RunCounts, RunSummary, useRunPoll } from './runs';

/** The import preview screen: what Import Assets would do, per device and field, then the import itself with progress. */
export function AssetImportPage() {
  const [attempt, setAttempt] = useState(0);
  const qc = useQueryClient();
  const preview = useQuery({
    queryKey: ['atera', 'asset-preview', attempt],
    queryFn: () =>
      api<Run>('/api/Integration/Atera/ImportAssets', {
        method: 'POST',
        query: { wait: true },
        body: { preview: true },
      }),
    staleTime: Number.POSITIVE_INFINITY,
    gcTime: 0,
    retry: false,
  });
  const [runId, setRunId] = useState<number | null>(null);
  const run = useRunPoll(runId, () => {
    void qc.invalidateQueries({ queryKey: ['list', 'Asset'] });
  });
  const start = useMutation({
    mutationFn: () => api<Run>('/api/Integration/Atera/ImportAssets', { method: 'POST', body: {} }),
    onSuccess: (r) => setRunId(r.id),
  });
  const importing = runId !== null;

  return (
    <Stack gap="lg">
      <PageHeader
        title="Import Assets"
        description="The import preview: what importing devices from Atera RMM will do. Nothing has been written yet."
        breadcrumbs={[
          { label: 'Integrations', to: '/config/integrations' },
          { label: 'Atera RMM', to: '/config/integrations/atera/assets' },
        ]}
        actions={
          <>
            <Button
              variant="default"
              leftSection={<IconRefresh size={16} />}
              onClick={() => setAttempt((n) => n + 1)}
              disabled={preview.isFetching || importing}
            >
              Refresh preview
            </Button>
            <Button
              onClick={() => start.mutate()}
              loading={start.isPending}
              disabled={preview.data?.status !== 'succeeded' || importing}
            >
              Import
            </Button>
          </>
        }
      />
      {start.error && (
        <Alert color="red" role="alert" title="The import did not start">
          {errorMessage(start.error)}
        </Alert>
      )}
      {run.data && <RunSummary run={run.data} title={`Importing assets (run #${run.data.id})`} />}
      {preview.isLoading || (preview.isFetching && !preview.data) ? (
        <LoadingState label="Reading devices from Atera and planning the import…" />
      ) : preview.error ? (
        <ErrorState error={preview.error} onRetry={() => preview.refetch()} title="The preview could not be made" />
      ) : preview.data ? (
        <Stack gap="md">
          <Paper withBorder p="md">
            <Stack gap="xs">
              <Group justify="space-between">
                <Title order={2} size="h4">
                  Preview #{preview.data.id}
                </Title>
                {preview.isFetching && (
                  <Text size="sm" c="dimmed">
                    Refreshing…
                  </Text>
                )}
              </Group>
              {preview.data.status === 'failed' ? (
                <Alert color="red" role="alert">
                  {preview.data.error ?? 'The preview failed.'}
                </Alert>
              ) : (
                <RunCounts run={preview.data} />
              )}
              {Array.isArray(preview.data.summary.new_asset_types) &&
                preview.data.summary.new_asset_types.length > 0 && (
                  <Text size="sm">
                    New asset types: {(preview.data.summary.new_asset_types as string[]).join(', ')}
                  </Text>
                )}
            </Stack>
          </Paper>
          <ChangesTable key={preview.data.id} runId={preview.data.id} label="Import preview" dryRun />
        </Stack>
      ) : null}
      {preview.data && !importing && <RunSummaryHint run={preview.data} />}
    </Stack>
  );
}

function RunSummaryHint({ run }: { run: Run }) {
  if (run.status !== 'succeeded') return null;
  return (
    <Text size="sm" c="dimmed">
      Happy with the preview? Use Import to create and update these assets; progress shows at the top of this page.
    </Text>
  );
}
