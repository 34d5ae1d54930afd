import type { Kysely } from 'kysely';
import type { AppContext } from '../../app/context.js';
import { AppError, notFound } from '../../core/errors.js';
import type { DB } from '../../db/schema.js';
import { type HaloListQuery, likePattern, type Paging } from '../../http/halo-query.js';
import { inTransaction } from '../common.js';
import type { PriorityOutput, PriorityWrite } from './schemas.js';

const toOutput = (r: { id: number; name: string }): PriorityOutput => ({ id: r.id, priorityid: r.id, name: r.name });

export async function listPriorities(
  ctx: AppContext,
  q: HaloListQuery,
  p: Paging,
): Promise<{ rows: PriorityOutput[]; total: number }> {
  let query = ctx.db.selectFrom('priority');
  if (q.search) query = query.where('name', 'ilike', likePattern(q.search));
  const [rows, count] = await Promise.all([
    query
      .select(['id', 'name'])
      .orderBy(q.order?.toLowerCase() === 'name' ? 'name' : 'id', q.orderdesc ? 'desc' : 'asc')
      .orderBy('id')
      .limit(p.limit)
      .offset(p.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows: rows.map(toOutput), total: count.n };
}

export async function getPriority(ctx: AppContext, id: number, db: Kysely<DB> = ctx.db): Promise<PriorityOutput> {
  const row = await db.selectFrom('priority').select(['id', 'name']).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Priority', id);
  return toOutput(row);
}

export async function savePriorities(ctx: AppContext, items: PriorityWrite[]): Promise<PriorityOutput[]> {
  return inTransaction(ctx.db, async (tx) => {
    const ids: number[] = [];
    for (const [i, item] of items.entries()) {
      const path = `body[${i}]`;
      if (item.id) {
        if (item.priorityid !== undefined && item.priorityid !== item.id)
          throw new AppError('validation', `${path}.priorityid: a priority's number cannot change (it is its id)`, [
            { path: `${path}.priorityid`, message: 'must equal id' },
          ]);
        const existing = await tx.selectFrom('priority').select('id').where('id', '=', item.id).executeTakeFirst();
        if (!existing) throw notFound('Priority', item.id);
        if (item.name !== undefined)
          await tx.updateTable('priority').set({ name: item.name }).where('id', '=', item.id).execute();
        ids.push(item.id);
      } else {
        if (!item.name)
          throw new AppError('validation', `${path}.name is required to create a priority`, [
            { path: `${path}.name`, message: 'required' },
          ]);
        let id = item.priorityid;
        if (id !== undefined) {
          const taken = await tx.selectFrom('priority').select('id').where('id', '=', id).executeTakeFirst();
          if (taken)
            throw new AppError('conflict', `${path}.priorityid: Priority ${id} already exists`, [
              { path: `${path}.priorityid`, message: 'already exists' },
            ]);
        } else {
          const max = await tx
            .selectFrom('priority')
            .select((eb) => eb.fn.max<number | null>('id').as('m'))
            .executeTakeFirstOrThrow();
          id = (max.m ?? 0) + 1;
        }
        await tx.insertInto('priority').values({ id, name: item.name }).execute();
        ids.push(id);
      }
    }
    const out: PriorityOutput[] = [];
    for (const id of ids) out.push(await getPriority(ctx, id, tx));
    return out;
  });
}

/** Refused (409) while tickets use it or a ticket type has it as its default. */
export async function deletePriority(ctx: AppContext, id: number): Promise<void> {
  await inTransaction(ctx.db, async (tx) => {
    const existing = await tx.selectFrom('priority').select('id').where('id', '=', id).executeTakeFirst();
    if (!existing) throw notFound('Priority', id);
    const ticket = await tx.selectFrom('ticket').select('id').where('priority_id', '=', id).limit(1).executeTakeFirst();
    if (ticket)
      throw new AppError(
        'conflict',
        `Priority ${id} is in use by tickets (e.g. ticket ${ticket.id}); it cannot be deleted`,
      );
    const type = await tx
      .selectFrom('ticket_type')
      .select('id')
      .where('default_priority', '=', id)
      .limit(1)
      .executeTakeFirst();
    if (type)
      throw new AppError(
        'conflict',
        `Priority ${id} is the default priority of TicketType ${type.id}; change that first`,
      );
    await tx.deleteFrom('priority').where('id', '=', id).execute();
  });
}
