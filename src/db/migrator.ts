import { type Kysely, sql } from 'kysely';
import { m001_psa_core } from './migrations/001_psa_core.js';
import { m002_integration } from './migrations/002_integration.js';
import { m003_directory } from './migrations/003_directory.js';
import { m005_sync_link_origin } from './migrations/005_sync_link_origin.js';
import { m006_schedules } from './migrations/006_schedules.js';
import { m007_alerts } from './migrations/007_alerts.js';
import { m008_sync_conflict } from './migrations/008_sync_conflict.js';
import { m009_asset_link_soundness } from './migrations/009_asset_link_soundness.js';
import type { DB } from './schema.js';

/**
 * Migrations are ordered lists of single SQL statements (PGlite's query() runs one statement at a
 * time). Each migration runs in one transaction and is recorded in keel_migration, so a crash
 * mid-migration leaves nothing half-applied. The same SQL runs on PGlite and PostgreSQL.
 */
export interface Migration {
  name: string;
  statements: string[];
}

export const MIGRATIONS: Migration[] = [
  m001_psa_core,
  m002_integration,
  m003_directory,
  m005_sync_link_origin,
  m006_schedules,
  m007_alerts,
  m008_sync_conflict,
  m009_asset_link_soundness,
];

export async function migrate(db: Kysely<DB>, migrations: Migration[] = MIGRATIONS): Promise<string[]> {
  await sql`CREATE TABLE IF NOT EXISTS keel_migration (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`.execute(
    db,
  );
  const applied: string[] = [];
  for (const m of migrations) {
    const done = await db.transaction().execute(async (tx) => {
      // A transaction-scoped advisory lock keeps two processes starting at once from racing.
      await sql`SELECT pg_advisory_xact_lock(424242)`.execute(tx);
      const row = await sql<{ name: string }>`SELECT name FROM keel_migration WHERE name = ${m.name}`.execute(tx);
      if (row.rows.length > 0) return false;
      for (const statement of m.statements) await sql.raw(statement).execute(tx);
      await sql`INSERT INTO keel_migration (name) VALUES (${m.name})`.execute(tx);
      return true;
    });
    if (done) applied.push(m.name);
  }
  return applied;
}
