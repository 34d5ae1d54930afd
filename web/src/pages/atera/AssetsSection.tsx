import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Checkbox,
  Divider,
  Group,
  Modal,
  MultiSelect,
  Radio,
  Select,
  Stack,
  Table,
  Text,
  Title,
  Tooltip,
} from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api, errorMessage } from '../../api/http';
import { useAssetCustomFields, useAssetFields, useAssetGroups } from '../../api/queries';
import type { AteraSettings, FieldMapping } from '../../api/types';
import { SitePicker } from '../../components/pickers';
import { EmptyState } from '../../components/ui';
import { fieldErrors, SaveBar, useSaveSettings, useSettingsSection } from './settings';

const KEYS = ['atera_devicetypes', 'atera_defaultsite', 'atera_defaultgroup', 'atera_matchingfield'] as const;
const INVENTORY = 'inventory_number';

function useDeviceTypes() {
  return useQuery({
    queryKey: ['atera', 'data', 'devicetypes'],
    queryFn: ({ signal }) =>
      api<{ name: string; seen?: boolean }[]>('/api/Integration/Atera/Data/devicetypes', { signal }),
    staleTime: 60_000,
    retry: false,
  });
}

function useAteraFields(enabled: boolean) {
  return useQuery({
    queryKey: ['atera', 'data', 'fields'],
    queryFn: ({ signal }) => api<{ name: string }[]>('/api/Integration/Atera/Data/fields', { signal }),
    staleTime: 5 * 60_000,
    enabled,
  });
}

/** Names of Keel targets: asset fields (and the inventory number) and asset custom fields. */
function useTargetNames() {
  const fields = useAssetFields();
  const custom = useAssetCustomFields();
  return (m: Pick<FieldMapping, 'field_type' | 'field_id'>): string => {
    if (m.field_id === INVENTORY) return 'Inventory number (asset name)';
    if (m.field_type === 'custom_field') {
      const f = custom.data?.find((x) => x.id === m.field_id);
      return f ? f.label || f.name : `Custom field ${m.field_id}`;
    }
    return fields.data?.find((x) => x.id === m.field_id)?.name ?? `Asset field ${m.field_id}`;
  };
}

const cleanMapping = (m: FieldMapping): FieldMapping => ({
  atera_field: m.atera_field,
  field_type: m.field_type,
  field_id: m.field_id,
  only_new_or_empty: m.only_new_or_empty,
});

