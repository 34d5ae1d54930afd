import { z } from 'zod';
import { qInt } from '../../../http/halo-query.js';
import { optionalId, text } from '../../common.js';

export const fieldType = z.enum(['text', 'number', 'date', 'boolean'], {
  error: "must be one of 'text', 'number', 'date', 'boolean'",
});

/** Halo /Field: the definition of an asset field ("Serial Number", "Last Seen"...) whose values assets carry. */
export const assetFieldOutput = z.object({
  id: z.number(),
  name: z.string(),
  type: fieldType,
  sequence: z.number(),
});
export type AssetFieldOutput = z.infer<typeof assetFieldOutput>;

export const assetFieldWrite = z.object({
  id: optionalId,
  name: text(200).trim().min(1, 'must not be empty').optional(),
  type: fieldType.optional(),
  sequence: z.number().int().min(0).max(100_000).optional(),
});
export type AssetFieldWrite = z.infer<typeof assetFieldWrite>;

export const assetFieldQuery = {
  /** Halo: the fields of one asset type. */
  type_id: qInt,
};
