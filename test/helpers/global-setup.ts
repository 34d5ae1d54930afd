import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrator.js';
import { seedDefaults } from '../../src/db/seed.js';
import { createBoss } from '../../src/jobs/queue.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    pgTemplateDb: string | null;
  }
}

/**
 * Builds the migrated + seeded database once per test run: a PGlite data-dir dump (loading one takes
 * ~0.5 s where creating a data dir takes ~3 s) and, when TEST_DATABASE_URL is set, a PostgreSQL
 * template database every test file clones with CREATE DATABASE ... TEMPLATE.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = path.resolve('.tmp');
  mkdirSync(dir, { recursive: true });
  const templateFile = path.join(dir, `pglite-template-${process.pid}.tar`);
  const lite = await openDatabase({});
  await migrate(lite.db);
  await seedDefaults(lite.db);
  await installJobSchema(lite);
  const blob = await lite.pglite!.dumpDataDir('none');
  writeFileSync(templateFile, Buffer.from(await blob.arrayBuffer()));
  await lite.close();
  project.provide('pgliteTemplate', templateFile);

  const url = process.env.TEST_DATABASE_URL;
  let templateDb: string | null = null;
  if (url) {
    templateDb = `keel_tpl_${process.pid}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${templateDb}`);
    await admin.query(`CREATE DATABASE ${templateDb}`);
    await admin.end();
    const tpl = await openDatabase({ url: withDatabase(url, templateDb), poolSize: 1 });
    await migrate(tpl.db);
    await seedDefaults(tpl.db);
    await installJobSchema(tpl);
    await tpl.close();
  }
  project.provide('pgTemplateDb', templateDb);

  return async () => {
    rmSync(templateFile, { force: true });
    if (!url || !templateDb) return;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const { rows } = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname = $2`,
      [`keel_t_${process.pid}_%`, templateDb],
    );
    for (const r of rows) await admin.query(`DROP DATABASE IF EXISTS ${r.datname} WITH (FORCE)`);
    await admin.end();
  };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** pg-boss creates its schema on first start; doing it once in the template saves every test file that time. */
async function installJobSchema(database: import('../../src/db/database.js').Database): Promise<void> {
  const boss = createBoss(database, { supervise: false });
  await boss.start();
  // On PostgreSQL its pool must close, or CREATE DATABASE ... TEMPLATE finds the template in use.
  await boss.stop({ graceful: false, close: database.kind === 'postgres' } as never);
}
