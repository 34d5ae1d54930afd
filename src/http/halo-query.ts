import { z } from 'zod';

/**
 * Halo's query conventions, shared by every list route: `pageinate`/`page_size`/`page_no`, `count`,
 * `search`, `order`/`orderdesc`, `includeinactive`. Booleans arrive as strings from query strings
 * ("true", "false", "1", "0"), so they are parsed here once rather than per route.
 */
export const qBool = z
  .union([z.boolean(), z.enum(['true', 'false', 'True', 'False', '1', '0', ''])])
  .transform((v) => v === true || v === 'true' || v === 'True' || v === '1')
  .optional();

export const qInt = z.coerce
  .number({ error: 'must be a whole number' })
  .int('must be a whole number')
  .min(-2_147_483_648)
  .max(2_147_483_647)
  .optional();

export const qPositiveInt = z.coerce
  .number({ error: 'must be a whole number' })
  .int('must be a whole number')
  .min(1, 'must be 1 or more')
  .max(2_147_483_647)
  .optional();

export const qString = z.string().max(1000, 'must be at most 1000 characters').optional();

export const haloListQuery = z.object({
  pageinate: qBool,
  page_size: z.coerce.number().int().min(1).max(1000).optional(),
  page_no: qPositiveInt,
  count: z.coerce.number().int().min(1).max(100_000).optional(),
  search: qString,
  order: z.string().max(64).optional(),
  orderdesc: qBool,
  includeinactive: qBool,
  includeactive: qBool,
});

export type HaloListQuery = z.infer<typeof haloListQuery>;

export interface Paging {
  limit: number;
  offset: number;
  paginated: boolean;
  pageNo: number;
  pageSize: number;
}

/** Without pageinate, Halo returns everything up to `count`; Keel caps that to keep a page bounded. */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_UNPAGED = 5000;

export function paging(q: HaloListQuery): Paging {
  const pageSize = q.page_size ?? DEFAULT_PAGE_SIZE;
  if (q.pageinate) {
    const pageNo = q.page_no ?? 1;
    return { limit: pageSize, offset: (pageNo - 1) * pageSize, paginated: true, pageNo, pageSize };
  }
  const limit = Math.min(q.count ?? MAX_UNPAGED, MAX_UNPAGED);
  return { limit, offset: 0, paginated: false, pageNo: 1, pageSize: limit };
}

/** Halo's list envelope: `{page_no, page_size, record_count, <key>: [...]}`. */
export function envelope<T>(key: string, rows: T[], total: number, p: Paging): Record<string, unknown> {
  return { page_no: p.pageNo, page_size: p.pageSize, record_count: total, [key]: rows };
}

/** `includeinactive` shows both; `includeactive=false` with it shows only inactive ones. */
export function activeFilter(q: HaloListQuery): 'active' | 'all' | 'inactive' {
  if (q.includeinactive && q.includeactive === false) return 'inactive';
  if (q.includeinactive) return 'all';
  return 'active';
}

/** Escapes LIKE wildcards so a search for "50%" means the text "50%". */
export const likePattern = (s: string): string => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
