import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { agentMeRoute, agentResource } from '../../psa/agents/resource.js';
import { assetFieldResource } from '../../psa/assets/fields/resource.js';
import { assetGroupResource } from '../../psa/assets/groups/resource.js';
import { assetResource } from '../../psa/assets/resource.js';
import { assetTypeResource } from '../../psa/assets/types/resource.js';
import { fieldInfoResource } from '../../psa/fieldinfo/resource.js';
import { siteResource } from '../../psa/sites/resource.js';
import { toplevelResource } from '../../psa/toplevels/resource.js';
import { userResource } from '../../psa/users/resource.js';
import { registerHaloResource } from '../halo-resource.js';

/** Sites, top levels, users, agents, asset groups/types/fields, assets and custom field definitions. */
export function directoryRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerHaloResource(app, ctx, siteResource);
  registerHaloResource(app, ctx, toplevelResource);
  registerHaloResource(app, ctx, userResource);
  // /Agent/me before the generic /Agent/:id (a static segment wins in Fastify's router anyway).
  agentMeRoute(app, ctx);
  registerHaloResource(app, ctx, agentResource);
  registerHaloResource(app, ctx, assetGroupResource);
  registerHaloResource(app, ctx, assetTypeResource);
  registerHaloResource(app, ctx, assetFieldResource);
  registerHaloResource(app, ctx, fieldInfoResource);
  registerHaloResource(app, ctx, assetResource);
}
