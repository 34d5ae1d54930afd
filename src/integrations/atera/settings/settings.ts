import type { Kysely } from 'kysely';
import type { AppContext } from '../../../app/context.js';
import { AppError, type ErrorDetail } from '../../../core/errors.js';
import type { DB } from '../../../db/schema.js';
import { minimumGapMs, parseSchedule } from '../../../jobs/schedule.js';
import { hasSecret, readSecret, readSettings, writeSecret, writeSettings } from '../../settings-store.js';
import { AteraClient, type AteraClientOptions } from '../client/index.js';
import {
  type AteraSettings,
  DEFAULT_PLACEHOLDERS,
  type FieldMapping,
  KNOWN_OSTYPES,
  MIN_ALERT_INTERVAL_MS,
  type SettingsInput,
  STORED_KEYS,
} from './schema.js';

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const INTEGRATION = 'atera';
const APIKEY = 'atera_apikey';
/** OSType values Keel has seen in Atera's data; remembered so settings can be validated without calling Atera. */
const SEEN_OSTYPES = 'atera_seen_devicetypes';

/** The default field mappings (issue 5): Atera agent field → Keel asset field by name. */
const DEFAULT_MAPPINGS: { atera_field: string; target: string }[] = [
  { atera_field: 'MachineName', target: 'inventory_number' },
  { atera_field: 'VendorSerialNumber', target: 'Serial Number' },
  { atera_field: 'Vendor', target: 'Manufacturer' },
  { atera_field: 'VendorBrandModel', target: 'Model' },
  { atera_field: 'OS', target: 'Operating System' },
  { atera_field: 'IpAddresses', target: 'IP Address' },
  { atera_field: 'MacAddresses', target: 'MAC Address' },
  { atera_field: 'LastLoginUser', target: 'Last Logged In User' },
  { atera_field: 'LastSeen', target: 'Last Seen' },
];

async function defaults(db: Kysely<DB>): Promise<AteraSettings> {
  const [fields, group, toplevel, alertType] = await Promise.all([
    db.selectFrom('asset_field').select(['id', 'name']).execute(),
    db
      .selectFrom('asset_group')
      .select('id')
      .where((eb) => eb(eb.fn('lower', ['name']), '=', 'default group'))
      .executeTakeFirst(),
    db.selectFrom('toplevel').select('id').orderBy('id').limit(1).executeTakeFirst(),
    db
      .selectFrom('ticket_type')
      .select('id')
      .where((eb) => eb(eb.fn('lower', ['name']), '=', 'alert'))
      .executeTakeFirst(),
  ]);
  const byName = new Map(fields.map((f) => [f.name.toLowerCase(), f.id]));
  const mappings: FieldMapping[] = [];
  for (const m of DEFAULT_MAPPINGS) {
    const target = m.target === 'inventory_number' ? 'inventory_number' : byName.get(m.target.toLowerCase());
    if (target !== undefined)
      mappings.push({
        atera_field: m.atera_field,
        field_type: 'asset_field',
        field_id: target,
        only_new_or_empty: false,
      });
  }
  return {
    atera_enabled: false,
    atera_url: 'https://app.atera.com',
    atera_toplevel: toplevel?.id ?? null,
    atera_sitemappings: [],
    atera_devicetypes: [...KNOWN_OSTYPES],
    atera_defaultsite: null,
    atera_defaultgroup: group?.id ?? null,
    atera_matchingfield: byName.get('serial number') ?? null,
    atera_fieldmappings: mappings,
    atera_placeholders: [],
    // Atera publishes no limit; 700/min is the working figure (reference §3). Several worker processes
    // each have their own limiter: divide the budget between them.
    atera_requests_per_minute: 700,
    atera_timeout_seconds: 30,
    atera_max_attempts: 5,
    halointegrator_atera: false,
    halointegrator_atera_entities: ['customers', 'assets'],
    atera_schedule_customers: '1d',
    atera_schedule_assets: '1d',
    atera_schedule_alerts: '5m',
    atera_schedule_timezone: 'UTC',
    atera_delete_devices: false,
    atera_deactivation_threshold: 10,
    atera_run_retention_days: 90,
    atera_enable_alerting: false,
    atera_alert_method: 'integrator',
    atera_alert_type: alertType?.id ?? null,
    atera_alert_user: null,
    atera_alert_close_action: 'resolve',
    // Every alert becomes a ticket by default, as in the guide; priorities follow severity.
    atera_alert_severity_rules: {
      Information: { create_ticket: true, priority_id: 4 },
      Warning: { create_ticket: true, priority_id: 3 },
      Critical: { create_ticket: true, priority_id: 1 },
    },
    atera_alert_dedupe: false,
    atera_alert_close_only_untouched: false,
    atera_alert_flap_minutes: 0,
    atera_maintenance_windows: [],
  };
}

