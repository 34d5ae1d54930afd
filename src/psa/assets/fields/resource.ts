import type { HaloResource } from '../../../http/halo-resource.js';
import { deleteAssetField, getAssetField, listAssetFields, saveAssetFields } from './fields.js';
import { assetFieldOutput, assetFieldQuery, assetFieldWrite } from './schemas.js';

/** Halo /Field: asset field definitions, a bare array. */
export const assetFieldResource: HaloResource<typeof assetFieldQuery, typeof assetFieldWrite, typeof assetFieldOutput> =
  {
    path: 'Field',
    tag: 'Asset configuration',
    listKey: 'fields',
    bareArray: true,
    adminWrite: true,
    query: assetFieldQuery,
    write: assetFieldWrite,
    output: assetFieldOutput,
    list: listAssetFields,
    get: (ctx, id) => getAssetField(ctx, id),
    save: saveAssetFields,
    remove: (ctx, id) => deleteAssetField(ctx, id),
  };
