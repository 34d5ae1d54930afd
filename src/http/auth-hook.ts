import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor, AppContext } from '../app/context.js';
import { authenticate } from '../auth/tokens.js';
import { AppError } from '../core/errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
  interface FastifyContextConfig {
    /** Only admins may call this route (configuration, users, agents, applications). */
    adminOnly?: boolean;
    /** Reachable without a token (health, token, docs). */
    public?: boolean;
  }
}

export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new AppError('unauthorized', 'Send a bearer token: Authorization: Bearer <access_token>');
  return request.actor;
}

/**
 * Every /api route needs a bearer token unless it is marked public. Admin-only routes also need the
 * admin role. Runs before body parsing, so an unauthenticated caller never gets a body validated.
 */
export function installAuth(app: FastifyInstance, ctx: AppContext): void {
  app.decorateRequest('actor', null);
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    // Decide by the matched route's pattern, not the raw URL: `/metrics?x=1` and `/metrics/` (trailing
    // slashes are ignored by the router) reach the same route and must need the same token.
    const route = request.routeOptions.url;
    if (!route) return; // unknown route: let the 404 handler answer
    const url = route.toLowerCase();
    if (
      config?.public ||
      url.startsWith('/api/docs') ||
      !(url.startsWith('/api/') || url === '/api' || url === '/metrics')
    )
      return;
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw new AppError('unauthorized', 'Send a bearer token: Authorization: Bearer <access_token>');
    request.actor = await authenticate(ctx.db, ctx.clock.now(), match[1]!);
    if (config?.adminOnly && request.actor.role !== 'admin') {
      throw new AppError('forbidden', 'Only administrators can change configuration, users, agents and applications');
    }
  });
}
