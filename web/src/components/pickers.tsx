import { Select } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { type ReactNode, useMemo, useState } from 'react';
import { api, type QueryValue } from '../api/http';
import { fetchList } from '../api/queries';
import type { Client, Site, User } from '../api/types';

interface Option {
  value: number;
  label: string;
}

interface RemotePickerProps {
  label: string;
  value: number | null;
  onChange: (value: number | null, label: string | null) => void;
  description?: ReactNode;
  placeholder?: string;
  error?: ReactNode;
  clearable?: boolean;
  required?: boolean;
  disabled?: boolean;
  extraQuery?: Record<string, QueryValue>;
}

/**
 * A searchable select over a server-paged resource: typing searches the API (never the whole list),
 * and the chosen record's name is fetched by id so it shows even when not on the current page.
 */
function RemotePicker<T>({
  resource,
  listKey,
  toOption,
  ...props
}: RemotePickerProps & { resource: string; listKey: string; toOption: (row: T) => Option }) {
  const [search, setSearch] = useState('');
  const selected = useQuery({
    queryKey: ['record', resource, String(props.value)],
    queryFn: ({ signal }) => api<T>(`/api/${resource}/${props.value}`, { signal }),
    enabled: props.value !== null,
    staleTime: 60_000,
  });
  const selectedOption = selected.data ? toOption(selected.data) : null;
  // When the box shows the chosen record's name, list everything rather than just that name.
  const term = selectedOption && search === selectedOption.label ? '' : search;
  const [debounced] = useDebouncedValue(term, 250);
  const list = useQuery({
    queryKey: ['list', resource, { search: debounced, picker: true, ...props.extraQuery }],
    queryFn: ({ signal }) =>
      fetchList<T>(
        resource,
        listKey,
        { search: debounced || undefined, page_size: 20, page_no: 1, ...props.extraQuery },
        signal,
      ),
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });
  const data = useMemo(() => {
    const opts = (list.data?.rows ?? []).map(toOption);
    if (selectedOption && !opts.some((o) => o.value === selectedOption.value)) opts.unshift(selectedOption);
    return opts;
  }, [list.data, selectedOption, toOption]);
  const more = (list.data?.total ?? 0) > (list.data?.rows.length ?? 0);

  return (
    <Select<number>
      label={props.label}
      description={props.description}
      placeholder={props.placeholder ?? 'Type to search'}
      data={data}
      value={props.value}
      onChange={(v, option) => props.onChange(v, option?.label ?? null)}
      searchable
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options }) => options}
      nothingFoundMessage={list.isFetching ? 'Searching…' : list.error ? 'Could not search' : 'Nothing found'}
      clearable={props.clearable ?? true}
      required={props.required}
      withAsterisk={false}
      disabled={props.disabled}
      error={props.error}
      rightSectionPointerEvents={props.clearable === false ? 'none' : undefined}
      comboboxProps={{ withinPortal: true }}
      maxDropdownHeight={280}
      limit={more ? 20 : undefined}
    />
  );
}

const siteOption = (s: Site): Option => ({ value: s.id, label: `${s.client_name} – ${s.name}` });
const clientOption = (c: Client): Option => ({ value: c.id, label: c.name });
const userOption = (u: User): Option => ({
  value: u.id,
  label: u.client_name ? `${u.name} (${u.client_name})` : u.name,
});

export function SitePicker(props: RemotePickerProps) {
  return <RemotePicker<Site> resource="Site" listKey="sites" toOption={siteOption} {...props} />;
}

export function ClientPicker(props: RemotePickerProps) {
  return <RemotePicker<Client> resource="Client" listKey="clients" toOption={clientOption} {...props} />;
}

export function UserPicker(props: RemotePickerProps) {
  return <RemotePicker<User> resource="Users" listKey="users" toOption={userOption} {...props} />;
}