function FieldMappingDialog({
  opened,
  onClose,
  settings,
}: {
  opened: boolean;
  onClose: () => void;
  settings: AteraSettings;
}) {
  const ateraFields = useAteraFields(opened);
  const assetFields = useAssetFields();
  const customFields = useAssetCustomFields();
  const [ateraField, setAteraField] = useState<string | null>(null);
  const [fieldType, setFieldType] = useState<'asset_field' | 'custom_field'>('asset_field');
  const [target, setTarget] = useState<string | null>(null);
  const [onlyNew, setOnlyNew] = useState(false);
  const save = useSaveSettings();
  const errors = save.error ? fieldErrors(save.error) : null;

  const targets =
    fieldType === 'asset_field'
      ? [
          { value: INVENTORY, label: 'Inventory number (asset name)' },
          ...(assetFields.data ?? []).map((f) => ({ value: String(f.id), label: f.name })),
        ]
      : (customFields.data ?? []).map((f) => ({ value: String(f.id), label: f.label || f.name }));

  const submit = async () => {
    if (!ateraField || !target) return;
    const mapping: FieldMapping = {
      atera_field: ateraField,
      field_type: fieldType,
      field_id: target === INVENTORY ? INVENTORY : Number(target),
      only_new_or_empty: onlyNew,
    };
    await save.mutateAsync({ atera_fieldmappings: [...settings.atera_fieldmappings.map(cleanMapping), mapping] });
    onClose();
  };

  return (
    <Modal opened={opened} onClose={onClose} title="New field mapping" size="lg">
      <Stack gap="md">
        <Select
          label="Atera field"
          description="The field of the Atera device (agent) to import."
          placeholder={ateraFields.isLoading ? 'Loading…' : 'Choose an Atera field'}
          searchable
          data={(ateraFields.data ?? []).map((f) => f.name)}
          value={ateraField}
          onChange={setAteraField}
          error={ateraFields.error ? errorMessage(ateraFields.error) : undefined}
          comboboxProps={{ withinPortal: true }}
        />
        <Radio.Group
          label="Field Type"
          description="The type of Keel field the data will be imported into."
          value={fieldType}
          onChange={(v) => {
            setFieldType(v as 'asset_field' | 'custom_field');
            setTarget(null);
          }}
        >
          <Group mt="xs">
            <Radio value="asset_field" label="Asset field" />
            <Radio value="custom_field" label="Custom field" />
          </Group>
        </Radio.Group>
        <Select
          label="Keel field"
          description={
            fieldType === 'asset_field' ? 'An asset field (or the asset name).' : 'A custom field of assets.'
          }
          placeholder="Choose the Keel field"
          searchable
          data={targets}
          value={target}
          onChange={setTarget}
          nothingFoundMessage={fieldType === 'custom_field' ? 'No asset custom fields exist yet' : 'Nothing found'}
          error={errors?.byKey.atera_fieldmappings}
          comboboxProps={{ withinPortal: true }}
        />
        <Checkbox
          label="Only apply this mapping to new Assets and Assets where the Asset field does not currently have a value"
          description="When on, a field that already has data is never changed; it is only filled when empty or when the asset is new."
          checked={onlyNew}
          onChange={(e) => setOnlyNew(e.currentTarget.checked)}
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
            disabled={!ateraField || !target}
            loading={save.isPending}
          >
            Save mapping
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function FieldMappingTable({ settings }: { settings: AteraSettings }) {
  const [dialog, setDialog] = useState(0);
  const save = useSaveSettings();
  const targetName = useTargetNames();
  const remove = (index: number) =>
    save.mutate({ atera_fieldmappings: settings.atera_fieldmappings.filter((_, i) => i !== index).map(cleanMapping) });
  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <div>
          <Title order={3} size="h5">
            Field Mappings
          </Title>
          <Text size="sm" c="dimmed">
            Make sure data from Atera is imported to the correct fields of the asset in Keel.
          </Text>
        </div>
        <Button size="xs" leftSection={<IconPlus size={14} />} onClick={() => setDialog((n) => n + 1)}>
          New field mapping
        </Button>
      </Group>
      <Table.ScrollContainer minWidth={620}>
        <Table aria-label="Field mappings" striped withTableBorder verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Atera field</Table.Th>
              <Table.Th>Field Type</Table.Th>
              <Table.Th>Keel field</Table.Th>
              <Table.Th>Only new or empty</Table.Th>
              <Table.Th w={60}>
                <span className="sr-only">Remove</span>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {settings.atera_fieldmappings.length === 0 ? (
              <Table.Tr>
                <Table.Td colSpan={5}>
                  <EmptyState>No field mappings: assets are imported with their name only.</EmptyState>
                </Table.Td>
              </Table.Tr>
            ) : (
              settings.atera_fieldmappings.map((m, i) => (
                <Table.Tr key={`${m.atera_field}-${m.field_type}-${m.field_id}`}>
                  <Table.Td>
                    <Text size="sm" ff="monospace">
                      {m.atera_field}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={m.field_type === 'asset_field' ? 'blue' : 'grape'}>
                      {m.field_type === 'asset_field' ? 'Asset field' : 'Custom field'}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{targetName(m)}</Table.Td>
                  <Table.Td>{m.only_new_or_empty ? 'Yes' : 'No'}</Table.Td>
                  <Table.Td>
                    <Tooltip label="Remove mapping">
                      <ActionIcon
                        variant="subtle"
                        color="red"
                        aria-label={`Remove field mapping ${m.atera_field} to ${targetName(m)}`}
                        onClick={() => remove(i)}
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
      {dialog > 0 && <FieldMappingDialog key={dialog} opened onClose={() => setDialog(0)} settings={settings} />}
    </Stack>
  );
}

export function AssetsSection({ settings }: { settings: AteraSettings }) {
  const section = useSettingsSection(settings, KEYS);
  const deviceTypes = useDeviceTypes();
  const groups = useAssetGroups();
  const fields = useAssetFields();
  const navigate = useNavigate();
  const current = section.value('atera_devicetypes') ?? [];
  const typeOptions = [...new Set([...(deviceTypes.data ?? []).map((t) => t.name), ...current])].sort();
  const matching = section.value('atera_matchingfield');

  return (
    <Stack gap="lg">
      <div>
        <Title order={2} size="h3">
          Import Assets
        </Title>
        <Text size="sm" c="dimmed" mt={4} maw={760}>
          Devices from Atera RMM can be imported into Keel as assets. Atera device types (the OSType field) match Keel
          asset types by name; a device type with no matching asset type gets a new asset type.
        </Text>
      </div>
      <Stack gap="md" maw={560}>
        <MultiSelect
          label="Device Types to Import"
          description="Choose which device types from Atera you would like to be imported into Keel."
          data={typeOptions}
          value={current}
          onChange={(v) => section.set('atera_devicetypes', v)}
          error={
            section.error('atera_devicetypes') ??
            (deviceTypes.error ? `Could not read Atera's device types: ${errorMessage(deviceTypes.error)}` : undefined)
          }
          placeholder={current.length ? undefined : 'No device types: nothing will be imported'}
          searchable
          clearable
        />
        <SitePicker
          label="Default Site"
          description="Only used when the Atera device's customer is not mapped to (and cannot be matched with) a Keel customer/site."
          value={section.value('atera_defaultsite')}
          onChange={(v) => section.set('atera_defaultsite', v)}
          error={section.error('atera_defaultsite')}
          placeholder="No default site"
        />
        <Select<number>
          label="Default Group for new Asset Types"
          description="New asset types created for Atera device types are created under this asset group."
          data={(groups.data ?? []).map((g) => ({ value: g.id, label: g.name }))}
          value={section.value('atera_defaultgroup')}
          onChange={(v) => section.set('atera_defaultgroup', v)}
          error={section.error('atera_defaultgroup')}
          clearable
        />
        <Select
          label="Asset Matching Field"
          description="The field that holds each asset's unique identifier, used to match Keel assets to Atera devices. The Atera RMM ID is always checked first."
          data={[
            { value: INVENTORY, label: 'Inventory number (asset name)' },
            ...(fields.data ?? []).map((f) => ({ value: String(f.id), label: f.name })),
          ]}
          value={matching === null || matching === undefined ? null : String(matching)}
          onChange={(v) =>
            section.set('atera_matchingfield', v === null ? null : v === INVENTORY ? INVENTORY : Number(v))
          }
          error={section.error('atera_matchingfield')}
          clearable
        />
        <SaveBar section={section} />
      </Stack>
      <Divider />
      <FieldMappingTable settings={settings} />
      <Divider />
      <Stack gap="xs">
        <Text size="sm" c="dimmed">
          When you are happy with the asset import configuration, bring up the import preview screen and start the
          import.
        </Text>
        <Group>
          <Button
            onClick={async () => {
              if (await section.submit()) navigate('/config/integrations/atera/import-assets');
            }}
          >
            Import Assets
          </Button>
        </Group>
      </Stack>
    </Stack>
  );
}
