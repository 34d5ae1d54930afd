import { Alert, Button, Group, Text } from '@mantine/core';
import { IconCheck } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext, useState } from 'react';
import { ApiError, api, errorMessage } from '../../api/http';
import { ALERT_DEFAULTS, type AteraSettings } from '../../api/types';

/** What POST /api/Integration/Atera accepts (the key is write-only). */
export type SettingsInput = Partial<Omit<AteraSettings, 'atera_apikey_set'>> & { atera_apikey?: string };
export type SettingKey = keyof SettingsInput;
type AllSettings = AteraSettings & { atera_apikey?: string };

export interface FieldErrors {
  /** Messages by top-level setting key (atera_url, atera_sitemappings, …). */
  byKey: Record<string, string>;
  /** Messages that belong to no single control. */
  general: string[];
}

/** Splits the API's 400 `details` onto settings keys: "body.atera_url" and "atera_sitemappings[0].site_id" → their key. */
export function fieldErrors(e: unknown): FieldErrors {
  const out: FieldErrors = { byKey: {}, general: [] };
  if (!(e instanceof ApiError)) {
    out.general.push(errorMessage(e));
    return out;
  }
  if (e.details.length === 0) {
    out.general.push(e.message);
    return out;
  }
  for (const d of e.details) {
    const path = d.path.replace(/^body\.?/, '');
    const key = path.split(/[.[]/)[0] ?? '';
    const where = path.slice(key.length);
    if (key.startsWith('atera_') || key.startsWith('halointegrator_')) {
      const msg = where ? `${where.replace(/^\./, '')}: ${d.message}` : d.message;
      out.byKey[key] = out.byKey[key] ? `${out.byKey[key]}; ${msg}` : msg;
    } else {
      out.general.push(d.message);
    }
  }
  return out;
}

export function useSaveSettings() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: SettingsInput) => api<AteraSettings>('/api/Integration/Atera', { method: 'POST', body }),
    onSuccess: (data) => {
      qc.setQueryData(['atera', 'settings'], data);
    },
  });
}

interface DraftContextValue {
  draft: SettingsInput;
  setDraft: (update: (d: SettingsInput) => SettingsInput) => void;
}

const DraftContext = createContext<DraftContextValue | null>(null);

/** Unsaved changes of the setup page, kept while moving between its tabs. */
export function DraftProvider({ children }: { children: ReactNode }) {
  const [draft, setDraftState] = useState<SettingsInput>({});
  return <DraftContext.Provider value={{ draft, setDraft: setDraftState }}>{children}</DraftContext.Provider>;
}

export function settingValue<K extends keyof AteraSettings>(settings: AteraSettings, key: K): AteraSettings[K] {
  const v = settings[key];
  if (v === undefined && key in ALERT_DEFAULTS)
    return ALERT_DEFAULTS[key as keyof typeof ALERT_DEFAULTS] as AteraSettings[K];
  return v;
}

/**
 * One section of the setup page: its keys' values (unsaved edits over saved settings), errors from the
 * last save placed on their controls, and a save that sends only this section's changed keys.
 */
export function useSettingsSection(settings: AteraSettings, keys: readonly SettingKey[]) {
  const ctx = useContext(DraftContext);
  if (!ctx) throw new Error('useSettingsSection outside DraftProvider');
  const { draft, setDraft } = ctx;
  const save = useSaveSettings();
  const [errors, setErrors] = useState<FieldErrors>({ byKey: {}, general: [] });
  const [saved, setSaved] = useState(false);

  const value = <K extends keyof AllSettings>(key: K): AllSettings[K] =>
    key in draft
      ? (draft[key as SettingKey] as AllSettings[K])
      : (settingValue(settings as AllSettings, key as keyof AteraSettings) as AllSettings[K]);
  const set = <K extends SettingKey>(key: K, v: SettingsInput[K]) => {
    setDraft((d) => ({ ...d, [key]: v }));
    setSaved(false);
    setErrors((e) => {
      if (!(key in e.byKey)) return e;
      const byKey = { ...e.byKey };
      delete byKey[key];
      return { ...e, byKey };
    });
  };
  const changes: SettingsInput = {};
  for (const k of keys) if (k in draft) (changes as Record<string, unknown>)[k] = draft[k];
  const dirty = Object.keys(changes).length > 0;

  const submit = async (): Promise<boolean> => {
    if (!dirty) return true;
    setErrors({ byKey: {}, general: [] });
    try {
      await save.mutateAsync(changes);
      setDraft((d) => {
        const next = { ...d };
        for (const k of keys) delete next[k];
        return next;
      });
      setSaved(true);
      return true;
    } catch (e) {
      const fe = fieldErrors(e);
      // Errors for keys this section does not show are still shown, in the section's alert.
      for (const [k, msg] of Object.entries(fe.byKey)) {
        if (!keys.includes(k as SettingKey)) fe.general.push(msg);
      }
      setErrors(fe);
      return false;
    }
  };

  return {
    value,
    set,
    dirty,
    submit,
    saving: save.isPending,
    saved,
    error: (key: SettingKey) => errors.byKey[key],
    general: errors.general,
    hasErrors: Object.keys(errors.byKey).length > 0 || errors.general.length > 0,
  };
}

/** Save button, "Saved" confirmation and the section's general errors. */
export function SaveBar({
  section,
  label = 'Save',
  extra,
}: {
  section: ReturnType<typeof useSettingsSection>;
  label?: string;
  extra?: ReactNode;
}) {
  return (
    <>
      {section.hasErrors && (
        <Alert color="red" role="alert" title="Not saved">
          {section.general.length > 0 ? section.general.join(' ') : 'Fix the highlighted settings and save again.'}
        </Alert>
      )}
      <Group gap="sm" wrap="wrap">
        <Button onClick={() => void section.submit()} loading={section.saving} disabled={!section.dirty}>
          {label}
        </Button>
        {extra}
        {section.dirty && !section.saving && (
          <Text size="sm" c="orange.8">
            Unsaved changes
          </Text>
        )}
        {section.saved && !section.dirty && (
          <Group gap={4} c="teal.7" role="status">
            <IconCheck size={16} />
            <Text size="sm">Saved</Text>
          </Group>
        )}
      </Group>
    </>
  );
}
