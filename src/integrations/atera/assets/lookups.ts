import { type Kysely, type SqlBool, sql } from 'kysely';
import type { DB, FieldValues } from '../../../db/schema.js';
import { assetFieldDefs, customFieldDefs } from '../../../psa/fields/repo.js';
import type { FieldDef } from '../../../psa/fields/values.js';
import { contentHash } from '../../../sync/links.js';
import type { AteraSettings } from '../settings/schema.js';
import { INTEGRATION, placeholderSet } from '../settings/settings.js';
import {
  HASH_WIDTH,
  type HashSettings,
  PLANNED_AGENT_FIELDS,
  type PlannedFields,
  plannedFields,
  SoundSnapshot,
} from './device-hash.js';

export interface SiteTarget {
  site_id: number;
  client_id: number;
  rule: 'mapping' | 'linked_customer' | 'name' | 'default';
}

/**
 * Everything the asset import needs that is small and fixed for one run: where each Atera customer's
 * devices go, asset types by name, field definitions. Per-asset state (existing assets, users) is
 * looked up per batch instead, so memory stays flat however many devices Atera has.
 */
export interface AssetLookups {
  settings: AteraSettings;
  placeholders: Set<string>;
  deviceTypes: Set<string>;
  mappedSites: Map<number, SiteTarget>;
  linkedCustomers: Map<number, SiteTarget>;
  clientsByName: Map<string, { client_id: number; main_site_id: number | null }[]>;
  defaultSite: SiteTarget | null;
  assetTypes: Map<string, number>;
  /**
   * Asset types (lower-case names) this import created: a device of one is reported with "new asset type" in
   * every batch, as the preview (which creates none) reports it, whatever the batch boundaries.
   */
  typesCreatedByRun: Set<string>;
  assetFields: FieldDef[];
  customFields: FieldDef[];
  keyFieldOfType: Map<number, number | null>;
  /** Fingerprint of the settings that shape an asset; part of every content hash, so changing a mapping re-applies. */
  fingerprint: string;
  /** The agent fields a plan reads (fixed and mapped ones): what a device's content hash covers. */
  plannedFields: PlannedFields;
  plannedFieldNames: string[];
}

export async function loadAssetLookups(db: Kysely<DB>, settings: AteraSettings): Promise<AssetLookups> {
  const [sites, clients, customerLinks, types, assetFields, customFields] = await Promise.all([
    db
      .selectFrom('site')
      .select(['id', 'client_id'])
      .where('id', 'in', [0, ...settings.atera_sitemappings.map((m) => m.site_id), settings.atera_defaultsite ?? 0])
      .execute(),
    db.selectFrom('client').select(['id', 'name', 'main_site_id', 'ateraid']).where('inactive', '=', false).execute(),
    db
      .selectFrom('sync_link')
      .select(['external_id', 'local_id'])
      .where('integration', '=', INTEGRATION)
      .where('entity', '=', 'customer')
      .execute(),
    db.selectFrom('asset_type').select(['id', 'name', 'keyfield_id']).execute(),
    assetFieldDefs(db),
    customFieldDefs(db, 'asset'),
  ]);
  const clientOfSite = new Map(sites.map((s) => [s.id, s.client_id]));
  const mappedSites = new Map<number, SiteTarget>();
  for (const m of settings.atera_sitemappings) {
    const client_id = clientOfSite.get(m.site_id);
    if (client_id !== undefined)
      mappedSites.set(m.atera_customer_id, { site_id: m.site_id, client_id, rule: 'mapping' });
  }
  const clientById = new Map(clients.map((c) => [c.id, c]));
  const linkedCustomers = new Map<number, SiteTarget>();
  const addLinked = (ateraId: number, clientId: number) => {
    const c = clientById.get(clientId);
    if (c?.main_site_id)
      linkedCustomers.set(ateraId, { site_id: c.main_site_id, client_id: c.id, rule: 'linked_customer' });
  };
  for (const c of clients) if (c.ateraid !== null) addLinked(c.ateraid, c.id);
  for (const l of customerLinks) addLinked(Number(l.external_id), l.local_id);
  const clientsByName = new Map<string, { client_id: number; main_site_id: number | null }[]>();
  for (const c of clients)
    clientsByName.set(c.name, [
      ...(clientsByName.get(c.name) ?? []),
      { client_id: c.id, main_site_id: c.main_site_id },
    ]);
  const fieldNames = [
    ...new Set<string>([...PLANNED_AGENT_FIELDS, ...settings.atera_fieldmappings.map((m) => m.atera_field)]),
  ];
  const defSiteClient = settings.atera_defaultsite ? clientOfSite.get(settings.atera_defaultsite) : undefined;
  return {
    settings,
    placeholders: placeholderSet(settings),
    deviceTypes: new Set(settings.atera_devicetypes.map((t) => t.toLowerCase())),
    mappedSites,
    linkedCustomers,
    clientsByName,
    defaultSite:
      settings.atera_defaultsite && defSiteClient !== undefined
        ? { site_id: settings.atera_defaultsite, client_id: defSiteClient, rule: 'default' }
        : null,
    assetTypes: new Map(types.map((t) => [t.name.toLowerCase(), t.id])),
    typesCreatedByRun: new Set(),
    assetFields,
    customFields,
    keyFieldOfType: new Map(types.map((t) => [t.id, t.keyfield_id])),
    fingerprint: contentHash([
      settings.atera_fieldmappings,
      settings.atera_matchingfield,
      settings.atera_sitemappings,
      settings.atera_defaultsite,
      settings.atera_devicetypes,
      [...placeholderSet(settings)],
    ]),
    plannedFields: plannedFields(fieldNames),
    plannedFieldNames: fieldNames,
  };
}

