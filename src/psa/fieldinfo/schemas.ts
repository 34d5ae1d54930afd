import { z } from 'zod';
import { optionalId, text } from '../common.js';

export const fieldUsage = z.enum(['client', 'site', 'users', 'asset', 'ticket'], {
  error: "must be one of 'client', 'site', 'users', 'asset', 'ticket'",
});
const fieldType = z.enum(['text', 'number', 'date', 'boolean'], {
  error: "must be one of 'text', 'number', 'date', 'boolean'",
});

/**
 * Halo /FieldInfo: a custom field definition. `usage` says which records carry it (Halo numbers
 * entities; Keel names them). Values travel in each record's `customfields[]`.
 */
export const fieldInfoOutput = z.object({
  id: z.number(),
  name: z.string(),
  label: z.string(),
  type: fieldType,
  usage: fieldUsage,
});
export type FieldInfoOutput = z.infer<typeof fieldInfoOutput>;

export const fieldInfoWrite = z.object({
  id: optionalId,
  /** Internal name, e.g. `CFcontractRef`; unique per usage ignoring case. */
  name: text(200).trim().min(1, 'must not be empty').optional(),
  /** Shown to people; defaults to the name. */
  label: text(200).trim().min(1, 'must not be empty').optional(),
  type: fieldType.optional(),
  /** Required on create; cannot change afterwards (the values live on that entity's records). */
  usage: fieldUsage.optional(),
});
export type FieldInfoWrite = z.infer<typeof fieldInfoWrite>;

export const fieldInfoQuery = {
  usage: fieldUsage.optional(),
};
