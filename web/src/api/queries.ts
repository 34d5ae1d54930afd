import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { ApiError, api, type QueryValue } from './http';
import type { AssetField, AssetGroup, AteraSettings, FieldInfo, Priority, Status, TicketType, TopLevel } from './types';

export interface ListResult<T> {
  rows: T[];
  total: number;
}

/** A server-paged Halo list: GET /api/<resource>?pageinate=true&page_no=&page_size=&… */
export async function fetchList<T>(
  resource: string,
  key: string,
  params: Record<string, QueryValue>,
  signal?: AbortSignal,
): Promise<ListResult<T>> {
  const data = await api<Record<string, unknown>>(`/api/${resource}`, {
    query: { pageinate: true, ...params },
    signal,
  });
  const rows = (Array.isArray(data) ? data : (data[key] as T[] | undefined)) ?? [];
  const total = typeof data.record_count === 'number' ? data.record_count : rows.length;
  return { rows: rows as T[], total };
}

export function useList<T>(resource: string, key: string, params: Record<string, QueryValue>, enabled = true) {
  return useQuery({
    queryKey: ['list', resource, params],
    queryFn: ({ signal }) => fetchList<T>(resource, key, params, signal),
    placeholderData: keepPreviousData,
    enabled,
  });
}

export function useRecord<T>(resource: string, id: number | string | null | undefined) {
  return useQuery({
    queryKey: ['record', resource, String(id)],
    queryFn: ({ signal }) => api<T>(`/api/${resource}/${id}`, { signal }),
    enabled: id !== null && id !== undefined && id !== '',
  });
}

/** Small reference lists (statuses, priorities, …): one page of up to 200 is all of them. */
function useLookup<T>(resource: string, key: string) {
  return useQuery({
    queryKey: ['lookup', resource],
    queryFn: ({ signal }) => fetchList<T>(resource, key, { page_size: 200, page_no: 1 }, signal).then((r) => r.rows),
    staleTime: 60_000,
  });
}

export const useStatuses = () => useLookup<Status>('Status', 'statuses');
export const usePriorities = () => useLookup<Priority>('Priority', 'priorities');
export const useTicketTypes = () => useLookup<TicketType>('TicketType', 'tickettypes');
export const useAssetGroups = () => useLookup<AssetGroup>('AssetGroup', 'assetgroups');
export const useAssetFields = () => useLookup<AssetField>('Field', 'fields');
export const useTopLevels = () => useLookup<TopLevel>('TopLevel', 'tree');

export function useAssetCustomFields() {
  return useQuery({
    queryKey: ['lookup', 'FieldInfo', 'asset'],
    queryFn: ({ signal }) =>
      fetchList<FieldInfo>('FieldInfo', 'fieldinfo', { usage: 'asset', page_size: 200 }, signal).then((r) => r.rows),
    staleTime: 60_000,
  });
}

export function useAteraSettings() {
  return useQuery({
    queryKey: ['atera', 'settings'],
    queryFn: ({ signal }) => api<AteraSettings>('/api/Integration/Atera', { signal }),
  });
}

/** Demo mode: GET /api/Demo; a server without it (404) is not in demo mode. */
export function useDemo(enabled: boolean) {
  return useQuery({
    queryKey: ['demo'],
    queryFn: async ({ signal }) => {
      try {
        return await api<{ enabled: boolean }>('/api/Demo', { signal });
      } catch (e) {
        if (e instanceof ApiError && (e.status === 404 || e.status === 403)) return { enabled: false };
        throw e;
      }
    },
    enabled,
    staleTime: 60_000,
    retry: false,
  });
}
