import { type Kysely, sql } from 'kysely';
import { z } from 'zod';
import { AppError } from '../core/errors.js';
import { translateDbError } from '../db/errors.js';
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
