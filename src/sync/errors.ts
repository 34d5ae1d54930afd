import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';

/** Writes an IntegrationError row (Halo's /IntegrationError) for a record an integration could not use. */
export async function recordIntegrationFailure(
  db: Kysely<DB>,
  e: { module: string; entity_type: string; entity_id: string | number | null; entity_name: string | null; error: string; run_id: number | null },
): Promise<void> {
  await db
    .insertInto('integration_error')
    .values({ ...e, entity_id: e.entity_id === null ? null : String(e.entity_id), error: e.error.slice(0, 4000) })
    .execute();
}
