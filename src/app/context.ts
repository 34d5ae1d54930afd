import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.js';
import type { KeelConfig } from '../core/config.js';
import type { SecretBox } from '../core/crypto.js';
import type { Logger } from '../core/logger.js';
import type { Database } from '../db/database.js';
import type { DB } from '../db/schema.js';
import type { Jobs } from '../jobs/queue.js';
import { TicketEvents } from '../psa/tickets/events.js';

/**
 * Everything a use case may need, passed explicitly (DESIGN rule 8: no singletons), so a test builds
 * one with a real database and a simulated Atera, and the server builds one from the environment.
 */
export interface AppContext {
  database: Database;
  db: Kysely<DB>;
  config: KeelConfig;
  logger: Logger;
  secrets: SecretBox;
  clock: Clock;
  ticketEvents: TicketEvents;
  /** The job queue, once started (server and worker processes); CLI one-shots run work in-process instead. */
  jobs?: Jobs;
}

export function createContext(
  parts: Omit<AppContext, 'db' | 'ticketEvents'> & { ticketEvents?: TicketEvents },
): AppContext {
  return { ...parts, db: parts.database.db, ticketEvents: parts.ticketEvents ?? new TicketEvents() };
}

/** Who is acting: an agent who logged in or an API application, with its role. */
export interface Actor {
  kind: 'agent' | 'application' | 'system';
  id: number | null;
  name: string;
  role: 'admin' | 'technician';
}

export const SYSTEM_ACTOR: Actor = { kind: 'system', id: null, name: 'Keel', role: 'admin' };
