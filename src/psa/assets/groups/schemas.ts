import { z } from 'zod';
import { optionalId, text } from '../../common.js';

/** Halo /AssetGroup (schema Generic): groups asset types ("Default Group", "Network"...). */
export const assetGroupOutput = z.object({
  id: z.number(),
  name: z.string(),
  inactive: z.boolean(),
});
export type AssetGroupOutput = z.infer<typeof assetGroupOutput>;

export const assetGroupWrite = z.object({
  id: optionalId,
  name: text().trim().min(1, 'must not be empty').optional(),
  inactive: z.boolean().optional(),
});
export type AssetGroupWrite = z.infer<typeof assetGroupWrite>;

export const assetGroupQuery = {};
