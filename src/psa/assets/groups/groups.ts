import type { Kysely } from 'kysely';
import type { Actor, AppContext } from '../../../app/context.js';
import { notFound } from '../../../core/errors.js';
import type { DB } from '../../../db/schema.js';
import { activeFilter, type HaloListQuery, likePattern, type Paging } from '../../../http/halo-query.js';
import { conflict, invalid } from '../../checks.js';
import { inTransaction, orderColumn, pick } from '../../common.js';
import type { AssetGroupOutput, AssetGroupWrite } from './schemas.js';

const SELECT = ['id', 'name', 'inactive'] as const;

export async function listAssetGroups(
  ctx: AppContext,
  q: HaloListQuery,
  p: Paging,
): Promise<{ rows: AssetGroupOutput[]; total: number }> {
  let query = ctx.db.selectFrom('asset_group');
  const active = activeFilter(q);
  if (active !== 'all') query = query.where('inactive', '=', active === 'inactive');
  if (q.search) query = query.where('name', 'ilike', likePattern(q.search));
  const col = orderColumn(q.order, { name: 'name', id: 'id' } as const, 'name');
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

export async function getAssetGroup(ctx: AppContext, id: number, db: Kysely<DB> = ctx.db): Promise<AssetGroupOutput> {
  const row = await db.selectFrom('asset_group').select(SELECT).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('AssetGroup', id);
  return row;
}

async function assertNameFree(tx: Kysely<DB>, name: string, selfId: number | null, path: string): Promise<void> {
  let q = tx
    .selectFrom('asset_group')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()));
  if (selfId !== null) q = q.where('id', '<>', selfId);
  const other = await q.executeTakeFirst();
  if (other) throw conflict(`${path}: an asset group named "${name}" already exists (id ${other.id})`, path);
}

export async function saveAssetGroups(
  ctx: AppContext,
  items: AssetGroupWrite[],
  _actor: Actor,
): Promise<AssetGroupOutput[]> {
  return inTransaction(ctx.db, async (tx) => {
    const ids: number[] = [];
    for (const [i, item] of items.entries()) {
      const path = `body[${i}]`;
      if (item.name !== undefined) await assertNameFree(tx, item.name, item.id || null, `${path}.name`);
      if (item.id) {
        const changes = pick(item, ['name', 'inactive'] as const);
        // `{id}` alone changes nothing (an UPDATE with an empty SET is invalid SQL): only check it exists.
        if (Object.keys(changes).length === 0) await getAssetGroup(ctx, item.id, tx);
        else {
          const res = await tx.updateTable('asset_group').set(changes).where('id', '=', item.id).executeTakeFirst();
          if (Number(res.numUpdatedRows) === 0) throw notFound('AssetGroup', item.id);
        }
        ids.push(item.id);
      } else {
        if (!item.name) throw invalid(`${path}.name`, 'required to create an asset group');
        const row = await tx
          .insertInto('asset_group')
          .values({ name: item.name, inactive: item.inactive ?? false })
          .returning('id')
          .executeTakeFirstOrThrow();
        ids.push(row.id);
      }
    }
    const out: AssetGroupOutput[] = [];
    for (const id of ids) out.push(await getAssetGroup(ctx, id, tx));
    return out;
  });
}

/** Refused (409) while asset types belong to the group. */
export async function deleteAssetGroup(ctx: AppContext, id: number): Promise<void> {
  await inTransaction(ctx.db, async (tx) => {
    const existing = await tx.selectFrom('asset_group').select('id').where('id', '=', id).executeTakeFirst();
    if (!existing) throw notFound('AssetGroup', id);
    const used = await tx
      .selectFrom('asset_type')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('assetgroup_id', '=', id)
      .executeTakeFirstOrThrow();
    if (used.n > 0) throw conflict(`AssetGroup ${id} still has ${used.n} asset types; deactivate it instead`);
    await tx.deleteFrom('asset_group').where('id', '=', id).execute();
  });
}
