import { z } from 'zod';
import { qInt } from '../../../http/halo-query.js';
import { fk, optionalId, text } from '../../common.js';

/** Halo /AssetType (schema Xtype): a kind of asset, its group, its fields and the field that identifies it. */
export const assetTypeOutput = z.object({
  id: z.number(),
  name: z.string(),
  assetgroup_id: z.number(),
  assetgroup_name: z.string().nullable(),
  keyfield_id: z.number().nullable(),
  keyfield_name: z.string().nullable(),
  inactive: z.boolean(),
  fields: z.array(z.object({ id: z.number(), name: z.string(), type: z.string() })),
});
export type AssetTypeOutput = z.infer<typeof assetTypeOutput>;

export const assetTypeWrite = z.object({
  id: optionalId,
  name: text().trim().min(1, 'must not be empty').optional(),
  assetgroup_id: fk.optional(),
  keyfield_id: fk.nullable().optional(),
  inactive: z.boolean().optional(),
  /**
   * The type's asset fields, as field ids (or `{id}` objects as Halo's TypeInfo list carries them).
   * A new type gets every asset field when this is left out; on update it replaces the list.
   */
  fields: z
    .array(z.union([fk, z.object({ id: fk })], { error: 'must be a field id or {id}' }))
    .max(500)
    .optional(),
});
export type AssetTypeWrite = z.infer<typeof assetTypeWrite>;

export const assetTypeQuery = {
  assetgroup_id: qInt,
};
