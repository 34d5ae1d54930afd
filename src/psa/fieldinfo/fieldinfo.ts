import { type Kysely, sql } from 'kysely';
import type { Actor, AppContext } from '../../app/context.js';
import { notFound } from '../../core/errors.js';
import type { DB, FieldUsage } from '../../db/schema.js';
import { type HaloListQuery, likePattern, type Paging } from '../../http/halo-query.js';
import { conflict, invalid } from '../checks.js';
import { inTransaction, orderColumn, pick } from '../common.js';
import type { FieldInfoOutput, FieldInfoWrite } from './schemas.js';

const SELECT = ['id', 'name', 'label', 'type', 'usage'] as const;

/** The table whose `customfields` jsonb holds the values of fields with that usage. */
const VALUE_TABLE: Record<FieldUsage, string> = {
  client: 'client',
  site: 'site',
  users: 'users',
  asset: 'asset',
  ticket: 'ticket',
};

export async function listFieldInfo(
  ctx: AppContext,
  q: HaloListQuery & { usage?: FieldUsage },
  p: Paging,
): Promise<{ rows: FieldInfoOutput[]; total: number }> {
  let query = ctx.db.selectFrom('field_info');
  if (q.usage) query = query.where('usage', '=', q.usage);
  if (q.search) {
    const pattern = likePattern(q.search);
    query = query.where((eb) => eb.or([eb('name', 'ilike', pattern), eb('label', 'ilike', pattern)]));
  }
  const col = orderColumn(q.order, { id: 'id', name: 'name', label: 'label', usage: 'usage' } as const, 'id');
  const [rows, count] = await Promise.all([
    query
      .select(SELECT)
      .orderBy(col, q.orderdesc ? 'desc' : 'asc')
      .orderBy('id')
      .limit(p.limit)
      .offset(p.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: count.n };
}

export async function getFieldInfo(ctx: AppContext, id: number, db: Kysely<DB> = ctx.db): Promise<FieldInfoOutput> {
  const row = await db.selectFrom('field_info').select(SELECT).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('FieldInfo', id);
  return row;
}

async function assertNameFree(
  tx: Kysely<DB>,
  usage: FieldUsage,
  name: string,
  selfId: number | null,
  path: string,
): Promise<void> {
  let q = tx
    .selectFrom('field_info')
    .select('id')
    .where('usage', '=', usage)
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()));
  if (selfId !== null) q = q.where('id', '<>', selfId);
  const other = await q.executeTakeFirst();
  if (other) throw conflict(`${path}: a ${usage} custom field named "${name}" already exists (id ${other.id})`, path);
}

async function hasValues(tx: Kysely<DB>, usage: FieldUsage, id: number): Promise<boolean> {
  const r = await sql<{ one: number }>`SELECT 1 AS one FROM ${sql.table(VALUE_TABLE[usage])}
    WHERE customfields ? (${String(id)}::text) LIMIT 1`.execute(tx);
  return r.rows.length > 0;
}

/** Creates or partially updates custom field definitions in one transaction. */
export async function saveFieldInfo(
  ctx: AppContext,
  items: FieldInfoWrite[],
  _actor: Actor,
): Promise<FieldInfoOutput[]> {
  return inTransaction(ctx.db, async (tx) => {
    const ids: number[] = [];
    for (const [i, item] of items.entries()) {
      const path = `body[${i}]`;
      if (item.id) {
        const existing = await tx.selectFrom('field_info').selectAll().where('id', '=', item.id).executeTakeFirst();
        if (!existing) throw notFound('FieldInfo', item.id);
        if (item.usage !== undefined && item.usage !== existing.usage) {
          throw invalid(`${path}.usage`, `cannot change from ${existing.usage}; create a new field instead`);
        }
        if (item.name !== undefined) await assertNameFree(tx, existing.usage, item.name, item.id, `${path}.name`);
        if (item.type !== undefined && item.type !== existing.type && (await hasValues(tx, existing.usage, item.id))) {
          throw conflict(
            `${path}.type: records hold values for field ${item.id} as ${existing.type}; its type cannot change`,
            `${path}.type`,
          );
        }
        const set = pick(item, ['name', 'label', 'type'] as const);
        if (Object.keys(set).length > 0)
          await tx.updateTable('field_info').set(set).where('id', '=', item.id).execute();
        ids.push(item.id);
      } else {
        if (!item.name) throw invalid(`${path}.name`, 'required to create a custom field');
        if (!item.usage) throw invalid(`${path}.usage`, 'required to create a custom field');
        await assertNameFree(tx, item.usage, item.name, null, `${path}.name`);
        const row = await tx
          .insertInto('field_info')
          .values({ name: item.name, label: item.label ?? item.name, type: item.type ?? 'text', usage: item.usage })
          .returning('id')
          .executeTakeFirstOrThrow();
        ids.push(row.id);
      }
    }
    const out: FieldInfoOutput[] = [];
    for (const id of ids) out.push(await getFieldInfo(ctx, id, tx));
    return out;
  });
}

/** Deletes a custom field and removes its values from the records that carried it. */
export async function deleteFieldInfo(ctx: AppContext, id: number): Promise<void> {
  await inTransaction(ctx.db, async (tx) => {
    const existing = await tx.selectFrom('field_info').select(['id', 'usage']).where('id', '=', id).executeTakeFirst();
    if (!existing) throw notFound('FieldInfo', id);
    await sql`UPDATE ${sql.table(VALUE_TABLE[existing.usage])} SET customfields = customfields - (${String(id)}::text)
      WHERE customfields ? (${String(id)}::text)`.execute(tx);
    await tx.deleteFrom('field_info').where('id', '=', id).execute();
  });
}
