import { z } from 'zod';
import { optionalId, text } from '../common.js';

/** Halo /TopLevel (schema Tree): the top of the customer tree, e.g. "Customers" or a region. */
export const toplevelOutput = z.object({
  id: z.number(),
  name: z.string(),
  inactive: z.boolean(),
});
export type ToplevelOutput = z.infer<typeof toplevelOutput>;

export const toplevelWrite = z.object({
  id: optionalId,
  name: text().trim().min(1, 'must not be empty').optional(),
  inactive: z.boolean().optional(),
});
export type ToplevelWrite = z.infer<typeof toplevelWrite>;

export const toplevelQuery = {};
