import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { Actor, AppContext } from '../../app/context.js';
import { AppError, notFound } from '../../core/errors.js';
import type { DB } from '../../db/schema.js';
import { type HaloListQuery, likePattern, type Paging } from '../../http/halo-query.js';
import { inTransaction, pick } from '../common.js';
import type { ActionOutput, ActionQuery, ActionWrite } from './schemas.js';
import { changeTicketStatus } from './status-change.js';

type ListQuery = HaloListQuery & ActionQuery;
type ActionFrom = SelectQueryBuilder<DB & { x: DB['action'] }, 'x', object>;

const invalid = (path: string, message: string): AppError =>
  new AppError('validation', `${path}: ${message}`, [{ path, message }]);

function filtered(db: Kysely<DB>, q: ListQuery): ActionFrom {
  let query = db.selectFrom('action as x') as ActionFrom;
  if (q.ticket_id !== undefined) query = query.where('x.ticket_id', '=', q.ticket_id);
  if (q.excludeprivate) query = query.where('x.hiddenfromuser', '=', false);
  if (q.excludesys) query = query.where('x.is_system', '=', false);
  if (q.search) query = query.where('x.note', 'ilike', likePattern(q.search));
  return query;
}

function withNames(query: ActionFrom) {
  return query
    .leftJoin('status as s', 's.id', 'x.new_status')
    .select([
      'x.id',
      'x.ticket_id',
      'x.outcome',
      'x.note',
      'x.new_status',
      's.name as new_status_name',
      'x.old_status',
      'x.hiddenfromuser',
      'x.who',
      'x.who_agentid',
      'x.datetime',
      'x.is_system',
    ]);
}

type ActionRow = Awaited<ReturnType<ReturnType<typeof withNames>['execute']>>[number];

const toOutput = (r: ActionRow): ActionOutput => ({ ...r, private: r.hiddenfromuser });

/**
 * Halo lists a ticket's actions (`ticket_id`) in the order they happened; without ticket_id Keel lists
 * the latest actions across tickets first. `orderdesc` overrides either. Always the object envelope.
 */
export async function listActions(
  ctx: AppContext,
  q: ListQuery,
  p: Paging,
): Promise<{ rows: ActionOutput[]; total: number }> {
  const base = filtered(ctx.db, q);
  const desc = q.orderdesc ?? q.ticket_id === undefined;
  const [rows, count] = await Promise.all([
    withNames(base)
      .orderBy('x.id', desc ? 'desc' : 'asc')
      .limit(p.limit)
      .offset(p.offset)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows: rows.map(toOutput), total: count.n };
}

/** Keel's action ids are global (Halo numbers actions within a ticket); GET /Actions/{id} takes that id. */
export async function getAction(ctx: AppContext, id: number, db: Kysely<DB> = ctx.db): Promise<ActionOutput> {
  const row = await withNames(db.selectFrom('action as x') as ActionFrom)
    .where('x.id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound('Action', id);
  return toOutput(row);
}

function hiddenOf(item: ActionWrite, path: string): boolean | undefined {
  if (item.hiddenfromuser !== undefined && item.private !== undefined && item.hiddenfromuser !== item.private)
    throw invalid(`${path}.private`, 'private and hiddenfromuser are the same flag: send one, or equal values');
  return item.hiddenfromuser ?? item.private;
}

async function createAction(
  ctx: AppContext,
  tx: Kysely<DB>,
  item: ActionWrite,
  actor: Actor,
  path: string,
): Promise<number> {
  if (!item.ticket_id) throw invalid(`${path}.ticket_id`, 'required to add an action');
  const ticket = await tx.selectFrom('ticket').select('id').where('id', '=', item.ticket_id).executeTakeFirst();
  if (!ticket) throw invalid(`${path}.ticket_id`, `ticket ${item.ticket_id} does not exist`);
  const note = item.note ?? item.note_html ?? null;
  const hidden = hiddenOf(item, path) ?? false;
  const who = item.who ?? actor.name;
  if (item.new_status) {
    const status = await tx.selectFrom('status').select('id').where('id', '=', item.new_status).executeTakeFirst();
    if (!status) throw invalid(`${path}.new_status`, `status ${item.new_status} does not exist`);
    // The status change and its event go through the one status-change function; this action records it.
    const result = await changeTicketStatus(ctx, tx, item.ticket_id, item.new_status, actor, {
      note,
      action: { outcome: item.outcome ?? null, hiddenfromuser: hidden, who },
    });
    return result.actionId!;
  }
  const now = ctx.clock.now().toISOString();
  const created = await tx
    .insertInto('action')
    .values({
      ticket_id: item.ticket_id,
      outcome: item.outcome ?? null,
      note,
      hiddenfromuser: hidden,
      who,
      who_agentid: actor.kind === 'agent' ? actor.id : null,
      is_system: false,
      datetime: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  // A new action is an update of the ticket for incremental readers (lastupdatefromdate).
  await tx.updateTable('ticket').set({ updated_at: now }).where('id', '=', item.ticket_id).execute();
  return created.id;
}

async function updateAction(tx: Kysely<DB>, item: ActionWrite & { id: number }, path: string): Promise<void> {
  const existing = await tx
    .selectFrom('action')
    .select(['id', 'ticket_id', 'new_status'])
    .where('id', '=', item.id)
    .executeTakeFirst();
  if (!existing) throw notFound('Action', item.id);
  if (item.ticket_id !== undefined && item.ticket_id !== existing.ticket_id)
    throw invalid(`${path}.ticket_id`, `action ${item.id} belongs to ticket ${existing.ticket_id}; it cannot move`);
  if (item.new_status && item.new_status !== existing.new_status)
    throw invalid(`${path}.new_status`, 'an existing action cannot change the status; post a new action');
  const hidden = hiddenOf(item, path);
  const set = {
    ...pick(item, ['outcome', 'who'] as const),
    ...(item.note !== undefined || item.note_html !== undefined ? { note: item.note ?? item.note_html ?? null } : {}),
    ...(hidden !== undefined ? { hiddenfromuser: hidden } : {}),
  };
  if (Object.keys(set).length > 0) await tx.updateTable('action').set(set).where('id', '=', item.id).execute();
}

/** Adds notes (and status changes, with new_status) or edits existing notes, in one transaction. */
export async function saveActions(ctx: AppContext, items: ActionWrite[], actor: Actor): Promise<ActionOutput[]> {
  return inTransaction(ctx.db, async (tx) => {
    const ids: number[] = [];
    for (const [i, item] of items.entries()) {
      const path = `body[${i}]`;
      if (item.id) {
        await updateAction(tx, { ...item, id: item.id }, path);
        ids.push(item.id);
      } else ids.push(await createAction(ctx, tx, item, actor, path));
    }
    const out: ActionOutput[] = [];
    for (const id of ids) out.push(await getAction(ctx, id, tx));
    return out;
  });
}

/** Notes can be deleted; an action that changed the ticket's status is its history and cannot (409). */
export async function deleteAction(ctx: AppContext, id: number): Promise<void> {
  await inTransaction(ctx.db, async (tx) => {
    const existing = await tx
      .selectFrom('action')
      .select(['id', 'new_status', 'old_status'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!existing) throw notFound('Action', id);
    if (existing.new_status !== null && existing.new_status !== existing.old_status)
      throw new AppError('conflict', `Action ${id} changed the ticket's status; it is part of the ticket's history`);
    await tx.deleteFrom('action').where('id', '=', id).execute();
  });
}
