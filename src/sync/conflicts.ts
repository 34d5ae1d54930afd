import { type Kysely, type SqlBool, sql } from 'kysely';
import type { ConflictCandidate, DB } from '../db/schema.js';

/**
 * Remembered conflicts (table sync_conflict): what an import concluded about a record it could not link, kept
 * so the next run can report the same conflict without planning it again. Storage only; whether a remembered
 * conflict still holds is the importer's call (it knows what its candidates are).
 */
export interface CachedConflict {
  external_id: string;
  /** Content hash of the external record when it was planned. */
  hash: string;
  /** The record's matching value (as the mappings produce it) when it was planned. */
  match_value: string;
  candidates: ConflictCandidate[];
  reason: string;
}

export async function cachedConflicts(
  db: Kysely<DB>,
  integration: string,
  entity: string,
  externalIds: string[],
): Promise<Map<string, CachedConflict>> {
  if (externalIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('sync_conflict')
    .select(['external_id', 'hash', 'match_value', 'candidates', 'reason'])
    .where('integration', '=', integration)
    .where('entity', '=', entity)
    .where(sql<SqlBool>`external_id = ANY(${externalIds}::text[])`)
    .execute();
  return new Map(rows.map((r) => [r.external_id, r]));
}

export async function saveConflicts(
  db: Kysely<DB>,
  integration: string,
  entity: string,
  conflicts: CachedConflict[],
): Promise<void> {
  if (conflicts.length === 0) return;
  await db
    .insertInto('sync_conflict')
    .values(conflicts.map((c) => ({ integration, entity, ...c, candidates: JSON.stringify(c.candidates) })))
    .onConflict((oc) =>
      oc.columns(['integration', 'entity', 'external_id']).doUpdateSet((eb) => ({
        hash: eb.ref('excluded.hash'),
        match_value: eb.ref('excluded.match_value'),
        candidates: eb.ref('excluded.candidates'),
        reason: eb.ref('excluded.reason'),
        updated_at: new Date().toISOString(),
      })),
    )
    .execute();
}

export async function clearConflicts(
  db: Kysely<DB>,
  integration: string,
  entity: string,
  externalIds: string[],
): Promise<void> {
  if (externalIds.length === 0) return;
  await db
    .deleteFrom('sync_conflict')
    .where('integration', '=', integration)
    .where('entity', '=', entity)
    .where(sql<SqlBool>`external_id = ANY(${externalIds}::text[])`)
    .execute();
}

/** Forgets the conflicts of records no longer in the source (after a complete read). */
export async function pruneConflicts(
  db: Kysely<DB>,
  integration: string,
  entity: string,
  stillThere: (externalId: string) => boolean,
): Promise<void> {
  const rows = await db
    .selectFrom('sync_conflict')
    .select('external_id')
    .where('integration', '=', integration)
    .where('entity', '=', entity)
    .execute();
  await clearConflicts(
    db,
    integration,
    entity,
    rows.map((r) => r.external_id).filter((id) => !stillThere(id)),
  );
}
