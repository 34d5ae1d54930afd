import { z } from 'zod';
import { ateraAgentSchema } from '../client/schemas.js';

/** Atera agent fields a mapping may read (every field of AgentDto). */
export const ATERA_AGENT_FIELDS = Object.keys(ateraAgentSchema.shape) as (keyof typeof ateraAgentSchema.shape)[];

/** OSType is free text in Atera's API; these are the values seen in practice (reference §8). */
export const KNOWN_OSTYPES = ['Work Station', 'Server', 'Domain Controller', 'Mac', 'Linux'];

/** Values that mean "no real identifier": never used to match an asset (issue 5). */
export const DEFAULT_PLACEHOLDERS = ['', 'To be filled by O.E.M.', 'Default string', 'System Serial Number', 'None', 'N/A', '0'];

/** Targets of an asset_field mapping: an asset field id, or the asset's own inventory number (its name). */
export const fieldMapping = z.object({
  atera_field: z.enum(ATERA_AGENT_FIELDS as [string, ...string[]], { error: 'is not a field of an Atera agent' }),
  field_type: z.enum(['asset_field', 'custom_field'], { error: 'must be asset_field or custom_field' }),
  field_id: z.union([z.number().int().min(1).max(2_147_483_647), z.literal('inventory_number')]),
  only_new_or_empty: z.boolean().default(false),
});
export type FieldMapping = z.infer<typeof fieldMapping>;

export const siteMapping = z.object({
  site_id: z.number().int().min(1).max(2_147_483_647),
  atera_customer_id: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
});
export type SiteMapping = z.infer<typeof siteMapping>;

const id = z.number().int().min(1).max(2_147_483_647);

/** What POST /api/Integration/Atera accepts: any subset of Halo's atera_* keys. Unknown keys are refused. */
export const settingsInput = z
  .object({
    atera_enabled: z.boolean(),
    atera_url: z.union([z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://app.atera.com' }), z.literal('')]),
    atera_apikey: z.string().max(4000),
    atera_toplevel: id.nullable(),
    atera_sitemappings: z.array(siteMapping).max(10_000),
    atera_devicetypes: z.array(z.string().min(1).max(100)).max(100),
    atera_defaultsite: id.nullable(),
    atera_defaultgroup: id.nullable(),
    atera_matchingfield: z.union([id, z.literal('inventory_number')]).nullable(),
    atera_fieldmappings: z.array(fieldMapping).max(200),
    atera_placeholders: z.array(z.string().max(200)).max(200),
  })
  .partial()
  .strict();
export type SettingsInput = z.infer<typeof settingsInput>;

/** The resolved settings every use case works with (stored values over defaults). */
export interface AteraSettings {
  atera_enabled: boolean;
  atera_url: string;
  atera_toplevel: number | null;
  atera_sitemappings: SiteMapping[];
  atera_devicetypes: string[];
  atera_defaultsite: number | null;
  atera_defaultgroup: number | null;
  atera_matchingfield: number | 'inventory_number' | null;
  atera_fieldmappings: FieldMapping[];
  atera_placeholders: string[];
}

export const STORED_KEYS = [
  'atera_enabled',
  'atera_url',
  'atera_toplevel',
  'atera_sitemappings',
  'atera_devicetypes',
  'atera_defaultsite',
  'atera_defaultgroup',
  'atera_matchingfield',
  'atera_fieldmappings',
  'atera_placeholders',
] as const;
