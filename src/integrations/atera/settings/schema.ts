import { z } from 'zod';
import { ateraAgentSchema } from '../client/schemas.js';

/** Atera agent fields a mapping may read (every field of AgentDto). */
export const ATERA_AGENT_FIELDS = Object.keys(ateraAgentSchema.shape) as (keyof typeof ateraAgentSchema.shape)[];

/** OSType is free text in Atera's API; these are the values seen in practice (reference §8). */
export const KNOWN_OSTYPES = ['Work Station', 'Server', 'Domain Controller', 'Mac', 'Linux'];

/** Values that mean "no real identifier": never used to match an asset (issue 5). */
export const DEFAULT_PLACEHOLDERS = [
  '',
  'To be filled by O.E.M.',
  'Default string',
  'System Serial Number',
  'None',
  'N/A',
  '0',
];

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

export const severityRule = z.object({ create_ticket: z.boolean(), priority_id: id.nullable() }).strict();
export type SeverityRule = z.infer<typeof severityRule>;

/** Alerts for this customer or site inside [starts_at, ends_at) are recorded, not ticketed, and re-checked when the window ends. */
export const maintenanceWindow = z
  .object({
    client_id: id.optional(),
    site_id: id.optional(),
    starts_at: z.iso.datetime({ offset: true, error: 'must be an ISO date-time such as 2026-01-01T22:00:00Z' }),
    ends_at: z.iso.datetime({ offset: true, error: 'must be an ISO date-time such as 2026-01-02T06:00:00Z' }),
    reason: z.string().max(500).optional(),
  })
  .strict()
  .refine((w) => w.client_id !== undefined || w.site_id !== undefined, { error: 'a window needs client_id or site_id' })
  .refine((w) => new Date(w.ends_at) > new Date(w.starts_at), {
    error: 'ends_at must be after starts_at',
    path: ['ends_at'],
  });
export type MaintenanceWindow = z.infer<typeof maintenanceWindow>;

/** What POST /api/Integration/Atera accepts: any subset of Halo's atera_* keys. Unknown keys are refused. */
export const settingsInput = z
  .object({
    atera_enabled: z.boolean(),
    atera_url: z.union([
      z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://app.atera.com' }),
      z.literal(''),
    ]),
    atera_apikey: z.string().max(4000),
    atera_toplevel: id.nullable(),
    atera_sitemappings: z.array(siteMapping).max(10_000),
    atera_devicetypes: z.array(z.string().min(1).max(100)).max(100),
    atera_defaultsite: id.nullable(),
    atera_defaultgroup: id.nullable(),
    atera_matchingfield: z.union([id, z.literal('inventory_number')]).nullable(),
    atera_fieldmappings: z.array(fieldMapping).max(200),
    atera_placeholders: z.array(z.string().max(200)).max(200),
    // The client's limits (issue 4: "Budget, attempts and timeouts are settings").
    atera_requests_per_minute: z.number().int().min(1).max(100_000),
    atera_timeout_seconds: z.number().min(1).max(300),
    atera_max_attempts: z.number().int().min(1).max(10),
    // The Integrator (issue 6).
    halointegrator_atera: z.boolean(),
    halointegrator_atera_entities: z
      .array(z.enum(['customers', 'assets', 'alerts'], { error: 'must be customers, assets or alerts' }))
      .max(3),
    atera_schedule_customers: z.string().min(1).max(100),
    atera_schedule_assets: z.string().min(1).max(100),
    atera_schedule_alerts: z.string().min(1).max(100),
    atera_schedule_timezone: z.string().min(1).max(64),
    atera_delete_devices: z.boolean(),
    atera_deactivation_threshold: z.number().min(0).max(100),
    atera_run_retention_days: z.number().int().min(1).max(3650),
    // Alerting (issue 7).
    atera_enable_alerting: z.boolean(),
    atera_alert_method: z.enum(['integrator', 'nhserver'], { error: 'must be integrator' }),
    atera_alert_type: id.nullable(),
    atera_alert_user: id.nullable(),
    atera_alert_close_action: z.enum(['resolve', 'delete'], { error: 'must be resolve or delete' }),
    atera_alert_severity_rules: z
      .object({ Information: severityRule, Warning: severityRule, Critical: severityRule })
      .partial()
      .strict(),
    atera_alert_dedupe: z.boolean(),
    atera_alert_close_only_untouched: z.boolean(),
    atera_alert_flap_minutes: z.number().int().min(0).max(10_080),
    atera_maintenance_windows: z.array(maintenanceWindow).max(1000),
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
  atera_requests_per_minute: number;
  atera_timeout_seconds: number;
  atera_max_attempts: number;
  halointegrator_atera: boolean;
  halointegrator_atera_entities: ('customers' | 'assets' | 'alerts')[];
  atera_schedule_customers: string;
  atera_schedule_assets: string;
  atera_schedule_alerts: string;
  atera_schedule_timezone: string;
  atera_delete_devices: boolean;
  atera_deactivation_threshold: number;
  atera_run_retention_days: number;
  atera_enable_alerting: boolean;
  atera_alert_method: 'integrator' | 'nhserver';
  atera_alert_type: number | null;
  atera_alert_user: number | null;
  atera_alert_close_action: 'resolve' | 'delete';
  atera_alert_severity_rules: Record<'Information' | 'Warning' | 'Critical', SeverityRule>;
  atera_alert_dedupe: boolean;
  atera_alert_close_only_untouched: boolean;
  atera_alert_flap_minutes: number;
  atera_maintenance_windows: MaintenanceWindow[];
}

/** Alerts are polled no faster than this (issue 6). */
export const MIN_ALERT_INTERVAL_MS = 30_000;

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
  'atera_requests_per_minute',
  'atera_timeout_seconds',
  'atera_max_attempts',
  'halointegrator_atera',
  'halointegrator_atera_entities',
  'atera_schedule_customers',
  'atera_schedule_assets',
  'atera_schedule_alerts',
  'atera_schedule_timezone',
  'atera_delete_devices',
  'atera_deactivation_threshold',
  'atera_run_retention_days',
  'atera_enable_alerting',
  'atera_alert_method',
  'atera_alert_type',
  'atera_alert_user',
  'atera_alert_close_action',
  'atera_alert_severity_rules',
  'atera_alert_dedupe',
  'atera_alert_close_only_untouched',
  'atera_alert_flap_minutes',
  'atera_maintenance_windows',
] as const;
