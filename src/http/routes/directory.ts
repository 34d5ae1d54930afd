import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/context.js';

/** Sites, top levels, users, agents, asset groups/types/fields, assets and custom field definitions. */
export function directoryRoutes(_app: FastifyInstance, _ctx: AppContext): void {}
