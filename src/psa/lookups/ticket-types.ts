import { type Kysely, sql } from 'kysely';
import type { AppContext } from '../../app/context.js';
import { AppError, notFound } from '../../core/errors.js';
import type { DB } from '../../db/schema.js';
import { activeFilter, type HaloListQuery, likePattern, type Paging } from '../../http/halo-query.js';
import { assertExists, inTransaction, pick } from '../common.js';
import type { TicketTypeOutput, TicketTypeWrite } from './schemas.js';

type TicketTypeQuery = HaloListQuery & { showinactive?: boolean; showall?: boolean };

const SELECT = ['id', 'name', 'inactive', 'default_priority'] as const;

export async function listTicketTypes(
  ctx: AppContext,
  q: TicketTypeQuery,
  p: Paging,
): Promise<{ rows: TicketTypeOutput[]; total: number }> {
  let query = ctx.db.selectFrom('ticket_type');
  const active = q.showinactive || q.showall ? 'all' : activeFilter(q);
  if (active !== 'all') query = query.where('inactive', '=', active === 'inactive');
  if (q.search) query = query.where('name', 'ilike', likePattern(q.search));
  const [rows, count] = await Promise.all([
    query
      .select(SELECT)
      .orderBy(q.order?.toLowerCase() === 'name' ? 'name' : 'id', q.orderdesc ? 'desc' : 'asc')
      .orderBy('id')
      .limit(p.limit)
      .offset(p.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: count.n };
}

export async function getTicketType(ctx: AppContext, id: number, db: Kysely<DB> = ctx.db): Promise<TicketTypeOutput> {
  const row = await db.selectFrom('ticket_type').select(SELECT).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('TicketType', id);
  return row;
}

/** Names are unique regardless of case; say so with the field rather than a constraint name. */
export async function assertNameFree(
  tx: Kysely<DB>,
  table: 'ticket_type' | 'status',
  name: string | undefined,
  exceptId: number | undefined,
  path: string,
): Promise<void> {
  if (name === undefined) return;
  let q = tx.selectFrom(table).select('id').where(sql<string>`lower(name)`, '=', name.toLowerCase());
  if (exceptId) q = q.where('id', '<>', exceptId);
  const clash = await q.executeTakeFirst();
  if (clash)
    throw new AppError('conflict', `${path}: "${name}" is already the name of ${table} ${clash.id}`, [
      { path, message: 'already exists' },
    ]);
}

export async function saveTicketTypes(ctx: AppContext, items: TicketTypeWrite[]): Promise<TicketTypeOutput[]> {
  return inTransaction(ctx.db, async (tx) => {
    const ids: number[] = [];
    for (const [i, item] of items.entries()) {
      const path = `body[${i}]`;
      await assertExists(tx, 'priority', item.default_priority, `${path}.default_priority`);
      await assertNameFree(tx, 'ticket_type', item.name, item.id, `${path}.name`);
      if (item.id) {
        const existing = await tx.selectFrom('ticket_type').select('id').where('id', '=', item.id).executeTakeFirst();
        if (!existing) throw notFound('TicketType', item.id);
        const set = pick(item, ['name', 'inactive', 'default_priority'] as const);
        if (Object.keys(set).length > 0)
          await tx.updateTable('ticket_type').set(set).where('id', '=', item.id).execute();
        ids.push(item.id);
      } else {
        if (!item.name)
          throw new AppError('validation', `${path}.name is required to create a ticket type`, [
            { path: `${path}.name`, message: 'required' },
          ]);
        const created = await tx
          .insertInto('ticket_type')
          .values({
            name: item.name,
            inactive: item.inactive ?? false,
            default_priority: item.default_priority ?? null,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        ids.push(created.id);
      }
    }
    const out: TicketTypeOutput[] = [];
    for (const id of ids) out.push(await getTicketType(ctx, id, tx));
    return out;
  });
}

/** Refused (409) while tickets use the type: deactivate it instead. */
export async function deleteTicketType(ctx: AppContext, id: number): Promise<void> {
  await inTransaction(ctx.db, async (tx) => {
    const existing = await tx.selectFrom('ticket_type').select('id').where('id', '=', id).executeTakeFirst();
    if (!existing) throw notFound('TicketType', id);
    const used = await tx.selectFrom('ticket').select('id').where('tickettype_id', '=', id).limit(1).executeTakeFirst();
    if (used)
      throw new AppError(
        'conflict',
        `TicketType ${id} is used by tickets (e.g. ticket ${used.id}); set inactive instead`,
      );
    await tx.deleteFrom('ticket_type').where('id', '=', id).execute();
  });
}
