import { z } from 'zod';
import { qBool, qInt, qString } from '../../http/halo-query.js';
import { fk, nullableText, optionalId, text } from '../common.js';
import { fieldValueInput, fieldValueOutput } from '../fields/values.js';

/** Halo /Client (schema Area): the customer. */
export const clientOutput = z.object({
  id: z.number(),
  name: z.string(),
  toplevel_id: z.number().nullable(),
  toplevel_name: z.string().nullable(),
  main_site_id: z.number().nullable(),
  main_site_name: z.string().nullable(),
  inactive: z.boolean(),
  ateraid: z.number().nullable(),
  notes: z.string().nullable(),
  website: z.string().nullable(),
  customfields: z.array(fieldValueOutput),
  datecreated: z.string(),
  alastupdate: z.string(),
});
export type ClientOutput = z.infer<typeof clientOutput>;

export const clientWrite = z.object({
  id: optionalId,
  name: text().trim().min(1, 'must not be empty').optional(),
  toplevel_id: fk.nullable().optional(),
  main_site_id: fk.nullable().optional(),
  inactive: z.boolean().optional(),
  ateraid: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable().optional(),
  notes: nullableText(10_000).optional(),
  website: nullableText().optional(),
  customfields: z.array(fieldValueInput).max(200).optional(),
  /** Halo: name of the site created with a new client (default "Main"). */
  newclient_sitename: text().trim().min(1).optional(),
});
export type ClientWrite = z.infer<typeof clientWrite>;

export const clientQuery = {
  toplevel_id: qInt,
  ateraid: qInt,
  search_name_only: qString,
  exclude_internal: qBool,
};
