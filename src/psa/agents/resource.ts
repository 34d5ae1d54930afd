import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../../app/context.js';
import { actorOf } from '../../http/auth-hook.js';
import type { HaloResource } from '../../http/halo-resource.js';
import { deleteAgent, getAgent, getCurrentAgent, listAgents, saveAgents } from './agents.js';
import { agentOutput, agentQuery, agentWrite } from './schemas.js';

/** Halo lists agents as a bare array (no paging params in its spec); pageinate=true gives the envelope. */
export const agentResource: HaloResource<typeof agentQuery, typeof agentWrite, typeof agentOutput> = {
  path: 'Agent',
  tag: 'Agents',
  listKey: 'agents',
  bareArray: true,
  adminWrite: true,
  query: agentQuery,
  write: agentWrite,
  output: agentOutput,
  list: listAgents,
  get: (ctx, id) => getAgent(ctx, id),
  save: saveAgents,
  remove: deleteAgent,
};

/** GET /api/Agent/me: registered before the resource so it never reaches the `/:id` route. */
export function agentMeRoute(app: FastifyInstance, ctx: AppContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/Agent/me',
    {
      schema: {
        tags: ['Agents'],
        summary: 'The agent the token belongs to (404 for API applications)',
        response: { 200: agentOutput },
      },
    },
    async (request) => getCurrentAgent(ctx, actorOf(request)),
  );
}
