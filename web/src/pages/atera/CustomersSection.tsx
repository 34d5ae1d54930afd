import {
  ActionIcon,
  Alert,
  Button,
  Divider,
  Group,
  Modal,
  Select,
  Stack,
  Table,
  Text,
  Title,
  Tooltip,
} from '@mantine/core';
import { IconLink, IconPlus, IconTrash } from '@tabler/icons-react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import { api, errorMessage } from '../../api/http';
import { useTopLevels } from '../../api/queries';
import type { AteraSettings, Change, Run, SiteMapping } from '../../api/types';
import { SitePicker } from '../../components/pickers';
import { EmptyState } from '../../components/ui';
import { ChangesTable, RunSummary } from './runs';
import { fieldErrors, SaveBar, useSaveSettings, useSettingsSection } from './settings';

export function useAteraCustomers(enabled = true) {
  return useQuery({
    queryKey: ['atera', 'data', 'customers'],
    queryFn: ({ signal }) =>
      api<{ id: number; name: string | null }[]>('/api/Integration/Atera/Data/customers', { signal }),
    enabled,
    staleTime: 60_000,
    retry: false,
  });
}

const clean = (m: SiteMapping) => ({ site_id: m.site_id, atera_customer_id: m.atera_customer_id });

function MappingDialog({
  opened,
  onClose,
  settings,
  initialCustomer,
}: {
  opened: boolean;
  onClose: () => void;
  settings: AteraSettings;
  initialCustomer: number | null;
}) {
  const customers = useAteraCustomers(opened);
  const [siteId, setSiteId] = useState<number | null>(null);
  const [customerId, setCustomerId] = useState<number | null>(initialCustomer);
  const save = useSaveSettings();
  const errors = save.error ? fieldErrors(save.error) : null;
  const submit = async () => {
    if (!siteId || !customerId) return;
    const rest = settings.atera_sitemappings.filter((m) => m.atera_customer_id !== customerId).map(clean);
    await save.mutateAsync({ atera_sitemappings: [...rest, { site_id: siteId, atera_customer_id: customerId }] });
    onClose();
  };
  return (
    <Modal opened={opened} onClose={onClose} title="Add mapping" size="lg">
      <Stack gap="md">
        <Text size="sm" c="dimmed">
          Link a Keel site to an Atera customer. Changes to the customer in Atera will update this site, and its devices
          are imported to it.
        </Text>
        <SitePicker
          label="Keel site"
          value={siteId}
          onChange={(v) => setSiteId(v)}
          required
          placeholder="Search customers and sites"
        />
        <Select<number>
          label="Atera customer"
          placeholder={customers.isLoading ? 'Loading Atera customers…' : 'Search Atera customers'}
          searchable
          required
          withAsterisk={false}
          data={(customers.data ?? []).map((c) => ({ value: c.id, label: c.name ?? `Atera customer ${c.id}` }))}
          value={customerId}
          onChange={setCustomerId}
          nothingFoundMessage="No Atera customer matches"
          error={
            customers.error
              ? `Could not load Atera customers: ${errorMessage(customers.error)}`
              : errors?.byKey.atera_sitemappings
          }
          comboboxProps={{ withinPortal: true }}
        />
        {errors && errors.general.length > 0 && (
          <Alert color="red" role="alert">
            {errors.general.join(' ')}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button
            onClick={() => void submit().catch(() => undefined)}
            loading={save.isPending}
            disabled={!siteId || !customerId}
          >
            Save mapping
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function MappingTable({ settings, onAdd }: { settings: AteraSettings; onAdd: () => void }) {
  const customers = useAteraCustomers(settings.atera_sitemappings.some((m) => !m.atera_customer_name));
  const save = useSaveSettings();
  const nameOf = (m: SiteMapping) =>
    m.atera_customer_name ??
    customers.data?.find((c) => c.id === m.atera_customer_id)?.name ??
    `Atera customer ${m.atera_customer_id}`;
  const remove = (m: SiteMapping) =>
    save.mutate({ atera_sitemappings: settings.atera_sitemappings.filter((x) => x !== m).map(clean) });
  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Title order={3} size="h5">
          Customer mappings
        </Title>
        <Button size="xs" leftSection={<IconPlus size={14} />} onClick={onAdd}>
          Add
        </Button>
      </Group>
      <Table.ScrollContainer minWidth={520}>
        <Table aria-label="Customer mappings" striped withTableBorder verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Keel site</Table.Th>
              <Table.Th>Atera customer</Table.Th>
              <Table.Th w={60}>
                <span className="sr-only">Remove</span>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {settings.atera_sitemappings.length === 0 ? (
              <Table.Tr>
                <Table.Td colSpan={3}>
                  <EmptyState>
                    No mappings yet. Customers with the exact same name match by name; use Add to map the others.
                  </EmptyState>
                </Table.Td>
              </Table.Tr>
            ) : (
              settings.atera_sitemappings.map((m) => (
                <Table.Tr key={`${m.site_id}-${m.atera_customer_id}`}>
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {m.client_name ?? 'Unknown customer'}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {m.site_name ?? `Site ${m.site_id}`}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{nameOf(m)}</Text>
                    <Text size="xs" c="dimmed">
                      Atera ID {m.atera_customer_id}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Tooltip label="Remove mapping">
                      <ActionIcon
                        variant="subtle"
                        color="red"
                        aria-label={`Remove mapping of ${nameOf(m)}`}
                        onClick={() => remove(m)}
                        loading={save.isPending && save.variables?.atera_sitemappings !== undefined}
                      >
                        <IconTrash size={16} />
                      </ActionIcon>
                    </Tooltip>
                  </Table.Td>
                </Table.Tr>
              ))
            )}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {save.error && (
        <Alert color="red" role="alert">
          {errorMessage(save.error)}
        </Alert>
      )}
    </Stack>
  );
}

export function CustomersSection({ settings }: { settings: AteraSettings }) {
  const section = useSettingsSection(settings, ['atera_toplevel']);
  const toplevels = useTopLevels();
  const [dialog, setDialog] = useState<{ open: boolean; customer: number | null; key: number }>({
    open: false,
    customer: null,
    key: 0,
  });
  const openDialog = useCallback(
    (customer: number | null) => setDialog((d) => ({ open: true, customer, key: d.key + 1 })),
    [],
  );
  const [run, setRun] = useState<Run | null>(null);
  const importRun = useMutation({
    mutationFn: (preview: boolean) =>
      api<Run>('/api/Integration/Atera/ImportCustomers', { method: 'POST', query: { wait: true }, body: { preview } }),
    onSuccess: setRun,
  });
  const mapSave = useSaveSettings();
  const mapped = new Set(settings.atera_sitemappings.map((m) => m.atera_customer_id));

  const rowActions = useCallback(
    (c: Change) => {
      const ateraId = Number(c.external_id);
      if (!Number.isFinite(ateraId)) return null;
      if (c.action === 'suggestion') {
        const siteId = Number(c.fields?.suggested_site_id?.after);
        if (mapped.has(ateraId))
          return (
            <Text size="xs" c="teal.7">
              Mapped
            </Text>
          );
        return (
          <Button
            size="compact-xs"
            variant="light"
            leftSection={<IconLink size={12} />}
            aria-label={`Map ${c.name ?? ateraId} to the suggested Keel customer`}
            loading={mapSave.isPending}
            onClick={() =>
              mapSave.mutate({
                atera_sitemappings: [
                  ...settings.atera_sitemappings.filter((m) => m.atera_customer_id !== ateraId).map(clean),
                  { site_id: siteId, atera_customer_id: ateraId },
                ],
              })
            }
          >
            Map
          </Button>
        );
      }
      if (c.action === 'conflict') {
        if (mapped.has(ateraId))
          return (
            <Text size="xs" c="teal.7">
              Mapped
            </Text>
          );
        return (
          <Button
            size="compact-xs"
            variant="light"
            aria-label={`Add a mapping for ${c.name ?? ateraId}`}
            onClick={() => openDialog(ateraId)}
          >
            Add mapping
          </Button>
        );
      }
      return null;
    },
    [mapped, mapSave, settings.atera_sitemappings, openDialog],
  );

  return (
    <Stack gap="lg">
      <div>
        <Title order={2} size="h3">
          Importing Customers
        </Title>
        <Text size="sm" c="dimmed" mt={4} maw={760}>
          Import customers from Atera into Keel, or, if your customers are already set up in Keel, map your Keel sites
          to your Atera customers to link them. Mapping makes sure changes made to the customer in Atera update the
          correct customer site in Keel. Customers with the exact same name match by name, but for certainty we advise
          to complete mappings anyway.
        </Text>
      </div>
      <Stack gap="sm" maw={480}>
        <Select<number>
          label="Top Level for Customers"
          description="Any customers created by the integration will be created under this top level."
          data={(toplevels.data ?? []).map((t) => ({ value: t.id, label: t.name }))}
          value={section.value('atera_toplevel')}
          onChange={(v) => section.set('atera_toplevel', v)}
          error={section.error('atera_toplevel') ?? (toplevels.error ? errorMessage(toplevels.error) : undefined)}
          placeholder={toplevels.isLoading ? 'Loading…' : 'Choose a top level'}
          clearable
        />
        <SaveBar section={section} />
      </Stack>
      <Divider />
      <MappingTable settings={settings} onAdd={() => openDialog(null)} />
      {mapSave.error && (
        <Alert color="red" role="alert">
          {errorMessage(mapSave.error)}
        </Alert>
      )}
      <MappingDialog
        key={dialog.key}
        opened={dialog.open}
        onClose={() => setDialog((d) => ({ ...d, open: false }))}
        settings={settings}
        initialCustomer={dialog.customer}
      />
      <Divider />
      <Stack gap="sm">
        <Title order={3} size="h5">
          Import Customers
        </Title>
        <Text size="sm" c="dimmed" maw={760}>
          When customers are imported, a new customer with a site is created in Keel for each Atera customer that is not
          mapped or matched. Preview first to see what would happen: nothing is written.
        </Text>
        <Group gap="sm">
          <Button
            variant="default"
            onClick={() => importRun.mutate(true)}
            loading={importRun.isPending && importRun.variables === true}
          >
            Preview
          </Button>
          <Button
            onClick={() => importRun.mutate(false)}
            loading={importRun.isPending && importRun.variables === false}
          >
            Import Customers
          </Button>
        </Group>
        {importRun.error && (
          <Alert color="red" role="alert" title="The import did not run">
            {errorMessage(importRun.error)}
          </Alert>
        )}
        {run && (
          <Stack gap="sm" data-testid="customer-import-result">
            <RunSummary run={run} />
            {(run.counts.conflicts ?? 0) > 0 && (
              <Text size="sm">
                Some Atera customers could not be matched safely: add a mapping for each conflict, or use Map on a
                suggestion.
              </Text>
            )}
            <ChangesTable
              key={run.id}
              runId={run.id}
              label="Customer import changes"
              rowActions={rowActions}
              dryRun={run.dry_run}
            />
          </Stack>
        )}
      </Stack>
    </Stack>
  );
}
