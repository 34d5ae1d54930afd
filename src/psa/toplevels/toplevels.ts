import type { Kysely } from 'kysely';
import type { Actor, AppContext } from '../../app/context.js';
import { notFound } from '../../core/errors.js';
import type { DB } from '../../db/schema.js';
import { activeFilter, type HaloListQuery, likePattern, type Paging } from '../../http/halo-query.js';
import { conflict, invalid } from '../checks.js';
import { inTransaction, orderColumn, pick } from '../common.js';
import type { ToplevelOutput, ToplevelWrite } from './schemas.js';

const SELECT = ['id', 'name', 'inactive'] as const;

export async function listToplevels(
  ctx: AppContext,
  q: HaloListQuery,
  p: Paging,
): Promise<{ rows: ToplevelOutput[]; total: number }> {
  let query = ctx.db.selectFrom('toplevel');
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

export async function getToplevel(ctx: AppContext, id: number, db: Kysely<DB> = ctx.db): Promise<ToplevelOutput> {
  const row = await db.selectFrom('toplevel').select(SELECT).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('TopLevel', id);
  return row;
}

export async function saveToplevels(ctx: AppContext, items: ToplevelWrite[], _actor: Actor): Promise<ToplevelOutput[]> {
  return inTransaction(ctx.db, async (tx) => {
    const ids: number[] = [];
    for (const [i, item] of items.entries()) {
      if (item.id) {
        const res = await tx
          .updateTable('toplevel')
          .set({ ...pick(item, ['name', 'inactive'] as const), updated_at: new Date().toISOString() })
          .where('id', '=', item.id)
          .executeTakeFirst();
        if (Number(res.numUpdatedRows) === 0) throw notFound('TopLevel', item.id);
        ids.push(item.id);
      } else {
        if (!item.name) throw invalid(`body[${i}].name`, 'required to create a top level');
        const row = await tx
          .insertInto('toplevel')
          .values({ name: item.name, inactive: item.inactive ?? false })
          .returning('id')
          .executeTakeFirstOrThrow();
        ids.push(row.id);
      }
    }
    const out: ToplevelOutput[] = [];
    for (const id of ids) out.push(await getToplevel(ctx, id, tx));
    return out;
  });
}

/** Refused (409) while customers belong to it: deactivate it instead. */
export async function deleteToplevel(ctx: AppContext, id: number): Promise<void> {
  await inTransaction(ctx.db, async (tx) => {
    const existing = await tx.selectFrom('toplevel').select('id').where('id', '=', id).executeTakeFirst();
    if (!existing) throw notFound('TopLevel', id);
    const used = await tx
      .selectFrom('client')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('toplevel_id', '=', id)
      .executeTakeFirstOrThrow();
    if (used.n > 0) throw conflict(`TopLevel ${id} still has ${used.n} customers; deactivate it instead`);
    await tx.deleteFrom('toplevel').where('id', '=', id).execute();
  });
}
