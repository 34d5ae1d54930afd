import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/context.js';

/** Ticket types, statuses, priorities, tickets, actions and integration errors. */
export function ticketRoutes(_app: FastifyInstance, _ctx: AppContext): void {}
