import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { ateraRoutes } from '../../integrations/atera/routes.js';
import { clientResource } from '../../psa/customers/resource.js';
import { registerHaloResource } from '../halo-resource.js';
import { directoryRoutes } from './directory.js';
import { metricsRoutes } from './metrics.js';
import { ticketRoutes } from './tickets.js';

/** The Halo-compatible PSA resources and the integrations' APIs. */
export function psaRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerHaloResource(app, ctx, clientResource);
  directoryRoutes(app, ctx);
  ticketRoutes(app, ctx);
  ateraRoutes(app, ctx);
  metricsRoutes(app, ctx);
}
