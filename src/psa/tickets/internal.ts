import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';

/**
 * Trusted write paths for integrations (already validated data, many rows at once): creating tickets
 * in one multi-row insert and adding system notes. The public API goes through tickets.ts instead.
 */
export interface NewTicketRow {
  summary: string;
  details: string | null;
  tickettype_id: number;
  status_id: number;
  priority_id: number | null;
  client_id: number | null;
  site_id: number | null;
  user_id: number | null;
  dateoccurred: string;
  isalert: boolean;
  atera_alert_id: number | null;
  asset_id: number | null;
}

export async function insertTickets(
  tx: Kysely<DB>,
  rows: NewTicketRow[],
): Promise<{ id: number; atera_alert_id: number | null }[]> {
  if (rows.length === 0) return [];
  const inserted = await tx
    .insertInto('ticket')
    .values(rows.map(({ asset_id: _asset, ...r }) => ({ ...r, customfields: '{}' })))
    .returning(['id', 'atera_alert_id'])
    .execute();
  const links = rows.flatMap((r, i) =>
    r.asset_id !== null ? [{ ticket_id: inserted[i]!.id, asset_id: r.asset_id }] : [],
  );
  if (links.length)
    await tx
      .insertInto('ticket_asset')
      .values(links)
      .onConflict((oc) => oc.doNothing())
      .execute();
  return inserted;
}

export async function addSystemNote(
  tx: Kysely<DB>,
  ticketId: number,
  note: string,
  now: string,
  who = 'Atera RMM',
): Promise<void> {
  await tx
    .insertInto('action')
    .values({
      ticket_id: ticketId,
      outcome: 'Private Note',
      note,
      hiddenfromuser: true,
      who,
      is_system: true,
      datetime: now,
    })
    .execute();
  await tx.updateTable('ticket').set({ updated_at: now }).where('id', '=', ticketId).execute();
}

/** Whether a technician has worked the ticket: a public (non-system) action or an assigned agent. */
export async function ticketWorked(db: Kysely<DB>, ticketId: number): Promise<boolean> {
  const t = await db.selectFrom('ticket').select('agent_id').where('id', '=', ticketId).executeTakeFirst();
  if (t?.agent_id) return true;
  const a = await db
    .selectFrom('action')
    .select('id')
    .where('ticket_id', '=', ticketId)
    .where('is_system', '=', false)
    .where('hiddenfromuser', '=', false)
    .limit(1)
    .executeTakeFirst();
  return Boolean(a);
}
