import type { Migration } from '../migrator.js';

/**
 * Asset lists at 100k+ rows (issue: a list page under 50 ms p95 with 100,000 assets). Lists hide
 * inactive assets by default, so the default list (all assets, or one customer's, in id order) reads
 * these partial indexes: the count and the OFFSET walk touch small index entries and, once the
 * visibility map is set (autovacuum on PostgreSQL, VACUUM on PGlite), never the wide heap rows.
 * Queries must say `NOT a.inactive` (not `a.inactive = $1`) for the planner to match them.
 */
export const m003_directory: Migration = {
  name: '003_directory',
  statements: [
    `CREATE INDEX asset_active_id_idx ON asset (id) WHERE NOT inactive`,
    `CREATE INDEX asset_client_active_idx ON asset (client_id, id) WHERE NOT inactive`,
  ],
};
