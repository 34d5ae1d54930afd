import type { Migration } from '../migrator.js';

/**
 * Conflicts remembered between runs (issue 5): a record that matched several local records, or one linked to
 * another external record, is not linked, so without this every run would plan it again and need the whole
 * matching index. Per external record: the content hash it was planned with, its matching value, the candidate
 * records (id and the external id each was linked to) and the reason reported. The next run reuses the outcome
 * only while the hash is the same and every candidate still exists unchanged (see the asset import's
 * conflict-cache.ts); candidates live in jsonb because they are only ever read back together.
 */
export const m008_sync_conflict: Migration = {
  name: '008_sync_conflict',
  statements: [
    `CREATE TABLE sync_conflict (
      integration text NOT NULL,
      entity text NOT NULL,
      external_id text NOT NULL,
      hash text NOT NULL,
      match_value text NOT NULL,
      candidates jsonb NOT NULL,
      reason text NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (integration, entity, external_id)
    )`,
  ],
};
