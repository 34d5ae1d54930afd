import { z } from 'zod';
import { qPositiveInt, qString } from '../../http/halo-query.js';
import { fk, nullableText, optionalId, text } from '../common.js';

/**
 * Halo /IntegrationError. Keel names the integration by `module` text ('atera') where Halo has an int
 * `module_id`, and records the sync `run_id`. `entity_id` is the external or local id as text.
 */
export const integrationErrorOutput = z.object({
  id: z.number(),
  module: z.string(),
  entity_type: z.string().nullable(),
  entity_id: z.string().nullable(),
  entity_name: z.string().nullable(),
  error: z.string(),
  date: z.string(),
  run_id: z.number().nullable(),
});
export type IntegrationErrorOutput = z.infer<typeof integrationErrorOutput>;

export const integrationErrorWrite = z.object({
  id: optionalId,
  module: text(100).trim().min(1, 'must not be empty').optional(),
  entity_type: nullableText(100).optional(),
  entity_id: z
    .union([z.string().max(255, 'must be at most 255 characters'), z.number().int()])
    .nullable()
    .transform((v) => (v === null ? null : String(v)))
    .optional(),
  entity_name: nullableText(500).optional(),
  error: text(10_000).min(1, 'must not be empty').optional(),
  run_id: fk.nullable().optional(),
});
export type IntegrationErrorWrite = z.infer<typeof integrationErrorWrite>;

export const integrationErrorQuery = {
  module: qString,
  entity_type: qString,
  run_id: qPositiveInt,
};
export type IntegrationErrorQuery = {
  [K in keyof typeof integrationErrorQuery]?: Exclude<z.output<(typeof integrationErrorQuery)[K]>, undefined>;
};
