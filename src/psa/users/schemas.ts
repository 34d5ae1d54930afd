import { z } from 'zod';
import { qInt } from '../../http/halo-query.js';
import { fk, nullableText, optionalId, text } from '../common.js';
import { fieldValueInput, fieldValueOutput } from '../fields/values.js';

/** Halo /Users (schema Users, list item Users_List): a customer's end user (contact). */
export const userOutput = z.object({
  id: z.number(),
  name: z.string(),
  firstname: z.string().nullable(),
  surname: z.string().nullable(),
  emailaddress: z.string().nullable(),
  login: z.string().nullable(),
  phonenumber: z.string().nullable(),
  client_id: z.number().nullable(),
  client_name: z.string().nullable(),
  site_id: z.number().nullable(),
  site_name: z.string().nullable(),
  inactive: z.boolean(),
  notes: z.string().nullable(),
  customfields: z.array(fieldValueOutput),
  datecreated: z.string(),
});
export type UserOutput = z.infer<typeof userOutput>;

export const userWrite = z.object({
  id: optionalId,
  /** Full name; on create it defaults to "firstname surname" when only those are sent. */
  name: text().trim().min(1, 'must not be empty').optional(),
  firstname: nullableText().optional(),
  surname: nullableText().optional(),
  emailaddress: nullableText(320).optional(),
  login: nullableText().optional(),
  phonenumber: nullableText(100).optional(),
  client_id: fk.nullable().optional(),
  site_id: fk.nullable().optional(),
  inactive: z.boolean().optional(),
  notes: nullableText(10_000).optional(),
  customfields: z.array(fieldValueInput).max(200).optional(),
});
export type UserWrite = z.infer<typeof userWrite>;

export const userQuery = {
  client_id: qInt,
  site_id: qInt,
  toplevel_id: qInt,
  /** Users linked to that asset as its user. */
  asset_id: qInt,
};
