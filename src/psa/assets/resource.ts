import type { HaloResource } from '../../http/halo-resource.js';
import { deleteAsset, getAsset, listAssets, saveAssets } from './assets.js';
import { assetOutput, assetQuery, assetWrite } from './schemas.js';

/** Technicians may create and update assets (not adminWrite): it is their daily work. */
export const assetResource: HaloResource<typeof assetQuery, typeof assetWrite, typeof assetOutput> = {
  path: 'Asset',
  tag: 'Assets',
  listKey: 'assets',
  query: assetQuery,
  write: assetWrite,
  output: assetOutput,
  list: listAssets,
  get: getAsset,
  save: saveAssets,
  remove: (ctx, id) => deleteAsset(ctx, id),
};
