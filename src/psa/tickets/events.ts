import type { Kysely } from 'kysely';
import type { DB, Row } from '../../db/schema.js';

export interface TicketClosedEvent {
  ticket: Row<'ticket'>;
  /** Who closed it ('system' when the close came from an integration, e.g. an Atera resolve). */
  by: { kind: 'agent' | 'application' | 'system'; id: number | null; name: string };
  /** Set when an integration closed the ticket, so it does not echo the close back to where it came from. */
  source?: string;
}

export type TicketClosedHandler = (tx: Kysely<DB>, event: TicketClosedEvent) => Promise<void>;

/**
 * The one place a ticket close becomes observable. Every way of closing a ticket (POST /Tickets with a
 * closed status, POST /Actions with new_status, the UI, an integration) goes through the tickets use
 * case, which calls emitClosed inside the same transaction that sets dateclosed. Handlers write their
 * own rows (e.g. an outbox row to resolve the Atera alert) in that transaction, so a close and its
 * consequences commit or roll back together.
 */
export class TicketEvents {
  private readonly closed: TicketClosedHandler[] = [];
  private readonly reopened: TicketClosedHandler[] = [];

  onClosed(handler: TicketClosedHandler): void {
    this.closed.push(handler);
  }

  onReopened(handler: TicketClosedHandler): void {
    this.reopened.push(handler);
  }

  async emitClosed(tx: Kysely<DB>, event: TicketClosedEvent): Promise<void> {
    for (const h of this.closed) await h(tx, event);
  }

  async emitReopened(tx: Kysely<DB>, event: TicketClosedEvent): Promise<void> {
    for (const h of this.reopened) await h(tx, event);
  }
}
