import { sql } from 'kysely';
import type { AppContext } from '../../app/context.js';

/** Rows written through bulk saves after which the asset table is vacuumed and analysed. */
export const VACUUM_AFTER_ROWS = 20_000;

const state = new WeakMap<object, { rows: number; running: boolean }>();

/**
 * After bulk loads, `VACUUM (ANALYZE) asset` in the background, once per VACUUM_AFTER_ROWS written rows.
 * PostgreSQL's docs advise running ANALYZE after populating a table; VACUUM also sets the visibility
 * map, without which the list's count and OFFSET walk cannot be answered from the partial indexes
 * alone. PostgreSQL's autovacuum would get there within a minute or so; PGlite has no autovacuum at
 * all, so without this its asset table would never get statistics or index-only scans. Never awaited
 * by the request; one run at a time per database; failures are only logged.
 */
export function noteAssetWrites(ctx: AppContext, rows: number): void {
  let s = state.get(ctx.database);
  if (!s) {
    s = { rows: 0, running: false };
    state.set(ctx.database, s);
  }
  s.rows += rows;
  if (s.running || s.rows < VACUUM_AFTER_ROWS) return;
  s.rows = 0;
  s.running = true;
  const run = s;
  sql`VACUUM (ANALYZE) asset`
    .execute(ctx.db)
    .catch((err: unknown) => ctx.logger.warn({ err }, 'VACUUM (ANALYZE) asset after a bulk load failed'))
    .finally(() => {
      run.running = false;
    });
}
