import type { Kysely } from 'kysely';
import type { AppContext } from '../../app/context.js';
import { AppError, notFound } from '../../core/errors.js';
import type { DB } from '../../db/schema.js';
import { type HaloListQuery, likePattern, type Paging } from '../../http/halo-query.js';
import { inTransaction, pick } from '../common.js';
import { STATUS_CLOSED, STATUS_OPEN, type StatusOutput, type StatusWrite } from './schemas.js';
import { assertNameFree } from './ticket-types.js';

type StatusQuery = HaloListQuery & { excludeclosed?: boolean; type?: number };

const SELECT = ['id', 'name', 'type', 'sequence'] as const;

export async function listStatuses(
  ctx: AppContext,
  q: StatusQuery,
  p: Paging,
): Promise<{ rows: StatusOutput[]; total: number }> {
  let query = ctx.db.selectFrom('status');
  if (q.excludeclosed) query = query.where('type', '<>', STATUS_CLOSED);
  if (q.type !== undefined) query = query.where('type', '=', q.type);
  if (q.search) query = query.where('name', 'ilike', likePattern(q.search));
  const order = ({ id: 'id', name: 'name', sequence: 'sequence' } as const)[q.order?.toLowerCase() ?? ''] ?? 'sequence';
  const [rows, count] = await Promise.all([
    query
      .select(SELECT)
      .orderBy(order, q.orderdesc ? 'desc' : 'asc')
      .orderBy('id')
      .limit(p.limit)
      .offset(p.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: count.n };
}

export async function getStatus(ctx: AppContext, id: number, db: Kysely<DB> = ctx.db): Promise<StatusOutput> {
  const row = await db.selectFrom('status').select(SELECT).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Status', id);
  return row;
}

async function firstTicketWithStatus(tx: Kysely<DB>, id: number): Promise<number | undefined> {
  const row = await tx.selectFrom('ticket').select('id').where('status_id', '=', id).limit(1).executeTakeFirst();
  return row?.id;
}

export async function saveStatuses(ctx: AppContext, items: StatusWrite[]): Promise<StatusOutput[]> {
  return inTransaction(ctx.db, async (tx) => {
    const ids: number[] = [];
    for (const [i, item] of items.entries()) {
      const path = `body[${i}]`;
      await assertNameFree(tx, 'status', item.name, item.id, `${path}.name`);
      if (item.id) {
        const existing = await tx
          .selectFrom('status')
          .select(['id', 'type'])
          .where('id', '=', item.id)
          .executeTakeFirst();
        if (!existing) throw notFound('Status', item.id);
        // Tickets in this status carry a dateclosed that matches its type; flipping the type would break that.
        if (item.type !== undefined && item.type !== existing.type) {
          const ticket = await firstTicketWithStatus(tx, item.id);
          if (ticket !== undefined)
            throw new AppError(
              'conflict',
              `${path}.type: Status ${item.id} is used by tickets (e.g. ticket ${ticket}); its type cannot change while in use`,
              [{ path: `${path}.type`, message: 'status in use' }],
            );
        }
        const set = pick(item, ['name', 'type', 'sequence'] as const);
        if (Object.keys(set).length > 0) await tx.updateTable('status').set(set).where('id', '=', item.id).execute();
        ids.push(item.id);
      } else {
        if (!item.name)
          throw new AppError('validation', `${path}.name is required to create a status`, [
            { path: `${path}.name`, message: 'required' },
          ]);
        const created = await tx
          .insertInto('status')
          .values({ name: item.name, type: item.type ?? STATUS_OPEN, sequence: item.sequence ?? 0 })
          .returning('id')
          .executeTakeFirstOrThrow();
        ids.push(created.id);
      }
    }
    const out: StatusOutput[] = [];
    for (const id of ids) out.push(await getStatus(ctx, id, tx));
    return out;
  });
}

/** Refused (409) while a ticket is in the status or an action recorded a change to it. */
export async function deleteStatus(ctx: AppContext, id: number): Promise<void> {
  await inTransaction(ctx.db, async (tx) => {
    const existing = await tx.selectFrom('status').select('id').where('id', '=', id).executeTakeFirst();
    if (!existing) throw notFound('Status', id);
    const ticket = await firstTicketWithStatus(tx, id);
    if (ticket !== undefined)
      throw new AppError('conflict', `Status ${id} is in use by tickets (e.g. ticket ${ticket}); it cannot be deleted`);
    const action = await tx
      .selectFrom('action')
      .select('id')
      .where((eb) => eb.or([eb('new_status', '=', id), eb('old_status', '=', id)]))
      .limit(1)
      .executeTakeFirst();
    if (action)
      throw new AppError(
        'conflict',
        `Status ${id} is in use by the history of tickets (e.g. action ${action.id}); it cannot be deleted`,
      );
    await tx.deleteFrom('status').where('id', '=', id).execute();
  });
}
