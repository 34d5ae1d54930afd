import type { Kysely } from 'kysely';
import type { DB, FieldValues } from '../../../db/schema.js';
import { assetFieldDefs, customFieldDefs } from '../../../psa/fields/repo.js';
import type { FieldDef } from '../../../psa/fields/values.js';
import { contentHash } from '../../../sync/links.js';
import { normalizeMatchValue } from '../../../sync/matching.js';
import type { AteraSettings } from '../settings/schema.js';
import { INTEGRATION, placeholderSet } from '../settings/settings.js';

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
  assetFields: FieldDef[];
  customFields: FieldDef[];
  keyFieldOfType: Map<number, number | null>;
  /** Fingerprint of the settings that shape an asset; part of every content hash, so changing a mapping re-applies. */
  fingerprint: string;
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
  const rows = await db.selectFrom('asset').select(ASSET_COLUMNS).where('atera_id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.atera_id!, r]));
}

export async function assetsById(db: Kysely<DB>, ids: number[]): Promise<Map<number, ExistingAsset>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('asset').select(ASSET_COLUMNS).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r]));
}

/**
 * The matching-field index (normalized value → assets), built on first need: a run where every device
 * is already linked by its Atera id never reads it.
 */
export async function matchIndex(
  db: Kysely<DB>,
  field: number | 'inventory_number' | null,
): Promise<Map<string, { id: number; external_id: string | null }[]>> {
  const index = new Map<string, { id: number; external_id: string | null }[]>();
  if (field === null) return index;
  const rows =
    field === 'inventory_number'
      ? await db
          .selectFrom('asset')
          .select(['id', 'atera_id', 'inventory_number as v'])
          .where('inventory_number', 'is not', null)
          .execute()
      : await db
          .selectFrom('asset')
          .select((eb) => ['id', 'atera_id', eb.ref('fields', '->>').key(String(field)).as('v')])
          .where((eb) => eb(eb.ref('fields', '->>').key(String(field)), 'is not', null))
          .execute();
  for (const r of rows) {
    if (r.v === null || r.v === undefined) continue;
    const key = normalizeMatchValue(String(r.v));
    const list = index.get(key);
    if (list) list.push({ id: r.id, external_id: r.atera_id });
    else index.set(key, [{ id: r.id, external_id: r.atera_id }]);
  }
  return index;
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
