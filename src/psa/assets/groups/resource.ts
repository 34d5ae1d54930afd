import type { HaloResource } from '../../../http/halo-resource.js';
import { deleteAssetGroup, getAssetGroup, listAssetGroups, saveAssetGroups } from './groups.js';
import { assetGroupOutput, assetGroupQuery, assetGroupWrite } from './schemas.js';

export const assetGroupResource: HaloResource<typeof assetGroupQuery, typeof assetGroupWrite, typeof assetGroupOutput> =
  {
    path: 'AssetGroup',
    tag: 'Asset configuration',
    listKey: 'assetgroups',
    bareArray: true,
    adminWrite: true,
    query: assetGroupQuery,
    write: assetGroupWrite,
    output: assetGroupOutput,
    list: listAssetGroups,
    get: (ctx, id) => getAssetGroup(ctx, id),
    save: saveAssetGroups,
    remove: (ctx, id) => deleteAssetGroup(ctx, id),
  };
