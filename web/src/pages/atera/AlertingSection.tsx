import {
  ActionIcon,
  Alert,
  Anchor,
  Badge,
  Button,
  Checkbox,
  Divider,
  Group,
  Modal,
  NumberInput,
  Paper,
  Radio,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { ApiError, api, errorMessage } from '../../api/http';
import { usePriorities, useTicketTypes } from '../../api/queries';
import type {
  AlertPreview,
  AlertPreviewItem,
  AteraSettings,
  MaintenanceWindow,
  Run,
  SeverityName,
  SeverityRule,
} from '../../api/types';
import { ClientPicker, SitePicker, UserPicker } from '../../components/pickers';
import { EmptyState, formatDate } from '../../components/ui';
import { RunSummary } from './runs';
import { fieldErrors, SaveBar, settingValue, useSaveSettings, useSettingsSection } from './settings';

const KEYS = [
  'atera_enable_alerting',
  'atera_alert_method',
  'atera_alert_type',
  'atera_alert_user',
  'atera_alert_severity_rules',
  'atera_alert_dedupe',
  'atera_alert_close_only_untouched',
  'atera_alert_flap_minutes',
] as const;

const SEVERITIES: SeverityName[] = ['Critical', 'Warning', 'Information'];

function notAvailable(e: unknown): boolean {
  return e instanceof ApiError && e.status === 404;
}

function MaintenanceWindows({ settings }: { settings: AteraSettings }) {
  const windows = settingValue(settings, 'atera_maintenance_windows') ?? [];
  const save = useSaveSettings();
  const [open, setOpen] = useState(0);
  const [clientId, setClientId] = useState<number | null>(null);
  const [clientName, setClientName] = useState<string | null>(null);
  const [siteId, setSiteId] = useState<number | null>(null);
  const [siteName, setSiteName] = useState<string | null>(null);
  const [starts, setStarts] = useState('');
  const [ends, setEnds] = useState('');
  const [reason, setReason] = useState('');
  const errors = save.error ? fieldErrors(save.error) : null;
  const [names, setNames] = useState<Record<string, string>>({});

  const toIso = (local: string) => (local ? new Date(local).toISOString() : '');
  const add = async () => {
    const w: MaintenanceWindow = { starts_at: toIso(starts), ends_at: toIso(ends) };
    if (clientId) w.client_id = clientId;
    if (siteId) w.site_id = siteId;
    if (reason.trim()) w.reason = reason.trim();
    await save.mutateAsync({ atera_maintenance_windows: [...windows, w] });
    setNames((n) => ({
      ...n,
      ...(clientId && clientName ? { [`c${clientId}`]: clientName } : {}),
      ...(siteId && siteName ? { [`s${siteId}`]: siteName } : {}),
    }));
    setOpen(0);
  };
  const remove = (i: number) => save.mutate({ atera_maintenance_windows: windows.filter((_, j) => j !== i) });
  const openDialog = () => {
    save.reset();
    setClientId(null);
    setSiteId(null);
    setStarts('');
    setEnds('');
    setReason('');
    setOpen((n) => n + 1);
  };
  const now = Date.now();

  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <div>
          <Title order={3} size="h5">
            Maintenance windows
          </Title>
          <Text size="sm" c="dimmed">
            Alerts for this customer or site inside a window are recorded, not ticketed, and checked again when it ends.
          </Text>
        </div>
        <Button size="xs" leftSection={<IconPlus size={14} />} onClick={openDialog}>
          Add maintenance window
        </Button>
      </Group>
      <Table.ScrollContainer minWidth={640}>
        <Table aria-label="Maintenance windows" striped withTableBorder verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Applies to</Table.Th>
              <Table.Th>Starts</Table.Th>
              <Table.Th>Ends</Table.Th>
              <Table.Th>Reason</Table.Th>
              <Table.Th w={60}>
                <span className="sr-only">Remove</span>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {windows.length === 0 ? (
              <Table.Tr>
                <Table.Td colSpan={5}>
                  <EmptyState>No maintenance windows.</EmptyState>
                </Table.Td>
              </Table.Tr>
            ) : (
              windows.map((w, i) => {
                const active = new Date(w.starts_at).getTime() <= now && now < new Date(w.ends_at).getTime();
                return (
                  <Table.Tr
                    key={`${w.starts_at}-${w.ends_at}-${w.client_id ?? ''}-${w.site_id ?? ''}-${w.reason ?? ''}`}
                  >
                    <Table.Td>
                      <Stack gap={0}>
                        {w.client_id && <Text size="sm">{names[`c${w.client_id}`] ?? `Customer ${w.client_id}`}</Text>}
                        {w.site_id && <Text size="sm">{names[`s${w.site_id}`] ?? `Site ${w.site_id}`}</Text>}
                      </Stack>
                    </Table.Td>
                    <Table.Td>
                      {formatDate(w.starts_at)}{' '}
                      {active && (
                        <Badge size="xs" color="orange">
                          Now
                        </Badge>
                      )}
                    </Table.Td>
                    <Table.Td>{formatDate(w.ends_at)}</Table.Td>
                    <Table.Td>{w.reason ?? ''}</Table.Td>
                    <Table.Td>
                      <ActionIcon
                        variant="subtle"
                        color="red"
                        aria-label={`Remove maintenance window starting ${formatDate(w.starts_at)}`}
                        onClick={() => remove(i)}
                      >
                        <IconTrash size={16} />
                      </ActionIcon>
                    </Table.Td>
                  </Table.Tr>
                );
              })
            )}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {save.error && open === 0 && (
        <Alert color="red" role="alert">
          {errorMessage(save.error)}
        </Alert>
      )}
      <Modal opened={open > 0} onClose={() => setOpen(0)} title="Add maintenance window" size="lg">
        <Stack gap="md">
          <ClientPicker
            label="Customer"
            value={clientId}
            onChange={(v, label) => {
              setClientId(v);
              setClientName(label);
            }}
            placeholder="Search customers"
          />
          <SitePicker
            label="Site"
            description="Optional: only this site of the customer (or a site on its own)."
            value={siteId}
            onChange={(v, label) => {
              setSiteId(v);
              setSiteName(label);
            }}
          />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput
              type="datetime-local"
              label="Starts at"
              value={starts}
              onChange={(e) => setStarts(e.currentTarget.value)}
            />
            <TextInput
              type="datetime-local"
              label="Ends at"
              value={ends}
              onChange={(e) => setEnds(e.currentTarget.value)}
            />
          </SimpleGrid>
          <Textarea
            label="Reason"
            placeholder="Optional, e.g. server patching"
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            autosize
            minRows={2}
          />
          {errors && (
            <Alert color="red" role="alert">
              {[...Object.values(errors.byKey), ...errors.general].join(' ')}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setOpen(0)}>
              Cancel
            </Button>
            <Button
              onClick={() => void add().catch(() => undefined)}
              loading={save.isPending}
              disabled={!starts || !ends || (!clientId && !siteId)}
            >
              Save window
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}

function PreviewList({ title, items, empty }: { title: string; items: AlertPreviewItem[]; empty: string }) {
  return (
    <Paper withBorder p="sm">
      <Group justify="space-between" mb="xs">
        <Text fw={600} size="sm">
          {title}
        </Text>
        <Badge variant="light">{items.length}</Badge>
      </Group>
      {items.length === 0 ? (
        <Text size="sm" c="dimmed">
          {empty}
        </Text>
      ) : (
        <Stack gap={6}>
          {items.map((a) => (
            <div key={a.alert_id}>
              <Group gap={6} wrap="nowrap">
                <Badge
                  size="xs"
                  color={a.severity === 'Critical' ? 'red' : a.severity === 'Warning' ? 'orange' : 'blue'}
                  variant="light"
                >
                  {a.severity ?? '—'}
                </Badge>
                <Text size="sm" fw={500} lineClamp={1}>
                  {a.title ?? `Alert ${a.alert_id}`}
                </Text>
              </Group>
              <Text size="xs" c="dimmed">
                Alert {a.alert_id}
                {a.reason ? ` · ${a.reason}` : ''}
                {a.ticket_id ? (
                  <>
                    {' · '}
                    <Anchor component={Link} to={`/tickets/${a.ticket_id}`} size="xs">
                      ticket #{a.ticket_id}
                    </Anchor>
                  </>
                ) : null}
              </Text>
            </div>
          ))}
        </Stack>
      )}
    </Paper>
  );
}

export function AlertingSection({ settings }: { settings: AteraSettings }) {
  const section = useSettingsSection(settings, KEYS);
  const types = useTicketTypes();
  const priorities = usePriorities();
  const qc = useQueryClient();
  const rules = section.value('atera_alert_severity_rules') ?? settingValue(settings, 'atera_alert_severity_rules');
  const setRule = (sev: SeverityName, patch: Partial<SeverityRule>) =>
    section.set('atera_alert_severity_rules', { ...rules, [sev]: { ...rules[sev], ...patch } });
  const integratorHasAlerts =
    settings.halointegrator_atera && settings.halointegrator_atera_entities.includes('alerts');

  const preview = useMutation({
    mutationFn: () => api<AlertPreview>('/api/Integration/Atera/Alerts/Preview', { method: 'POST', body: {} }),
  });
  const poll = useMutation({
    mutationFn: () =>
      api<Run>('/api/Integration/Atera/PollAlerts', { method: 'POST', query: { wait: true }, body: {} }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['list', 'Tickets'] });
      void qc.invalidateQueries({ queryKey: ['atera'] });
    },
  });

  return (
    <Stack gap="lg">
      <div>
        <Title order={2} size="h3">
          Alerting
        </Title>
        <Text size="sm" c="dimmed" mt={4} maw={760}>
          Alerts raised in Atera automatically create tickets in Keel. When the alert ticket is closed in Keel, the
          alert is resolved in Atera, and vice versa.
        </Text>
      </div>
      <Stack gap="md" maw={680}>
        <Switch
          label="Enable alert processing"
          checked={Boolean(section.value('atera_enable_alerting'))}
          onChange={(e) => section.set('atera_enable_alerting', e.currentTarget.checked)}
          error={section.error('atera_enable_alerting')}
        />
        <Radio.Group
          label="Alert processing method"
          description="Choose the Keel Integrator: the alternative method is deprecated."
          value={section.value('atera_alert_method') ?? 'integrator'}
          onChange={(v) => section.set('atera_alert_method', v as AteraSettings['atera_alert_method'])}
          error={section.error('atera_alert_method')}
        >
          <Stack gap="xs" mt="xs">
            <Radio value="integrator" label="Keel Integrator" />
            <Radio
              value="nhserver"
              label="NHServer (deprecated)"
              description="Kept for compatibility; Keel refuses it."
            />
          </Stack>
        </Radio.Group>
        <Select<number>
          label="Alert ticket type"
          description="The ticket type created when new alerts are detected."
          data={(types.data ?? []).map((t) => ({ value: t.id, label: t.name }))}
          value={section.value('atera_alert_type') ?? null}
          onChange={(v) => section.set('atera_alert_type', v)}
          error={section.error('atera_alert_type')}
          clearable
        />
        <UserPicker
          label="New Alert User"
          description="Only used when the device the alert was raised for has no user that matches a Keel user."
          value={section.value('atera_alert_user') ?? null}
          onChange={(v) => section.set('atera_alert_user', v)}
          error={section.error('atera_alert_user')}
          placeholder="Search users"
        />
        {!integratorHasAlerts && (
          <Alert color="blue" variant="light">
            Alerts are imported by the Keel Integrator: enable it on the Integrator tab and add Alerts to "Entities to
            Sync". It then checks Atera for new alerts every 5 minutes.
          </Alert>
        )}
      </Stack>
      <Divider label="Rules" labelPosition="left" />
      <Stack gap="md" maw={680}>
        <div>
          <Text size="sm" fw={500}>
            Severity rules
          </Text>
          <Text size="xs" c="dimmed">
            Which alerts become tickets, and at which priority.
          </Text>
        </div>
        <Table aria-label="Severity rules" withTableBorder verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Severity</Table.Th>
              <Table.Th>Create ticket</Table.Th>
              <Table.Th>Priority</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {SEVERITIES.map((sev) => (
              <Table.Tr key={sev}>
                <Table.Td fw={500}>{sev}</Table.Td>
                <Table.Td>
                  <Checkbox
                    label={`Create tickets for ${sev} alerts`}
                    checked={rules[sev]?.create_ticket ?? true}
                    onChange={(e) => setRule(sev, { create_ticket: e.currentTarget.checked })}
                  />
                </Table.Td>
                <Table.Td>
                  <Select<number>
                    aria-label={`Priority for ${sev} alerts`}
                    data={(priorities.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
                    value={rules[sev]?.priority_id ?? null}
                    onChange={(v) => setRule(sev, { priority_id: v })}
                    placeholder="Ticket type default"
                    clearable
                    size="xs"
                  />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {section.error('atera_alert_severity_rules') && (
          <Text size="sm" c="red" role="alert">
            {section.error('atera_alert_severity_rules')}
          </Text>
        )}
        <Switch
          label="De-duplicate alerts"
          description="A repeat of an alert that already has an open ticket updates that ticket instead of logging a new one."
          checked={Boolean(section.value('atera_alert_dedupe'))}
          onChange={(e) => section.set('atera_alert_dedupe', e.currentTarget.checked)}
          error={section.error('atera_alert_dedupe')}
        />
        <Switch
          label="Close tickets only if untouched"
          description="When an alert is resolved in Atera, close its ticket only if no one has worked on it; otherwise add a note."
          checked={Boolean(section.value('atera_alert_close_only_untouched'))}
          onChange={(e) => section.set('atera_alert_close_only_untouched', e.currentTarget.checked)}
          error={section.error('atera_alert_close_only_untouched')}
        />
        <NumberInput
          label="Flap delay (minutes)"
          description="Wait this long before logging a ticket, so alerts that resolve themselves quickly never become tickets. 0 logs at once."
          min={0}
          max={10080}
          value={section.value('atera_alert_flap_minutes') ?? 0}
          onChange={(v) => section.set('atera_alert_flap_minutes', typeof v === 'number' ? v : Number(v) || 0)}
          error={section.error('atera_alert_flap_minutes')}
          maw={260}
        />
        <SaveBar section={section} />
      </Stack>
      <Divider />
      <MaintenanceWindows settings={settings} />
      <Divider />
      <Stack gap="sm">
        <Title order={3} size="h5">
          Alert preview
        </Title>
        <Text size="sm" c="dimmed">
          See what processing Atera's open alerts would do now with these rules, without creating or closing anything;
          or check Atera for alerts now.
        </Text>
        <Group gap="sm">
          <Button variant="default" onClick={() => preview.mutate()} loading={preview.isPending}>
            Preview alerts
          </Button>
          <Button onClick={() => poll.mutate()} loading={poll.isPending}>
            Check for alerts now
          </Button>
        </Group>
        {preview.error && (
          <Alert color={notAvailable(preview.error) ? 'gray' : 'red'} role="alert">
            {notAvailable(preview.error)
              ? 'The alert preview is not available on this Keel server yet.'
              : errorMessage(preview.error)}
          </Alert>
        )}
        {poll.error && (
          <Alert color={notAvailable(poll.error) ? 'gray' : 'red'} role="alert">
            {notAvailable(poll.error)
              ? 'Checking for alerts on demand is not available on this Keel server yet.'
              : errorMessage(poll.error)}
          </Alert>
        )}
        {poll.data && typeof poll.data === 'object' && 'id' in poll.data && <RunSummary run={poll.data} />}
        {preview.data && (
          <SimpleGrid cols={{ base: 1, sm: 2 }} data-testid="alert-preview">
            <PreviewList title="Would create tickets" items={preview.data.create ?? []} empty="No new tickets." />
            <PreviewList title="Would update tickets" items={preview.data.update ?? []} empty="No updates." />
            <PreviewList title="Would close tickets" items={preview.data.close ?? []} empty="No tickets to close." />
            <PreviewList title="Would only record" items={preview.data.record ?? []} empty="Nothing held back." />
          </SimpleGrid>
        )}
      </Stack>
    </Stack>
  );
}
