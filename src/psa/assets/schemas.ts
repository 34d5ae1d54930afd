import { z } from 'zod';
import { qInt, qString } from '../../http/halo-query.js';
import { fk, nullableText, optionalId } from '../common.js';
import { fieldValueInput, fieldValueOutput } from '../fields/values.js';

/** Halo /Asset (schema Device, list item Device_List): a device or other configuration item of a customer. */
export const assetOutput = z.object({
  id: z.number(),
  /** The asset tag. */
  inventory_number: z.string().nullable(),
  /** The identifying value shown in lists: the type's key field value unless set explicitly. */
  key_field: z.string().nullable(),
  client_id: z.number().nullable(),
  client_name: z.string().nullable(),
  site_id: z.number().nullable(),
  site_name: z.string().nullable(),
  assettype_id: z.number(),
  assettype_name: z.string().nullable(),
  assetgroup_name: z.string().nullable(),
  user_id: z.number().nullable(),
  username: z.string().nullable(),
  inactive: z.boolean(),
  atera_id: z.string().nullable(),
  notes: z.string().nullable(),
  /** Values of the type's asset fields (/Field), `[{id, name, type, value}]`. */
  fields: z.array(fieldValueOutput),
  customfields: z.array(fieldValueOutput),
  datecreated: z.string(),
  dlastupdate: z.string(),
});
export type AssetOutput = z.infer<typeof assetOutput>;

export const assetWrite = z.object({
  id: optionalId,
  inventory_number: nullableText(100).optional(),
  key_field: nullableText().optional(),
  client_id: fk.nullable().optional(),
  site_id: fk.nullable().optional(),
  assettype_id: fk.optional(),
  user_id: fk.nullable().optional(),
  inactive: z.boolean().optional(),
  atera_id: nullableText(100).optional(),
  /** Halo's Device carries the Atera id under both names; either is accepted. */
  ateraid: nullableText(100).optional(),
  notes: nullableText(10_000).optional(),
  fields: z.array(fieldValueInput).max(500).optional(),
  customfields: z.array(fieldValueInput).max(200).optional(),
});
export type AssetWrite = z.infer<typeof assetWrite>;

export const assetQuery = {
  client_id: qInt,
  site_id: qInt,
  assettype_id: qInt,
  assetgroup_id: qInt,
  user_id: qInt,
  /** Exact asset tag. */
  inventory_number: qString,
  atera_id: qString,
  /** `aterarmm`: only assets linked to an Atera device. Other integrations have no assets in Keel. */
  integration_type: z.string().max(50).optional(),
};
