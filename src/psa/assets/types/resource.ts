import type { HaloResource } from '../../../http/halo-resource.js';
import { assetTypeOutput, assetTypeQuery, assetTypeWrite } from './schemas.js';
import { deleteAssetType, getAssetType, listAssetTypes, saveAssetTypes } from './types.js';

/** Halo /AssetType: a bare array (Halo has no paging for it; pageinate=true still gives the envelope). */
export const assetTypeResource: HaloResource<typeof assetTypeQuery, typeof assetTypeWrite, typeof assetTypeOutput> = {
  path: 'AssetType',
  tag: 'Asset configuration',
  listKey: 'assettypes',
  bareArray: true,
  adminWrite: true,
  query: assetTypeQuery,
  write: assetTypeWrite,
  output: assetTypeOutput,
  list: listAssetTypes,
  get: (ctx, id) => getAssetType(ctx, id),
  save: saveAssetTypes,
  remove: (ctx, id) => deleteAssetType(ctx, id),
};
