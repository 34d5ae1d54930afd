import { type Kysely, sql } from 'kysely';
import type { Actor, AppContext } from '../../../app/context.js';
import { notFound } from '../../../core/errors.js';
import type { DB } from '../../../db/schema.js';
import { type HaloListQuery, likePattern, type Paging } from '../../../http/halo-query.js';
import { conflict, invalid } from '../../checks.js';
import { inTransaction, orderColumn, pick } from '../../common.js';
import type { AssetFieldOutput, AssetFieldWrite } from './schemas.js';

const SELECT = ['f.id', 'f.name', 'f.type', 'f.sequence'] as const;

export async function listAssetFields(
  ctx: AppContext,
  q: HaloListQuery & { type_id?: number },
  p: Paging,
): Promise<{ rows: AssetFieldOutput[]; total: number }> {
  let query = ctx.db.selectFrom('asset_field as f');
  if (q.type_id !== undefined) {
    const typeId = q.type_id;
    query = query.where('f.id', 'in', (eb) =>
      eb.selectFrom('asset_type_field').select('field_id').where('assettype_id', '=', typeId),
    );
  }
  if (q.search) query = query.where('f.name', 'ilike', likePattern(q.search));
  const col = orderColumn(q.order, { sequence: 'f.sequence', name: 'f.name', id: 'f.id' } as const, 'f.sequence');
  const [rows, count] = await Promise.all([
    query
      .select(SELECT)
      .orderBy(col, q.orderdesc ? 'desc' : 'asc')
      .orderBy('f.id')
      .limit(p.limit)
      .offset(p.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: count.n };
}

export async function getAssetField(ctx: AppContext, id: number, db: Kysely<DB> = ctx.db): Promise<AssetFieldOutput> {
  const row = await db.selectFrom('asset_field as f').select(SELECT).where('f.id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Field', id);
  return row;
}

async function assertNameFree(tx: Kysely<DB>, name: string, selfId: number | null, path: string): Promise<void> {
  let q = tx
    .selectFrom('asset_field')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()));
  if (selfId !== null) q = q.where('id', '<>', selfId);
  const other = await q.executeTakeFirst();
  if (other) throw conflict(`${path}: an asset field named "${name}" already exists (id ${other.id})`, path);
}

/** Whether any asset stores a value for the field (values live in asset.fields keyed by field id). */
async function hasValues(tx: Kysely<DB>, id: number): Promise<boolean> {
  const r = await sql<{ one: number }>`SELECT 1 AS one FROM asset WHERE fields ? (${String(id)}::text) LIMIT 1`.execute(
    tx,
  );
  return r.rows.length > 0;
}

/**
 * Creates or updates asset field definitions. A new field is added to every existing asset type, the
 * way Halo's `POST /Field/AddFieldToAll/{id}` does, so it shows up on assets at once; an asset type
 * can drop it afterwards through its `fields` list. A field's type cannot change while assets hold
 * values for it (those values were checked against the old type).
 */
export async function saveAssetFields(
  ctx: AppContext,
  items: AssetFieldWrite[],
  _actor: Actor,
): Promise<AssetFieldOutput[]> {
  return inTransaction(ctx.db, async (tx) => {
    const ids: number[] = [];
    for (const [i, item] of items.entries()) {
      const path = `body[${i}]`;
      if (item.name !== undefined) await assertNameFree(tx, item.name, item.id || null, `${path}.name`);
      if (item.id) {
        const existing = await tx.selectFrom('asset_field').selectAll().where('id', '=', item.id).executeTakeFirst();
        if (!existing) throw notFound('Field', item.id);
        if (item.type !== undefined && item.type !== existing.type && (await hasValues(tx, item.id))) {
          throw conflict(
            `${path}.type: assets hold values for field ${item.id} as ${existing.type}; its type cannot change (create a new field instead)`,
            `${path}.type`,
          );
        }
        const set = pick(item, ['name', 'type', 'sequence'] as const);
        if (Object.keys(set).length > 0)
          await tx.updateTable('asset_field').set(set).where('id', '=', item.id).execute();
        ids.push(item.id);
      } else {
        if (!item.name) throw invalid(`${path}.name`, 'required to create a field');
        const sequence =
          item.sequence ??
          Number(
            (
              await tx
                .selectFrom('asset_field')
                .select((eb) => eb.fn.coalesce(eb.fn.max('sequence'), eb.lit(0)).as('m'))
                .executeTakeFirstOrThrow()
            ).m,
          ) + 1;
        const row = await tx
          .insertInto('asset_field')
          .values({ name: item.name, type: item.type ?? 'text', sequence })
          .returning('id')
          .executeTakeFirstOrThrow();
        // AddFieldToAll: every asset type gets the new field.
        await tx
          .insertInto('asset_type_field')
          .columns(['assettype_id', 'field_id', 'sequence'])
          .expression((eb) =>
            eb.selectFrom('asset_type').select(['id', eb.val(row.id).as('field_id'), eb.val(sequence).as('sequence')]),
          )
          .execute();
        ids.push(row.id);
      }
    }
    const out: AssetFieldOutput[] = [];
    for (const id of ids) out.push(await getAssetField(ctx, id, tx));
    return out;
  });
}

/**
 * Deletes a field definition: asset types lose it (cascade), types keyed on it lose their key field,
 * and the stored values are removed from assets so nothing orphaned stays behind.
 */
export async function deleteAssetField(ctx: AppContext, id: number): Promise<void> {
  await inTransaction(ctx.db, async (tx) => {
    const existing = await tx.selectFrom('asset_field').select('id').where('id', '=', id).executeTakeFirst();
    if (!existing) throw notFound('Field', id);
    await sql`UPDATE asset SET fields = fields - (${String(id)}::text) WHERE fields ? (${String(id)}::text)`.execute(
      tx,
    );
    await tx.deleteFrom('asset_field').where('id', '=', id).execute();
  });
}
