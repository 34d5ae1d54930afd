import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';

/** Needs PostgreSQL (prepared statements are a pg-driver matter; PGlite runs in-process). */
const url = process.env.TEST_DATABASE_URL;

describe.skipIf(!url)('prepared statements on PostgreSQL', () => {
  const preparedNames = async (preparedStatements?: boolean) => {
    // One connection, so the statements run and the view read share a session.
    const database = await openDatabase({ url: url!, poolSize: 1, preparedStatements });
    try {
      const db = database.db;
      const read = async () =>
        (await sql<{ relname: string }>`SELECT relname FROM pg_class WHERE oid > ${0} ORDER BY oid LIMIT 3`.execute(db))
          .rows;
      const first = await read();
      expect(first).toHaveLength(3);
      expect(await read()).toEqual(first);
      // A failed statement leaves the session usable, prepared or not.
      await expect(sql`SELECT ${'x'}::int`.execute(db)).rejects.toThrow();
      expect(await read()).toEqual(first);
      const { rows } = await sql<{ name: string }>`SELECT name FROM pg_prepared_statements`.execute(db);
      return rows.map((r) => r.name);
    } finally {
      await database.close();
    }
  };

  it('runs a parameterised statement as a named prepared statement from its second run, with the same results', async () => {
    const names = await preparedNames();
    // Only the statement run three times; the one run once (the failing cast) stays unnamed.
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^k[\w-]{22}$/);
  });

  it('prepares nothing when switched off (KEEL_PG_PREPARED_STATEMENTS=off)', async () => {
    expect(await preparedNames(false)).toEqual([]);
  });
});