/** What the page worker needs to hash and sort devices as the import does (device-hash.ts). */
export function hashSettingsOf(lk: AssetLookups): HashSettings {
  const { mappedSites, linkedCustomers, clientsByName, defaultSite } = lk;
  return {
    fields: lk.plannedFieldNames,
    sites: { mappedSites, linkedCustomers, clientsByName, defaultSite },
    fingerprint: lk.fingerprint,
    deviceTypes: lk.deviceTypes,
  };
}

export interface ExistingAsset {
  id: number;
  atera_id: string | null;
  inventory_number: string | null;
  key_field: string | null;
  client_id: number | null;
  site_id: number | null;
  assettype_id: number;
  user_id: number | null;
  inactive: boolean;
  fields: FieldValues;
  customfields: FieldValues;
}

const ASSET_COLUMNS = [
  'id',
  'atera_id',
  'inventory_number',
  'key_field',
  'client_id',
  'site_id',
  'assettype_id',
  'user_id',
  'inactive',
  'fields',
  'customfields',
] as const;

export async function assetsByAteraId(db: Kysely<DB>, ids: string[]): Promise<Map<string, ExistingAsset>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('asset')
    .select(ASSET_COLUMNS)
    .where(sql<SqlBool>`atera_id = ANY(${ids}::text[])`)
    .execute();
  return new Map(rows.map((r) => [r.atera_id!, r]));
}

export async function assetsById(db: Kysely<DB>, ids: number[]): Promise<Map<number, ExistingAsset>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('asset')
    .select(ASSET_COLUMNS)
    .where(sql<SqlBool>`id = ANY(${ids}::int[])`)
    .execute();
  return new Map(rows.map((r) => [r.id, r]));
}

/**
 * The unchanged check, in one light query per batch: the database compares each device's content hash with
 * its link and returns only the devices that still need planning, each with the id of the asset holding its
 * Atera id (null if none). An unchanged device costs no result row and no asset field values, which matters
 * most on PGlite, where decoding a result runs on the event loop. The asset and the link are LATERAL
 * subqueries with LIMIT 1 (each a unique-key lookup, so at most one row anyway) because the planner cannot
 * flatten those into joins: as a plain join it hashed the whole link table per batch (40 ms at 100,000 links,
 * growing with the table), where one index probe per device costs 4 ms for the batch.
 */
export async function devicesToPlan(
  db: Kysely<DB>,
  devices: { ext: string; hash: string }[],
): Promise<Map<string, number | null>> {
  if (devices.length === 0) return new Map();
  const { rows } = await sql<{ ext: string; asset_id: number | null }>`
    SELECT d.ext, a.id AS asset_id
    FROM unnest(${devices.map((d) => d.ext)}::text[], ${devices.map((d) => d.hash)}::text[]) AS d(ext, hash)
    LEFT JOIN LATERAL (SELECT id, inactive FROM asset WHERE atera_id = d.ext LIMIT 1) a ON true
    LEFT JOIN LATERAL (
      SELECT local_id, hash FROM sync_link
      WHERE integration = ${INTEGRATION} AND entity = 'asset' AND external_id = d.ext
      LIMIT 1
    ) l ON true
    WHERE NOT COALESCE(l.hash = d.hash AND l.local_id = a.id AND NOT a.inactive, false)`.execute(db);
  return new Map(rows.map((r) => [r.ext, r.asset_id]));
}

