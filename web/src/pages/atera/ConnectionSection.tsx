import { Alert, Badge, Button, Group, List, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconCircleCheck, IconCircleX } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { api, errorMessage } from '../../api/http';
import type { AteraSettings } from '../../api/types';
import { SaveBar, useSettingsSection } from './settings';

const KEYS = ['atera_url', 'atera_apikey'] as const;

function whatToDo(message: string): string[] {
  const m = message.toLowerCase();
  const tips: string[] = [];
  if (/key|auth|401|403|unauthori|forbidden/.test(m)) {
    tips.push('Generate a new API key in Atera RMM (Admin > API), paste it into "API key" and save.');
  }
  if (/url|resolve|refused|reach|timeout|timed out|network|econn|enotfound|fetch/.test(m)) {
    tips.push(
      'Check the Atera application URL: it is the address you log into Atera with, usually https://app.atera.com/.',
    );
    tips.push('Make sure the Keel server can reach Atera (proxy, firewall or DNS).');
  }
  if (/rate|429|too many/.test(m)) tips.push('Atera is limiting requests: wait a minute and test again.');
  if (tips.length === 0) {
    tips.push('Check the Atera application URL (usually https://app.atera.com/).');
    tips.push('Check the API key: generate one in Atera RMM under Admin > API, paste it and save.');
  }
  return tips;
}

export function ConnectionSection({ settings }: { settings: AteraSettings }) {
  const section = useSettingsSection(settings, KEYS);
  const test = useMutation({
    mutationFn: async () => {
      // Test what is on screen: save unsaved connection details first.
      if (section.dirty && !(await section.submit()))
        throw new Error('Fix the connection details above, then test again.');
      return api<{ success: boolean; message: string }>('/api/Integration/Atera/Test', { method: 'POST' });
    },
  });

  return (
    <Stack gap="lg" maw={720}>
      <div>
        <Title order={2} size="h3">
          Connecting to Atera
        </Title>
        <Text size="sm" c="dimmed" mt={4}>
          To connect Keel to Atera you need your Atera application URL and an API key. The API key must be generated in
          Atera RMM: open Atera RMM, go to Admin &gt; API, and generate and copy your API key from there.
        </Text>
      </div>
      <TextInput
        label="Atera application URL"
        description="The URL you go to when logging into Atera, usually https://app.atera.com/"
        placeholder="https://app.atera.com/"
        value={section.value('atera_url') ?? ''}
        onChange={(e) => section.set('atera_url', e.currentTarget.value)}
        error={section.error('atera_url')}
        inputMode="url"
        autoComplete="off"
      />
      <PasswordInput
        label="API key"
        description={
          settings.atera_apikey_set
            ? 'A key is saved. Keel never shows it again; enter a new key to replace it.'
            : 'Paste the API key you generated in Atera RMM (Admin > API).'
        }
        placeholder={settings.atera_apikey_set ? '•••••••••••• (set)' : ''}
        value={section.value('atera_apikey') ?? ''}
        onChange={(e) => section.set('atera_apikey', e.currentTarget.value)}
        error={section.error('atera_apikey')}
        autoComplete="new-password"
      />
      <Group gap="xs">
        <Text size="sm">API key:</Text>
        {settings.atera_apikey_set ? (
          <Badge color="teal" variant="light" data-testid="apikey-state">
            set
          </Badge>
        ) : (
          <Badge color="gray" variant="light" data-testid="apikey-state">
            not set
          </Badge>
        )}
      </Group>
      <SaveBar
        section={section}
        extra={
          <Button variant="light" onClick={() => test.mutate()} loading={test.isPending}>
            Test Configuration
          </Button>
        }
      />
      {test.data?.success && (
        <Alert
          color="teal"
          icon={<IconCircleCheck size={18} />}
          title="Connected to Atera"
          role="status"
          data-testid="test-result"
        >
          {test.data.message}
        </Alert>
      )}
      {(test.error || (test.data && !test.data.success)) && (
        <Alert
          color="red"
          icon={<IconCircleX size={18} />}
          title="Keel could not connect to Atera"
          role="alert"
          data-testid="test-result"
        >
          <Stack gap="xs">
            <Text size="sm">{test.data?.message ?? errorMessage(test.error)}</Text>
            <Text size="sm" fw={600}>
              What to do
            </Text>
            <List size="sm" spacing={2}>
              {whatToDo(test.data?.message ?? errorMessage(test.error)).map((t) => (
                <List.Item key={t}>{t}</List.Item>
              ))}
            </List>
          </Stack>
        </Alert>
      )}
    </Stack>
  );
}
