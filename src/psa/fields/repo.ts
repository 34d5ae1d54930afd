import type { Kysely } from 'kysely';
import type { DB, FieldUsage } from '../../db/schema.js';
import type { FieldDef } from './values.js';

/** Custom field definitions (/FieldInfo) of one entity. */
export async function customFieldDefs(db: Kysely<DB>, usage: FieldUsage): Promise<FieldDef[]> {
  return db
    .selectFrom('field_info')
    .select(['id', 'name', 'label', 'type'])
    .where('usage', '=', usage)
    .orderBy('id')
    .execute();
}

/** Asset field definitions (/Field), global to all asset types. */
export async function assetFieldDefs(db: Kysely<DB>): Promise<FieldDef[]> {
  return db.selectFrom('asset_field').select(['id', 'name', 'type']).orderBy('sequence').orderBy('id').execute();
}
