import type { HaloResource } from '../../http/halo-resource.js';
import { siteOutput, siteQuery, siteWrite } from './schemas.js';
import { deleteSite, getSite, listSites, saveSites } from './sites.js';

export const siteResource: HaloResource<typeof siteQuery, typeof siteWrite, typeof siteOutput> = {
  path: 'Site',
  tag: 'Sites',
  listKey: 'sites',
  query: siteQuery,
  write: siteWrite,
  output: siteOutput,
  list: listSites,
  get: (ctx, id) => getSite(ctx, id),
  save: saveSites,
  remove: (ctx, id) => deleteSite(ctx, id),
};
