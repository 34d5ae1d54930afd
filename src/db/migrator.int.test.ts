import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachDb } from '../../test/helpers/db.js';
import { migrate } from './migrator.js';
import { seedDefaults } from './seed.js';

describeEachDb('database', (ctx) => {
  it('is migrated and seeded with the defaults a new Keel needs', async () => {
    const { db } = ctx.database;
    const statuses = await db.selectFrom('status').select(['name', 'type']).orderBy('sequence').execute();
    expect(statuses).toEqual([
      { name: 'New', type: 0 },
      { name: 'In Progress', type: 0 },
      { name: 'Closed', type: 1 },
    ]);
    const types = await db.selectFrom('ticket_type').select('name').orderBy('id').execute();
    expect(types.map((t) => t.name)).toEqual(['Incident', 'Alert']);
    const priorities = await db.selectFrom('priority').select('id').orderBy('id').execute();
    expect(priorities.map((p) => p.id)).toEqual([1, 2, 3, 4]);
    expect(await db.selectFrom('asset_group').select('name').execute()).toEqual([{ name: 'Default Group' }]);
    const fields = await db.selectFrom('asset_field').select('name').orderBy('sequence').execute();
    expect(fields.map((f) => f.name)).toContain('Last Logged In User');
    expect(fields).toHaveLength(8);
  });

  it('re-running migrations and seeding changes nothing', async () => {
    const { db } = ctx.database;
    expect(await migrate(db)).toEqual([]);
    await seedDefaults(db);
    const n = await db.selectFrom('status').select(db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(n.n).toBe(3);
  });

  it('returns bigint, timestamps and counts the same way on both drivers', async () => {
    const { db } = ctx.database;
    const r = await sql<{ big: number; ts: string; n: number }>`
      SELECT 9007199254740::bigint AS big, timestamptz '2026-03-04 05:06:07.5+02' AS ts, count(*) AS n FROM status`.execute(
      db,
    );
    expect(r.rows[0]).toEqual({ big: 9007199254740, ts: '2026-03-04T03:06:07.500Z', n: 3 });
  });
});
