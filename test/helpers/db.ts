import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { type Database, openDatabase, openPglite } from '../../src/db/database.js';
import { seedDefaults } from '../../src/db/seed.js';
import { withDatabase } from './global-setup.js';

export type Backend = 'pglite' | 'postgres';

/** PGlite always; PostgreSQL too when TEST_DATABASE_URL is set (CI sets it). */
export function backends(): Backend[] {
  return process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

/** Opens a fresh, migrated and seeded database of the given kind, private to the caller. */
export async function openTestDatabase(backend: Backend): Promise<Database> {
  if (backend === 'pglite') {
    const file = inject('pgliteTemplate');
    const pglite = await openPglite(undefined, new Blob([readFileSync(file)]));
    return openDatabase({ pglite });
  }
  const url = process.env.TEST_DATABASE_URL!;
  const template = inject('pgTemplateDb');
  if (!template) throw new Error('TEST_DATABASE_URL is set but no PostgreSQL template was prepared');
  // The forks pool gives each file its own process; the pid in the name lets global teardown find strays.
  const name = `keel_t_${process.ppid}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  await admin.end();
  const db = await openDatabase({ url: withDatabase(url, name), poolSize: 8 });
  return {
    ...db,
    close: async () => {
      await db.close();
      const a = new pg.Client({ connectionString: url });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

/** Tables a reset keeps, so tokens issued to the test's API applications stay valid. */
const KEEP = ['keel_migration', 'agent', 'api_application', 'auth_token'];

/** Empties every other table and restores the seeded defaults, for tests that need a clean slate. */
export async function resetDatabase(database: Database): Promise<void> {
  const { rows } = await sql<{ tablename: string }>`
    SELECT tablename FROM pg_tables WHERE schemaname = 'public'`.execute(database.db);
  const tables = rows.filter((r) => !KEEP.includes(r.tablename));
  if (tables.length > 0) {
    const truncate = sql.raw(`TRUNCATE ${tables.map((r) => `"${r.tablename}"`).join(', ')} RESTART IDENTITY CASCADE`);
    // A job the previous test left finishing (the app's workers run in the test process) can lock the same
    // tables in another order; PostgreSQL then aborts the TRUNCATE as the deadlock's victim (40P01), and the
    // other side completes, so trying again succeeds.
    for (let attempt = 1; ; attempt++) {
      try {
        await truncate.execute(database.db);
        break;
      } catch (err) {
        if ((err as { code?: string }).code !== '40P01' || attempt >= 5) throw err;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  }
  await seedDefaults(database.db);
}

/**
 * Runs a suite once per backend with a database opened before and closed after it.
 * `ctx.database` is valid inside tests and hooks.
 */
export function describeEachDb(
  name: string,
  fn: (ctx: { readonly database: Database; backend: Backend }) => void,
): void {
  for (const backend of backends()) {
    describe(`${name} [${backend}]`, () => {
      let database: Database | undefined;
      const ctx = {
        backend,
        get database(): Database {
          if (!database) throw new Error('database not open yet');
          return database;
        },
      };
      beforeAll(async () => {
        database = await openTestDatabase(backend);
      });
      afterAll(async () => {
        await database?.close();
      });
      fn(ctx);
    });
  }
}
