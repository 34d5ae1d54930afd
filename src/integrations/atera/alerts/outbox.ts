import type { Kysely } from 'kysely';
import type { AppContext } from '../../../app/context.js';
import { AppError } from '../../../core/errors.js';
import type { DB } from '../../../db/schema.js';
import { addSystemNote } from '../../../psa/tickets/internal.js';
import type { AteraClient } from '../client/index.js';
import { ateraClientFor, loadAteraSettings } from '../settings/settings.js';

export const RESOLVE_QUEUE = 'atera.resolve';

/**
 * Ticket closed in Keel → alert resolved in Atera, through an outbox: the close writes one outbox row
 * per open alert of the ticket in the same transaction (so the intent commits with the close or not
 * at all), and a job makes the call later, never inside the user's request. Closes that came from
 * Atera itself (source 'atera') are not echoed back.
 */
export function registerAlertCloseHandler(ctx: AppContext): void {
  ctx.ticketEvents.onClosed(async (tx, event) => {
    if (event.source === 'atera' || !event.ticket.isalert) return;
    const alerts = await tx
      .selectFrom('atera_alert')
      .select('alert_id')
      .where('ticket_id', '=', event.ticket.id)
      .where('state', 'in', ['open', 'snoozed'])
      .execute();
    if (alerts.length === 0) return;
    const settings = await loadAteraSettings(tx);
    await tx
      .insertInto('alert_outbox')
      .values(
        alerts.map((a) => ({
          alert_id: a.alert_id,
          ticket_id: event.ticket.id,
          action: settings.atera_alert_close_action,
        })),
      )
      .onConflict((oc) => oc.columns(['alert_id', 'action']).doNothing())
      .execute();
  });
}

const STALE_MS = 5 * 60_000;

/**
 * Hands due outbox rows to the job queue (pending → queued, a compare-and-set, so with several
 * workers each row is queued once) and puts back rows whose job was lost (a worker killed mid-call).
 * Runs on every scheduler tick.
 */
export async function sweepOutbox(ctx: AppContext, now: Date): Promise<number> {
  const stale = new Date(now.getTime() - STALE_MS).toISOString();
  await ctx.db
    .updateTable('alert_outbox')
    .set({ status: 'pending', updated_at: now.toISOString() })
    .where('status', 'in', ['queued', 'sending'])
    .where('updated_at', '<', stale)
    .execute();
  if (!ctx.jobs) return 0;
  let total = 0;
  for (;;) {
    const claimed = await ctx.db
      .updateTable('alert_outbox')
      .set({ status: 'queued', updated_at: now.toISOString() })
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('alert_outbox')
          .select('id')
          .where('status', '=', 'pending')
          .where('next_attempt_at', '<=', now.toISOString())
          .orderBy('id')
          .limit(1000),
      )
      .where('status', '=', 'pending')
      .returning('id')
      .execute();
    if (claimed.length)
      await ctx.jobs.sendMany(
        RESOLVE_QUEUE,
        claimed.map((c) => ({ outbox_id: c.id })),
      );
    total += claimed.length;
    if (claimed.length < 1000) return total;
  }
}

/** Back-off between attempts: 30 s doubling, at most an hour. */
export const backoffMs = (attempts: number): number => Math.min(3_600_000, 30_000 * 2 ** Math.max(0, attempts - 1));

/**
 * The job: makes the call for one outbox row, records the outcome on the row and on the ticket.
 * `takeOver` (the queue's retry of a job whose worker died) also claims a row left 'sending': without it
 * that row would wait for the stale sweep (minutes). The attempt count then makes it look in Atera first.
 */
export async function processOutboxRow(
  ctx: AppContext,
  outboxId: number,
  injected?: AteraClient,
  opts: { takeOver?: boolean } = {},
): Promise<void> {
  const now = ctx.clock.now();
  const row = await ctx.db
    .updateTable('alert_outbox')
    .set((eb) => ({ status: 'sending', attempts: eb('attempts', '+', 1), updated_at: now.toISOString() }))
    .where('id', '=', outboxId)
    .where('status', 'in', opts.takeOver ? ['queued', 'pending', 'sending'] : ['queued', 'pending'])
    .returningAll()
    .executeTakeFirst();
  if (!row) return;
  const verb = row.action === 'delete' ? 'deleted' : 'resolved';
  const finish = async (db: Kysely<DB>, status: 'done' | 'gone', note: string) => {
    await db
      .updateTable('alert_outbox')
      .set({
        status,
        done_at: ctx.clock.now().toISOString(),
        updated_at: ctx.clock.now().toISOString(),
        last_error: null,
      })
      .where('id', '=', row.id)
      .execute();
    await db
      .updateTable('atera_alert')
      .set({
        state: status === 'gone' ? 'deleted' : verb === 'deleted' ? 'deleted' : 'resolved',
        resolved_at: ctx.clock.now().toISOString(),
      })
      .where('alert_id', '=', row.alert_id)
      .execute();
    if (row.ticket_id) await addSystemNote(db, row.ticket_id, note, ctx.clock.now().toISOString());
  };
  try {
    const client = injected ?? (await ateraClientFor(ctx));
    // After an earlier attempt the call may already have reached Atera: look before calling again.
    if (row.attempts > 1) {
      const current = await client.getAlert(row.alert_id);
      if (current === null)
        return void (await ctx.db
          .transaction()
          .execute((tx) =>
            finish(tx, 'gone', `Atera no longer has alert ${row.alert_id}; nothing left to ${row.action}.`),
          ));
      if (current.Archived && row.action === 'resolve')
        return void (await ctx.db
          .transaction()
          .execute((tx) => finish(tx, 'done', `Alert ${row.alert_id} is resolved in Atera.`)));
    }
    if (row.action === 'delete') await client.deleteAlert(row.alert_id);
    else await client.resolveAlert(row.alert_id);
    await ctx.db
      .transaction()
      .execute((tx) =>
        finish(tx, 'done', `Alert ${row.alert_id} was ${verb} in Atera because this ticket was closed.`),
      );
  } catch (e) {
    if (e instanceof AppError && e.code === 'atera_not_found') {
      await ctx.db
        .transaction()
        .execute((tx) =>
          finish(tx, 'gone', `Atera no longer has alert ${row.alert_id}; it was not ${verb} (nothing to retry).`),
        );
      return;
    }
    const message = e instanceof AppError ? e.message : `unexpected error: ${(e as Error).message}`;
    const next = new Date(ctx.clock.now().getTime() + backoffMs(row.attempts));
    await ctx.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('alert_outbox')
        .set({
          status: 'pending',
          last_error: message,
          next_attempt_at: next.toISOString(),
          updated_at: ctx.clock.now().toISOString(),
        })
        .where('id', '=', row.id)
        .execute();
      if (row.ticket_id && row.attempts === 1) {
        await addSystemNote(
          tx,
          row.ticket_id,
          `Could not ${row.action} alert ${row.alert_id} in Atera: ${message}. Keel keeps retrying (next at ${next.toISOString()}).`,
          ctx.clock.now().toISOString(),
        );
      }
    });
  }
}
