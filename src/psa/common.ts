import { type CompiledQuery, type Kysely, sql } from 'kysely';
import { z } from 'zod';
import { AppError } from '../core/errors.js';
import { translateDbError } from '../db/errors.js';
import { cachedRead } from '../db/read-cache.js';
import type { DB } from '../db/schema.js';

/** Text fields: bounded so a hostile body cannot store megabytes in a name. */
export const text = (max = 255) =>
  z
    .string()
    .max(max, `must be at most ${max} characters`)
    // PostgreSQL text cannot hold NUL, and a lone UTF-16 surrogate cannot be stored as UTF-8: refused,
    // so whatever is accepted comes back exactly as it was sent.
    .refine((s) => !/[\0\p{Cs}]/u.test(s), 'must not contain NUL characters or unpaired surrogates');
export const nullableText = (max = 255) => text(max).nullable();
export const fk = z.number().int().min(1).max(2_147_483_647);
export const optionalId = z.number().int().min(0).max(2_147_483_647).optional();

/** Runs a use case's writes in one transaction, translating constraint violations into user errors. */
export async function inTransaction<T>(db: Kysely<DB>, fn: (tx: Kysely<DB>) => Promise<T>): Promise<T> {
  try {
    return await db.transaction().execute(fn);
  } catch (e) {
    throw translateDbError(e);
  }
}

/** Checks that the ids a record refers to exist, so the error names the field (400), not a constraint. */
export async function assertExists(
  tx: Kysely<DB>,
  table:
    | 'client'
    | 'site'
    | 'toplevel'
    | 'users'
    | 'agent'
    | 'asset_type'
    | 'asset_group'
    | 'ticket_type'
    | 'status'
    | 'priority'
    | 'asset'
    | 'ticket'
    | 'asset_field',
  id: number | null | undefined,
  path: string,
): Promise<void> {
  if (id === null || id === undefined) return;
  const row = await tx.selectFrom(table).select('id').where('id', '=', id).executeTakeFirst();
  if (!row)
    throw new AppError('validation', `${path}: ${table} ${id} does not exist`, [
      { path, message: `${table} ${id} does not exist` },
    ]);
}

/** Only the keys the caller actually sent, so an update changes only those fields. */
export function pick<T extends object, K extends keyof T>(obj: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (obj[k] !== undefined) out[k] = obj[k];
  return out;
}

export const nowSql = sql<string>`now()`;

/** Maps `order`/`orderdesc` onto a whitelisted column; anything else falls back to the default. */
export function orderColumn<C extends string>(
  requested: string | undefined,
  allowed: Record<string, C>,
  fallback: C,
): C {
  if (!requested) return fallback;
  // Own keys only: `order=constructor` must not pick Object.prototype.constructor.
  const key = requested.toLowerCase();
  return Object.hasOwn(allowed, key) ? (allowed[key] ?? fallback) : fallback;
}

/** What a list's filter reads: the listed table's columns, and other tables (subqueries). */
export interface FilterDependencies {
  columns: string[];
  tables: string[];
}

type IdsQuery = { compile(): CompiledQuery; execute(): Promise<{ id: number }[]> };
type CountQuery = { compile(): CompiledQuery; executeTakeFirstOrThrow(): Promise<{ n: number | string | bigint }> };

/** Lists longer than this page by OFFSET instead of from cached ids (4 bytes an id: 1 MB at most per list). */
export const MAX_CACHED_LIST_IDS = 250_000;

/**
 * A page of a filtered list and its total. In id order (`allIds`, ascending and limited to
 * MAX_CACHED_LIST_IDS + 1) both come from the list's cached ids (cachedIdPage); in any other order (`allIds`
 * null), or for a list too long to cache, the page with OFFSET (`offsetPage`) and the total through cachedCount.
 */
export async function listPage(
  db: Kysely<DB>,
  table: string,
  deps: FilterDependencies,
  lists: { allIds: IdsQuery | null; offsetPage: () => Promise<{ id: number }[]>; count: CountQuery },
  dir: 'asc' | 'desc',
  page: { limit: number; offset: number },
): Promise<{ ids: number[]; total: number }> {
  const cached = lists.allIds ? await cachedIdPage(db, table, deps, lists.allIds, dir, page) : null;
  if (cached) return cached;
  const [rows, total] = await Promise.all([lists.offsetPage(), cachedCount(db, table, deps, lists.count)]);
  return { ids: rows.map((r) => r.id), total };
}

/**
 * Reads a list query's result through the read cache, keyed by its statement and parameters. The entry is
 * dropped by this process's INSERT or DELETE on the table, by an UPDATE that sets a column the filter reads, and
 * by any write to a table the filter's subqueries read; another process's changes show within the cache's few
 * seconds, as for every cached read (read-cache.ts).
 */
function cachedListRead<T>(
  db: Kysely<DB>,
  kind: 'count' | 'ids',
  query: { compile(): CompiledQuery },
  table: string,
  deps: FilterDependencies,
  load: () => Promise<T>,
): Promise<T> {
  const compiled = query.compile();
  return cachedRead(db, `${kind}:${compiled.sql}|${JSON.stringify(compiled.parameters)}`, deps.tables, load, {
    table,
    columns: deps.columns,
  });
}

/**
 * The total of a filtered list (Halo's record_count). Why cached: on 100,000 assets the exact COUNT is the most
 * expensive statement of a list request (~15 ms of PostgreSQL time, more than the page itself), and it changes
 * far less often than lists are read.
 */
function cachedCount(db: Kysely<DB>, table: string, deps: FilterDependencies, query: CountQuery): Promise<number> {
  return cachedListRead(db, 'count', query, table, deps, async () => Number((await query.executeTakeFirstOrThrow()).n));
}

/**
 * One page of a list in id order, and its total, cut from the list's ids held in the read cache; null when the
 * list is longer than MAX_CACHED_LIST_IDS (page it with OFFSET then).
 *
 * Why: Halo's API pages by number, and an OFFSET walks every entry before the page: a random page of 100,000
 * assets cost ~9 ms of PostgreSQL time, the largest part of a list request under load. The ids in id order
 * change only when rows come, go or move in or out of the filter, which is exactly when the count changes, so
 * both come from one cached read.
 */
async function cachedIdPage(
  db: Kysely<DB>,
  table: string,
  deps: FilterDependencies,
  allIds: IdsQuery,
  dir: 'asc' | 'desc',
  page: { limit: number; offset: number },
): Promise<{ ids: number[]; total: number } | null> {
  const ids = await cachedListRead(db, 'ids', allIds, table, deps, async () => {
    const rows = await allIds.execute();
    return rows.length > MAX_CACHED_LIST_IDS ? null : Int32Array.from(rows, (r) => r.id);
  });
  if (ids === null) return null;
  const n = ids.length;
  const start = Math.min(n, page.offset);
  const end = Math.min(n, page.offset + page.limit);
  const out: number[] = [];
  for (let i = start; i < end; i++) out.push(dir === 'asc' ? ids[i]! : ids[n - 1 - i]!);
  return { ids: out, total: n };
}
