import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { integrationErrorResource } from '../../psa/integration-errors/resource.js';
import { priorityResource, statusResource, ticketTypeResource } from '../../psa/lookups/resource.js';
import { actionResource, ticketResource } from '../../psa/tickets/resource.js';
import { registerHaloResource } from '../halo-resource.js';

/** Ticket types, statuses, priorities, tickets, actions and integration errors. */
export function ticketRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerHaloResource(app, ctx, ticketTypeResource);
  registerHaloResource(app, ctx, statusResource);
  registerHaloResource(app, ctx, priorityResource);
  registerHaloResource(app, ctx, ticketResource);
  registerHaloResource(app, ctx, actionResource);
  registerHaloResource(app, ctx, integrationErrorResource);
}