export async function loadAteraSettings(db: Kysely<DB>): Promise<AteraSettings> {
  const [stored, base] = await Promise.all([readSettings(db, INTEGRATION), defaults(db)]);
  const out = { ...base } as Record<string, unknown>;
  for (const key of STORED_KEYS) if (stored[key] !== undefined) out[key] = stored[key];
  return out as unknown as AteraSettings;
}

/** All placeholder values, folded for comparison. */
export function placeholderSet(settings: AteraSettings): Set<string> {
  return new Set([...DEFAULT_PLACEHOLDERS, ...settings.atera_placeholders].map((p) => p.trim().toLowerCase()));
}

export async function knownDeviceTypes(db: Kysely<DB>): Promise<string[]> {
  const stored = await readSettings(db, INTEGRATION);
  const seen = Array.isArray(stored[SEEN_OSTYPES]) ? (stored[SEEN_OSTYPES] as string[]) : [];
  return [...new Set([...KNOWN_OSTYPES, ...seen])].sort((a, b) => a.localeCompare(b));
}

export async function rememberDeviceTypes(db: Kysely<DB>, seen: Iterable<string>): Promise<void> {
  const known = await knownDeviceTypes(db);
  const merged = [...new Set([...known, ...seen])].filter((t) => !KNOWN_OSTYPES.includes(t));
  await writeSettings(db, INTEGRATION, { [SEEN_OSTYPES]: merged.sort() });
}

/** The settings as GET /api/Integration/Atera shows them: never the key, only whether one is set. */
export async function settingsView(ctx: AppContext): Promise<Record<string, unknown>> {
  const s = await loadAteraSettings(ctx.db);
  const siteIds = s.atera_sitemappings.map((m) => m.site_id);
  const sites = siteIds.length
    ? await ctx.db
        .selectFrom('site as s')
        .innerJoin('client as c', 'c.id', 's.client_id')
        .select(['s.id', 's.name', 'c.id as client_id', 'c.name as client_name'])
        .where('s.id', 'in', siteIds)
        .execute()
    : [];
  const siteById = new Map(sites.map((x) => [x.id, x]));
  const names = await customerNames(ctx.db);
  return {
    ...s,
    atera_sitemappings: s.atera_sitemappings.map((m) => ({
      ...m,
      site_name: siteById.get(m.site_id)?.name ?? null,
      client_id: siteById.get(m.site_id)?.client_id ?? null,
      client_name: siteById.get(m.site_id)?.client_name ?? null,
      atera_customer_name: names.get(String(m.atera_customer_id)) ?? null,
    })),
    atera_apikey_set: await hasSecret(ctx.db, INTEGRATION, APIKEY),
    ...(await integratorStatus(ctx.db)),
  };
}

/** Atera customer names Keel has seen (kept by the customer import), for showing mappings by name. */
export async function customerNames(db: Kysely<DB>): Promise<Map<string, string>> {
  const stored = await readSettings(db, INTEGRATION);
  const names = (stored.atera_customer_names ?? {}) as Record<string, string>;
  return new Map(Object.entries(names));
}

export async function rememberCustomerNames(db: Kysely<DB>, names: Map<number, string>): Promise<void> {
  const current = Object.fromEntries(await customerNames(db));
  for (const [id, name] of names) current[String(id)] = name;
  await writeSettings(db, INTEGRATION, { atera_customer_names: current });
}

/**
 * POST /api/Integration/Atera: validates every reference (ids, OSType values, mapped fields) and saves
 * all of it or nothing; the previous settings stay when anything is wrong.
 */
