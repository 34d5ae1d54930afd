import type { Kysely } from 'kysely';
import type { DB } from './schema.js';

export const DEFAULT_ASSET_FIELDS = [
  { name: 'Serial Number', type: 'text' },
  { name: 'Manufacturer', type: 'text' },
  { name: 'Model', type: 'text' },
  { name: 'Operating System', type: 'text' },
  { name: 'IP Address', type: 'text' },
  { name: 'MAC Address', type: 'text' },
  { name: 'Last Logged In User', type: 'text' },
  { name: 'Last Seen', type: 'date' },
] as const;

/**
 * Defaults a new database needs before anyone can work (issue 3): statuses, ticket types, priorities,
 * a top level, the "Default Group" asset group and the standard asset fields. Idempotent: it only
 * fills tables that are empty, so it is safe on every start.
 */
export async function seedDefaults(db: Kysely<DB>): Promise<void> {
  await db.transaction().execute(async (tx) => {
    if (!(await tx.selectFrom('status').select('id').limit(1).executeTakeFirst())) {
      await tx
        .insertInto('status')
        .values([
          { name: 'New', type: 0, sequence: 1 },
          { name: 'In Progress', type: 0, sequence: 2 },
          { name: 'Closed', type: 1, sequence: 9 },
        ])
        .execute();
    }
    if (!(await tx.selectFrom('priority').select('id').limit(1).executeTakeFirst())) {
      await tx
        .insertInto('priority')
        .values([
          { id: 1, name: 'Critical' },
          { id: 2, name: 'High' },
          { id: 3, name: 'Medium' },
          { id: 4, name: 'Low' },
        ])
        .execute();
    }
    if (!(await tx.selectFrom('ticket_type').select('id').limit(1).executeTakeFirst())) {
      await tx
        .insertInto('ticket_type')
        .values([
          { name: 'Incident', default_priority: 3 },
          { name: 'Alert', default_priority: 2 },
        ])
        .execute();
    }
    if (!(await tx.selectFrom('toplevel').select('id').limit(1).executeTakeFirst())) {
      await tx.insertInto('toplevel').values({ name: 'Customers' }).execute();
    }
    if (!(await tx.selectFrom('asset_group').select('id').limit(1).executeTakeFirst())) {
      await tx.insertInto('asset_group').values({ name: 'Default Group' }).execute();
    }
    if (!(await tx.selectFrom('asset_field').select('id').limit(1).executeTakeFirst())) {
      await tx
        .insertInto('asset_field')
        .values(DEFAULT_ASSET_FIELDS.map((f, i) => ({ name: f.name, type: f.type, sequence: i + 1 })))
        .execute();
    }
  });
}