/**
 * The content hash of every device whose link is sound (its asset carries its Atera id and is active: a link
 * that stops being so loses its hash, migration 009), read once at the start of an import, keyed by AgentID.
 * A device whose hash matches is unchanged without a query per batch: for a scheduled sync where almost nothing
 * changed, one scan here replaced 100 queries of 1,000 index probes each, the PostgreSQL work that competed with
 * the read for the CPU. Devices that differ are checked
 * again, precisely, by devicesToPlan. The snapshot is as old as the run: an asset deactivated or relinked by
 * someone while the run reads is seen by the next run.
 */
export async function soundLinkHashes(db: Kysely<DB>): Promise<SoundSnapshot> {
  // One row of two aggregates, not a row per link: building and parsing 100,000 result rows cost 0.6-0.9 s on
  // PGlite (on the event loop the read needs) and ~0.2 s on PostgreSQL. Both aggregates see the rows in the same
  // order, so they pair up. Plain text on purpose: casting ids or matching them with a regex in the query doubled
  // its time on PGlite (95 → 210 ms for 100,000 links); snapshotOf checks them instead. No join to the assets:
  // it cost ~165 ms of ~215 on PGlite; the hash itself says the link is sound (migration 009).
  const { rows } = await sql<{ ids: string; hashes: string }>`
    SELECT coalesce(string_agg(external_id, ','), '') AS ids, coalesce(string_agg(hash, ''), '') AS hashes
    FROM sync_link
    WHERE integration = ${INTEGRATION} AND entity = 'asset' AND length(hash) = ${HASH_WIDTH} AND strpos(external_id, ',') = 0`.execute(
    db,
  );
  return snapshotOf(rows[0]?.ids ?? '', rows[0]?.hashes ?? '');
}

/** Whether any device is linked to an asset (a first import has none: nothing can be unchanged). */
export async function hasAssetLinks(db: Kysely<DB>): Promise<boolean> {
  const row = await db
    .selectFrom('sync_link')
    .select(sql<number>`1`.as('one'))
    .where('integration', '=', INTEGRATION)
    .where('entity', '=', 'asset')
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The snapshot from comma-separated ids and their concatenated hashes. A link whose id is not a plain AgentID
 * (digits, no leading zero, below 2^53) is left out with its hash: its device is then checked by devicesToPlan.
 */
export function snapshotOf(idText: string, hashes: string): SoundSnapshot {
  const ids = new Float64Array(hashes.length / HASH_WIDTH);
  const keep: boolean[] = [];
  let n = 0;
  let value = 0;
  let digits = 0;
  let ok = true;
  let dropped = false;
  const end = () => {
    const good = ok && digits > 0 && digits <= 15;
    keep.push(good);
    if (good) ids[n++] = value;
    else dropped = true;
    value = 0;
    digits = 0;
    ok = true;
  };
  if (idText.length > 0) {
    for (let i = 0; i < idText.length; i++) {
      const c = idText.charCodeAt(i);
      if (c === 44) end();
      else if (c >= 48 && c <= 57 && !(c === 48 && digits === 0)) {
        value = value * 10 + (c - 48);
        digits++;
      } else ok = false;
    }
    end();
  }
  if (keep.length !== ids.length) throw new Error('sound-link snapshot: ids and hashes differ');
  if (!dropped) return new SoundSnapshot(ids, hashes);
  const kept = keep.flatMap((k, i) => (k ? [hashes.slice(i * HASH_WIDTH, (i + 1) * HASH_WIDTH)] : []));
  return new SoundSnapshot(ids.slice(0, n), kept.join(''));
}

/** Users of the given customers whose login or name could be a device's last logged-in user. */
export async function usersForLogins(
  db: Kysely<DB>,
  clientIds: number[],
  logins: string[],
): Promise<{ id: number; client_id: number | null; login: string | null; name: string }[]> {
  if (clientIds.length === 0 || logins.length === 0) return [];
  return db
    .selectFrom('users')
    .select(['id', 'client_id', 'login', 'name'])
    .where('client_id', 'in', clientIds)
    .where('inactive', '=', false)
    .where((eb) => eb.or([eb(eb.fn('lower', ['login']), 'in', logins), eb(eb.fn('lower', ['name']), 'in', logins)]))
    .execute();
}
