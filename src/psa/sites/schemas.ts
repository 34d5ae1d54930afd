import { z } from 'zod';
import { qInt } from '../../http/halo-query.js';
import { fk, nullableText, optionalId, text } from '../common.js';
import { fieldValueInput, fieldValueOutput } from '../fields/values.js';

/** Halo /Site (schema Site, list item Site_List): a customer's location. */
export const siteOutput = z.object({
  id: z.number(),
  name: z.string(),
  client_id: z.number(),
  client_name: z.string().nullable(),
  inactive: z.boolean(),
  ateraid: z.number().nullable(),
  address: z.string().nullable(),
  city: z.string().nullable(),
  state: z.string().nullable(),
  postcode: z.string().nullable(),
  country: z.string().nullable(),
  /** Halo's name for the phone number. */
  phonenumber: z.string().nullable(),
  /** The same value under the name the issue uses. */
  phone: z.string().nullable(),
  notes: z.string().nullable(),
  customfields: z.array(fieldValueOutput),
  datecreated: z.string(),
  slastupdate: z.string(),
});
export type SiteOutput = z.infer<typeof siteOutput>;

export const siteWrite = z.object({
  id: optionalId,
  name: text().trim().min(1, 'must not be empty').optional(),
  client_id: fk.optional(),
  inactive: z.boolean().optional(),
  ateraid: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable().optional(),
  address: nullableText(1000).optional(),
  city: nullableText().optional(),
  state: nullableText().optional(),
  postcode: nullableText(50).optional(),
  country: nullableText().optional(),
  phonenumber: nullableText(100).optional(),
  /** Accepted as a synonym of phonenumber. */
  phone: nullableText(100).optional(),
  notes: nullableText(10_000).optional(),
  customfields: z.array(fieldValueInput).max(200).optional(),
});
export type SiteWrite = z.infer<typeof siteWrite>;

export const siteQuery = {
  client_id: qInt,
  site_id: qInt,
  toplevel_id: qInt,
  ateraid: qInt,
};
