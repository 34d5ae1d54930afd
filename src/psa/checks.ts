import type { Kysely } from 'kysely';
import { AppError } from '../core/errors.js';
import type { DB } from '../db/schema.js';

/**
 * Small helpers the directory use cases share so every refusal names the offending field the same
 * way: `body[3].site_id: site 9 does not exist` with a matching `details` entry.
 */
export function invalid(path: string, message: string): AppError {
  return new AppError('validation', `${path}: ${message}`, [{ path, message }]);
}

export function conflict(message: string, path?: string): AppError {
  return new AppError('conflict', message, path ? [{ path, message }] : []);
}

type IdTable = 'client' | 'site' | 'toplevel' | 'users' | 'agent' | 'asset_type' | 'asset_group' | 'asset_field';

/**
 * Batched foreign-key check: one query for every id a POST refers to in one table, instead of one
 * query per record. Throws on the first reference (in body order) to a row that does not exist.
 */
export async function assertAllExist(
  tx: Kysely<DB>,
  table: IdTable,
  refs: { id: number | null | undefined; path: string }[],
): Promise<void> {
  const ids = [...new Set(refs.map((r) => r.id).filter((id): id is number => typeof id === 'number'))];
  if (ids.length === 0) return;
  const found = new Set(
    (await tx.selectFrom(table).select('id').where('id', 'in', ids).execute()).map((r) => r.id as number),
  );
  for (const r of refs) {
    if (typeof r.id === 'number' && !found.has(r.id)) throw invalid(r.path, `${table} ${r.id} does not exist`);
  }
}

/** The distinct numeric values of a list, for `WHERE id IN (...)` batches. */
export function distinctIds(values: (number | null | undefined)[]): number[] {
  return [...new Set(values.filter((v): v is number => typeof v === 'number'))];
}

/** `inactive` and `isdisabled`-style pairs: a caller may send either name, but not two different values. */
export function eitherOf<T>(a: T | undefined, b: T | undefined, pathA: string, pathB: string): T | undefined {
  if (a !== undefined && b !== undefined && a !== b) {
    throw invalid(pathB, `conflicts with ${pathA.split('.').pop()}; send one of them`);
  }
  return a !== undefined ? a : b;
}
