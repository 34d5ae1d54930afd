import type { HaloResource } from '../../http/halo-resource.js';
import { toplevelOutput, toplevelQuery, toplevelWrite } from './schemas.js';
import { deleteToplevel, getToplevel, listToplevels, saveToplevels } from './toplevels.js';

/** Halo returns a bare array unless pageinate=true; the envelope key is then `tree` (schema Tree). */
export const toplevelResource: HaloResource<typeof toplevelQuery, typeof toplevelWrite, typeof toplevelOutput> = {
  path: 'TopLevel',
  tag: 'Top levels',
  listKey: 'tree',
  bareArray: true,
  adminWrite: true,
  query: toplevelQuery,
  write: toplevelWrite,
  output: toplevelOutput,
  list: listToplevels,
  get: (ctx, id) => getToplevel(ctx, id),
  save: saveToplevels,
  remove: (ctx, id) => deleteToplevel(ctx, id),
};