export async function saveAteraSettings(ctx: AppContext, input: SettingsInput): Promise<void> {
  const problems: ErrorDetail[] = [];
  const db = ctx.db;
  const exists = async (table: 'toplevel' | 'site' | 'asset_group' | 'asset_field' | 'field_info', id: number) =>
    Boolean(await db.selectFrom(table).select('id').where('id', '=', id).executeTakeFirst());

  if (input.atera_toplevel != null && !(await exists('toplevel', input.atera_toplevel))) {
    problems.push({ path: 'atera_toplevel', message: `top level ${input.atera_toplevel} does not exist` });
  }
  if (input.atera_defaultsite != null && !(await exists('site', input.atera_defaultsite))) {
    problems.push({ path: 'atera_defaultsite', message: `site ${input.atera_defaultsite} does not exist` });
  }
  if (input.atera_defaultgroup != null && !(await exists('asset_group', input.atera_defaultgroup))) {
    problems.push({ path: 'atera_defaultgroup', message: `asset group ${input.atera_defaultgroup} does not exist` });
  }
  if (typeof input.atera_matchingfield === 'number' && !(await exists('asset_field', input.atera_matchingfield))) {
    problems.push({ path: 'atera_matchingfield', message: `asset field ${input.atera_matchingfield} does not exist` });
  }
  if (input.atera_sitemappings) {
    const seenCustomers = new Set<number>();
    for (const [i, m] of input.atera_sitemappings.entries()) {
      if (!(await exists('site', m.site_id)))
        problems.push({ path: `atera_sitemappings[${i}].site_id`, message: `site ${m.site_id} does not exist` });
      if (seenCustomers.has(m.atera_customer_id)) {
        problems.push({
          path: `atera_sitemappings[${i}].atera_customer_id`,
          message: `Atera customer ${m.atera_customer_id} is mapped twice`,
        });
      }
      seenCustomers.add(m.atera_customer_id);
    }
  }
  if (input.atera_devicetypes) {
    const known = new Set((await knownDeviceTypes(db)).map((t) => t.toLowerCase()));
    input.atera_devicetypes.forEach((t, i) => {
      if (!known.has(t.toLowerCase())) {
        problems.push({
          path: `atera_devicetypes[${i}]`,
          message: `"${t}" is not an OSType Atera reports (see /api/Integration/Atera/Data/devicetypes)`,
        });
      }
    });
  }
  if (input.atera_fieldmappings) {
    for (const [i, m] of input.atera_fieldmappings.entries()) {
      const path = `atera_fieldmappings[${i}].field_id`;
      if (m.field_id === 'inventory_number') {
        if (m.field_type !== 'asset_field')
          problems.push({ path, message: 'inventory_number is an asset field, not a custom field' });
      } else if (m.field_type === 'asset_field' && !(await exists('asset_field', m.field_id))) {
        problems.push({ path, message: `asset field ${m.field_id} does not exist` });
      } else if (m.field_type === 'custom_field') {
        const f = await db.selectFrom('field_info').select('usage').where('id', '=', m.field_id).executeTakeFirst();
        if (f?.usage !== 'asset')
          problems.push({ path, message: `custom field ${m.field_id} does not exist for assets` });
      }
    }
  }
  if (input.atera_alert_method === 'nhserver') {
    problems.push({
      path: 'atera_alert_method',
      message: 'the NHServer method is deprecated and not supported: use the Integrator (integrator)',
    });
  }
  if (input.atera_alert_type != null) {
    const t = await db
      .selectFrom('ticket_type')
      .select('id')
      .where('id', '=', input.atera_alert_type)
      .executeTakeFirst();
    if (!t)
      problems.push({ path: 'atera_alert_type', message: `ticket type ${input.atera_alert_type} does not exist` });
  }
  if (input.atera_alert_user != null) {
    const u = await db.selectFrom('users').select('id').where('id', '=', input.atera_alert_user).executeTakeFirst();
    if (!u) problems.push({ path: 'atera_alert_user', message: `user ${input.atera_alert_user} does not exist` });
  }
  for (const [sev, rule] of Object.entries(input.atera_alert_severity_rules ?? {})) {
    if (rule?.priority_id != null) {
      const p = await db.selectFrom('priority').select('id').where('id', '=', rule.priority_id).executeTakeFirst();
      if (!p)
        problems.push({
          path: `atera_alert_severity_rules.${sev}.priority_id`,
          message: `priority ${rule.priority_id} does not exist`,
        });
    }
  }
  for (const [i, w] of (input.atera_maintenance_windows ?? []).entries()) {
    if (
      w.client_id !== undefined &&
      !(await db.selectFrom('client').select('id').where('id', '=', w.client_id).executeTakeFirst())
    ) {
      problems.push({
        path: `atera_maintenance_windows[${i}].client_id`,
        message: `client ${w.client_id} does not exist`,
      });
    }
    if (w.site_id !== undefined && !(await exists('site', w.site_id)))
      problems.push({ path: `atera_maintenance_windows[${i}].site_id`, message: `site ${w.site_id} does not exist` });
  }
  const tz = input.atera_schedule_timezone;
  if (tz !== undefined && !isTimeZone(tz))
    problems.push({
      path: 'atera_schedule_timezone',
      message: `"${tz}" is not a time zone such as UTC or Europe/Berlin`,
    });
  for (const key of ['atera_schedule_customers', 'atera_schedule_assets', 'atera_schedule_alerts'] as const) {
    const spec = input[key];
    if (spec === undefined) continue;
    try {
      const schedule = parseSchedule(spec, tz && isTimeZone(tz) ? tz : 'UTC', key);
      if (key === 'atera_schedule_alerts' && minimumGapMs(schedule, ctx.clock.now()) < MIN_ALERT_INTERVAL_MS) {
        problems.push({ path: key, message: 'alerts are polled no faster than every 30 seconds' });
      }
    } catch (e) {
      problems.push({ path: key, message: (e as Error).message });
    }
  }
  if (problems.length > 0) {
    throw new AppError(
      'validation',
      `Settings not saved: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      problems,
    );
  }
  const { atera_apikey, ...rest } = input;
  if (rest.atera_alert_severity_rules) {
    const current = await loadAteraSettings(db);
    rest.atera_alert_severity_rules = { ...current.atera_alert_severity_rules, ...rest.atera_alert_severity_rules };
  }
  await db.transaction().execute(async (tx) => {
    await writeSettings(tx, INTEGRATION, rest);
    if (atera_apikey !== undefined) await writeSecret(tx, ctx.secrets, INTEGRATION, APIKEY, atera_apikey.trim());
  });
  forgetAteraClient(ctx);
}

/**
 * Clients reused for a few seconds per context: a worker resolving thousands of alerts would otherwise
 * read the settings and decrypt the key once per alert. A settings change is picked up within the TTL.
 */
const CLIENT_TTL_MS = 5_000;
const clientCache = new WeakMap<AppContext, { at: number; client: AteraClient }>();

/** Builds the Atera client from the saved URL and key; refuses clearly when no key is saved. */
export async function ateraClientFor(ctx: AppContext, extra: Partial<AteraClientOptions> = {}): Promise<AteraClient> {
  const cacheable = Object.keys(extra).length === 0;
  const cached = cacheable ? clientCache.get(ctx) : undefined;
  if (cached && Date.now() - cached.at < CLIENT_TTL_MS) return cached.client;
  const client = await buildClient(ctx, extra);
  if (cacheable) clientCache.set(ctx, { at: Date.now(), client });
  return client;
}

/** Forgets the cached client (after the settings change). */
export function forgetAteraClient(ctx: AppContext): void {
  clientCache.delete(ctx);
}

async function buildClient(ctx: AppContext, extra: Partial<AteraClientOptions>): Promise<AteraClient> {
  const settings = await loadAteraSettings(ctx.db);
  const apiKey = await readSecret(ctx.db, ctx.secrets, INTEGRATION, APIKEY);
  if (!apiKey) {
    throw new AppError(
      'validation',
      'No Atera API key is saved: generate one in Atera under Admin > API and save it as atera_apikey',
      [{ path: 'atera_apikey', message: 'not set' }],
    );
  }
  return new AteraClient({
    baseUrl: settings.atera_url || null,
    apiKey,
    logger: ctx.logger,
    requestsPerMinute: settings.atera_requests_per_minute,
    timeoutMs: settings.atera_timeout_seconds * 1000,
    maxAttempts: settings.atera_max_attempts,
    ...extra,
  });
}

/** Read-only Integrator status: when the last scheduled/manual sync finished and the last error, from the run history. */
export async function integratorStatus(db: Kysely<DB>): Promise<{
  halointegrator_atera_lastsync: string | null;
  halointegrator_atera_lasterror: string | null;
  halointegrator_atera_nextdue: Record<string, string>;
}> {
  const last = await db
    .selectFrom('sync_run')
    .select(['status', 'finished_at', 'error'])
    .where('integration', '=', INTEGRATION)
    .where('kind', 'in', ['sync', 'alerts'])
    .where('dry_run', '=', false)
    .where('finished_at', 'is not', null)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const lastOk = await db
    .selectFrom('sync_run')
    .select('finished_at')
    .where('integration', '=', INTEGRATION)
    .where('kind', 'in', ['sync', 'alerts'])
    .where('dry_run', '=', false)
    .where('status', '=', 'succeeded')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const due = await db
    .selectFrom('schedule_state')
    .select(['key', 'next_due'])
    .where('key', 'like', `${INTEGRATION}.%`)
    .execute();
  return {
    halointegrator_atera_lastsync: lastOk?.finished_at ?? null,
    halointegrator_atera_lasterror: last && last.status === 'failed' ? last.error : null,
    halointegrator_atera_nextdue: Object.fromEntries(due.map((d) => [d.key.slice(INTEGRATION.length + 1), d.next_due])),
  };
}
