import { type Kysely, sql } from 'kysely';
import type { Actor, AppContext } from '../../app/context.js';
import { AppError, notFound } from '../../core/errors.js';
import type { DB, Row } from '../../db/schema.js';
import { STATUS_CLOSED, STATUS_OPEN } from '../lookups/schemas.js';
import type { TicketClosedEvent } from './events.js';

/**
 * The one place a ticket's status changes. POST /Tickets with a status_id, POST /Actions with
 * new_status, ticket creation in a closed status and integrations (the Atera alert module, with
 * source 'atera') all come here, so closing always sets dateclosed, records an action and emits
 * TicketEvents.closed inside the caller's transaction; reopening clears dateclosed and emits reopened.
 */

export { STATUS_CLOSED, STATUS_OPEN };

export type StatusRow = Row<'status'>;

/** Who changes the status: an Actor (its role is not needed here). */
export type StatusActor = Pick<Actor, 'kind' | 'id' | 'name'>;

export interface StatusChangeOptions {
  /** Note of the action that records the change (default: "Status changed from X to Y"). */
  note?: string | null;
  /** Set by integrations ('atera'), passed on to the event so a handler does not echo the change back. */
  source?: string;
  /**
   * When the change comes with a user's action (POST /Actions), that action is the record of the change:
   * its fields. Without it, a system action ("Status Change") records the change, and nothing is
   * recorded when the status does not change.
   */
  action?: { outcome?: string | null; hiddenfromuser?: boolean; who?: string | null };
}

export type StatusTransition = 'closed' | 'reopened' | 'changed' | 'unchanged';

export interface StatusChangeResult {
  /** The ticket row after the change. */
  ticket: Row<'ticket'>;
  oldStatusId: number | null;
  transition: StatusTransition;
  /** The action recording the change (or the user's action); null when nothing was recorded. */
  actionId: number | null;
}

/** Ids of the closed statuses (Status.type = 1). */
export async function closedStatusIds(db: Kysely<DB>): Promise<number[]> {
  const rows = await db.selectFrom('status').select('id').where('type', '=', STATUS_CLOSED).orderBy('id').execute();
  return rows.map((r) => r.id);
}

/** The status an integration closes tickets with: the first closed status by sequence. */
export async function defaultClosedStatus(db: Kysely<DB>): Promise<StatusRow> {
  const row = await db
    .selectFrom('status')
    .selectAll()
    .where('type', '=', STATUS_CLOSED)
    .orderBy('sequence')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  if (!row) throw new AppError('conflict', 'No closed status exists: add a Status with type 1 (closed)');
  return row;
}

/** The status of a new ticket: the open status named "New", else the first open status by sequence. */
export async function defaultOpenStatus(db: Kysely<DB>): Promise<StatusRow> {
  const row = await db
    .selectFrom('status')
    .selectAll()
    .where('type', '=', STATUS_OPEN)
    .orderBy(sql`lower(name) = 'new'`, 'desc')
    .orderBy('sequence')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  if (!row) throw new AppError('conflict', 'No open status exists: add a Status with type 0 (open)');
  return row;
}

function describeChange(from: StatusRow | null, to: StatusRow): string {
  return from ? `Status changed from ${from.name} to ${to.name}` : `Ticket created with status ${to.name}`;
}

/**
 * Moves a ticket to `newStatusId` inside `tx` (the caller's transaction; use no other handle in it).
 * Open → closed: sets dateclosed, records an action, emits closed. Closed → open: clears dateclosed,
 * records an action, emits reopened. Open → open or closed → closed with another status: records an
 * action, no event. The same status: nothing changes and nothing is emitted (an `opts.action` is still
 * recorded). The ticket row is locked, so two concurrent closes emit once.
 */
export async function changeTicketStatus(
  ctx: Pick<AppContext, 'clock' | 'ticketEvents'>,
  tx: Kysely<DB>,
  ticketId: number,
  newStatusId: number,
  actor: StatusActor,
  opts: StatusChangeOptions = {},
): Promise<StatusChangeResult> {
  const ticket = await tx.selectFrom('ticket').selectAll().where('id', '=', ticketId).forUpdate().executeTakeFirst();
  if (!ticket) throw notFound('Ticket', ticketId);
  const statuses = await tx
    .selectFrom('status')
    .selectAll()
    .where('id', 'in', [ticket.status_id, newStatusId])
    .execute();
  const to = statuses.find((s) => s.id === newStatusId);
  if (!to)
    throw new AppError('validation', `status_id: status ${newStatusId} does not exist`, [
      { path: 'status_id', message: `status ${newStatusId} does not exist` },
    ]);
  const from = statuses.find((s) => s.id === ticket.status_id) ?? null;
  return applyStatusChange(ctx, tx, ticket, from, to, actor, opts);
}

/**
 * The transition itself, for a ticket already loaded (and locked) by the caller. `from` null means the
 * ticket was just created in status `to` (counted as a change from open). Prefer changeTicketStatus.
 */
export async function applyStatusChange(
  ctx: Pick<AppContext, 'clock' | 'ticketEvents'>,
  tx: Kysely<DB>,
  ticket: Row<'ticket'>,
  from: StatusRow | null,
  to: StatusRow,
  actor: StatusActor,
  opts: StatusChangeOptions = {},
): Promise<StatusChangeResult> {
  const now = ctx.clock.now().toISOString();
  const wasClosed = from?.type === STATUS_CLOSED;
  const isClosed = to.type === STATUS_CLOSED;
  const changed = from === null || from.id !== to.id;
  const transition: StatusTransition =
    isClosed && !wasClosed ? 'closed' : wasClosed && !isClosed ? 'reopened' : changed ? 'changed' : 'unchanged';

  let row = ticket;
  if (changed) {
    row = await tx
      .updateTable('ticket')
      .set({
        status_id: to.id,
        updated_at: now,
        ...(transition === 'closed' ? { dateclosed: now } : transition === 'reopened' ? { dateclosed: null } : {}),
      })
      .where('id', '=', ticket.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  let actionId: number | null = null;
  if (changed || opts.action) {
    const action = await tx
      .insertInto('action')
      .values({
        ticket_id: ticket.id,
        outcome: opts.action ? (opts.action.outcome ?? null) : 'Status Change',
        note: opts.note !== undefined ? opts.note : opts.action ? null : describeChange(from, to),
        new_status: to.id,
        old_status: from?.id ?? null,
        hiddenfromuser: opts.action?.hiddenfromuser ?? false,
        who: opts.action?.who ?? actor.name,
        who_agentid: actor.kind === 'agent' ? actor.id : null,
        is_system: !opts.action,
        datetime: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    actionId = action.id;
    if (!changed) await tx.updateTable('ticket').set({ updated_at: now }).where('id', '=', ticket.id).execute();
  }

  if (transition === 'closed' || transition === 'reopened') {
    const event: TicketClosedEvent = {
      ticket: row,
      by: { kind: actor.kind, id: actor.id, name: actor.name },
      ...(opts.source ? { source: opts.source } : {}),
    };
    if (transition === 'closed') await ctx.ticketEvents.emitClosed(tx, event);
    else await ctx.ticketEvents.emitReopened(tx, event);
  }
  return { ticket: row, oldStatusId: from?.id ?? null, transition, actionId };
}
