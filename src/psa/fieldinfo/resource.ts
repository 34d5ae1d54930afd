import type { HaloResource } from '../../http/halo-resource.js';
import { deleteFieldInfo, getFieldInfo, listFieldInfo, saveFieldInfo } from './fieldinfo.js';
import { fieldInfoOutput, fieldInfoQuery, fieldInfoWrite } from './schemas.js';

/** Halo /FieldInfo: custom field definitions, a bare array. */
export const fieldInfoResource: HaloResource<typeof fieldInfoQuery, typeof fieldInfoWrite, typeof fieldInfoOutput> = {
  path: 'FieldInfo',
  tag: 'Custom fields',
  listKey: 'fieldinfo',
  bareArray: true,
  adminWrite: true,
  query: fieldInfoQuery,
  write: fieldInfoWrite,
  output: fieldInfoOutput,
  list: listFieldInfo,
  get: (ctx, id) => getFieldInfo(ctx, id),
  save: saveFieldInfo,
  remove: (ctx, id) => deleteFieldInfo(ctx, id),
};
