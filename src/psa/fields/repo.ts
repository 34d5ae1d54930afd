import type { Kysely } from 'kysely';
import { cachedRead } from '../../db/read-cache.js';
import type { DB, FieldUsage } from '../../db/schema.js';
import type { FieldDef } from './values.js';

/** Custom field definitions (/FieldInfo) of one entity. */
export async function customFieldDefs(db: Kysely<DB>, usage: FieldUsage): Promise<FieldDef[]> {
  return cachedRead(db, `field_info:${usage}`, ['field_info'], async () =>
    frozen(
      await db
        .selectFrom('field_info')
        .select(['id', 'name', 'label', 'type'])
        .where('usage', '=', usage)
        .orderBy('id')
        .execute(),
    ),
  );
}

/** Asset field definitions (/Field), global to all asset types. */
export async function assetFieldDefs(db: Kysely<DB>): Promise<FieldDef[]> {
  return cachedRead(db, 'asset_field', ['asset_field'], async () =>
    frozen(
      await db.selectFrom('asset_field').select(['id', 'name', 'type']).orderBy('sequence').orderBy('id').execute(),
    ),
  );
}

/**
 * Cached definitions are shared by every request: frozen, so a caller that tried to change one fails loudly
 * (typed as plain arrays so that callers need no changes).
 */
export function frozen<T extends object>(rows: T[]): T[] {
  for (const r of rows) Object.freeze(r);
  return Object.freeze(rows) as T[];
}
