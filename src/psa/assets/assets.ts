import { type Kysely, type RawBuilder, type SqlBool, sql } from 'kysely';
import type { Actor, AppContext } from '../../app/context.js';
import { notFound } from '../../core/errors.js';
import type { DB, FieldValues } from '../../db/schema.js';
import { activeFilter, type HaloListQuery, likePattern, type Paging } from '../../http/halo-query.js';
import { conflict, distinctIds, eitherOf, invalid } from '../checks.js';
import { type FilterDependencies, inTransaction, listPage, MAX_CACHED_LIST_IDS, orderColumn } from '../common.js';
import { customFieldDefs } from '../fields/repo.js';
import { applyFieldValues, type FieldDef, fieldValuesToArray } from '../fields/values.js';
import { loadPlacementLookup, type Placement, resolvePlacement } from '../placement.js';
import { noteAssetWrites } from './maintenance.js';
import type { AssetOutput, AssetWrite } from './schemas.js';
import { allTypeFieldDefs } from './types/types.js';

type AssetQuery = HaloListQuery & {
  client_id?: number;
  site_id?: number;
  assettype_id?: number;
  assetgroup_id?: number;
  user_id?: number;
  inventory_number?: string;
  atera_id?: string;
  integration_type?: string;
};

/** Every name an asset shows comes from a LEFT JOIN on a primary key. */
function baseQuery(db: Kysely<DB>) {
  return db
    .selectFrom('asset as a')
    .leftJoin('client as c', 'c.id', 'a.client_id')
    .leftJoin('site as s', 's.id', 'a.site_id')
    .leftJoin('asset_type as t', 't.id', 'a.assettype_id')
    .leftJoin('asset_group as g', 'g.id', 't.assetgroup_id')
    .leftJoin('users as u', 'u.id', 'a.user_id');
}

const SELECT = [
  'a.id',
  'a.inventory_number',
  'a.key_field',
  'a.client_id',
  'c.name as client_name',
  'a.site_id',
  's.name as site_name',
  'a.assettype_id',
  't.name as assettype_name',
  'g.name as assetgroup_name',
  'a.user_id',
  'u.name as username',
  'a.inactive',
  'a.atera_id',
  'a.notes',
  'a.fields',
  'a.customfields',
  'a.created_at',
  'a.updated_at',
] as const;

interface AssetRow {
  id: number;
  inventory_number: string | null;
  key_field: string | null;
  client_id: number | null;
  client_name: string | null;
  site_id: number | null;
  site_name: string | null;
  assettype_id: number;
  assettype_name: string | null;
  assetgroup_name: string | null;
  user_id: number | null;
  username: string | null;
  inactive: boolean;
  atera_id: string | null;
  notes: string | null;
  fields: FieldValues;
  customfields: FieldValues;
  created_at: string;
  updated_at: string;
}

/** The field definitions an asset's output needs: its type's fields and the asset custom fields. */
interface AssetDefs {
  types: ReadonlyMap<number, FieldDef[]>;
  custom: FieldDef[];
}

/**
 * Read through the read cache, and never inside a transaction: a save loads them before it begins (with the
 * embedded database a read outside an open transaction would wait for it to end).
 */
async function assetDefs(db: Kysely<DB>): Promise<AssetDefs> {
  const [types, custom] = await Promise.all([allTypeFieldDefs(db), customFieldDefs(db, 'asset')]);
  return { types, custom };
}

function toOutput(r: AssetRow, defs: AssetDefs): AssetOutput {
  const { fields, customfields, created_at, updated_at, ...rest } = r;
  return {
    ...rest,
    fields: fieldValuesToArray(fields, defs.types.get(r.assettype_id) ?? []),
    customfields: fieldValuesToArray(customfields, defs.custom),
    datecreated: created_at,
    dlastupdate: updated_at,
  };
}

/** Orders on the asset's own columns: served from the asset table (and its indexes) alone. */
const ASSET_ORDER = {
  id: 'a.id',
  inventory_number: 'a.inventory_number',
  key_field: 'a.key_field',
  client_id: 'a.client_id',
  site_id: 'a.site_id',
  assettype_id: 'a.assettype_id',
  datecreated: 'a.created_at',
  dlastupdate: 'a.updated_at',
} as const;

/** Orders on names of other records: the page query joins them. */
const JOINED_ORDER: Record<string, 'c.name' | 's.name' | 't.name' | 'u.name'> = {
  client_name: 'c.name',
  site_name: 's.name',
  assettype_name: 't.name',
  username: 'u.name',
};

/**
 * The list filters as one condition on `asset as a`. Written as SQL on `a` only so the same condition
 * serves the count and the page of ids without any join, and `NOT a.inactive` (not `a.inactive = $1`)
 * so the planner matches the partial indexes `WHERE NOT inactive` and can answer from the index alone.
 */
function assetCondition(q: AssetQuery): { where: RawBuilder<SqlBool>; deps: FilterDependencies } {
  const c: RawBuilder<unknown>[] = [];
  const deps: FilterDependencies = { columns: [], tables: [] };
  const on = (column: string, condition: RawBuilder<unknown>) => {
    deps.columns.push(column);
    c.push(condition);
  };
  const active = activeFilter(q);
  if (active === 'active') on('inactive', sql`not a.inactive`);
  if (active === 'inactive') on('inactive', sql`a.inactive`);
  if (q.client_id !== undefined) on('client_id', sql`a.client_id = ${q.client_id}`);
  if (q.site_id !== undefined) on('site_id', sql`a.site_id = ${q.site_id}`);
  if (q.assettype_id !== undefined) on('assettype_id', sql`a.assettype_id = ${q.assettype_id}`);
  if (q.assetgroup_id !== undefined) {
    deps.tables.push('asset_type');
    on('assettype_id', sql`a.assettype_id IN (SELECT id FROM asset_type WHERE assetgroup_id = ${q.assetgroup_id})`);
  }
  if (q.user_id !== undefined) on('user_id', sql`a.user_id = ${q.user_id}`);
  if (q.inventory_number !== undefined) on('inventory_number', sql`a.inventory_number = ${q.inventory_number}`);
  if (q.atera_id !== undefined) on('atera_id', sql`a.atera_id = ${q.atera_id}`);
  if (q.integration_type !== undefined) {
    // Only Atera links assets to an RMM in Keel; any other integration has none.
    on('atera_id', q.integration_type.toLowerCase() === 'aterarmm' ? sql`a.atera_id IS NOT NULL` : sql`false`);
  }
  if (q.search) {
    const pattern = likePattern(q.search);
    deps.columns.push('key_field');
    on('inventory_number', sql`(a.inventory_number ILIKE ${pattern} OR a.key_field ILIKE ${pattern})`);
  }
  return { where: c.length ? sql<SqlBool>`${sql.join(c, sql` AND `)}` : sql<SqlBool>`true`, deps };
}

/**
 * Lists assets with Halo's filters, built for 100k+ rows. Three steps, none of them per row:
 * (1) the page of ids and the total (listPage): in the default id order both from the list's ids in the read
 * cache, otherwise from the asset table alone (other orders on its own columns walk their indexes, so OFFSET
 * skips index entries, not rows) with the count through the cache, (2) the page's rows with their names joined
 * by primary key, (3) field definitions.
 */
export async function listAssets(
  ctx: AppContext,
  q: AssetQuery,
  p: Paging,
): Promise<{ rows: AssetOutput[]; total: number }> {
  const { where, deps } = assetCondition(q);
  const dir = q.orderdesc ? 'desc' : 'asc';
  const orderKey = q.order?.toLowerCase();
  const joinedCol = orderKey && Object.hasOwn(JOINED_ORDER, orderKey) ? JOINED_ORDER[orderKey] : undefined;
  const col = orderColumn(q.order, ASSET_ORDER, 'a.id');
  const pageIds = joinedCol
    ? baseQuery(ctx.db).where(where).select('a.id').orderBy(joinedCol, dir).orderBy('a.id', dir)
    : ctx.db
        .selectFrom('asset as a')
        .where(where)
        .select('a.id')
        .orderBy(col, dir)
        .$if(col !== 'a.id', (qb) => qb.orderBy('a.id', dir));
  const [{ ids, total }, defs] = await Promise.all([
    listPage(
      ctx.db,
      'asset',
      deps,
      {
        allIds:
          !joinedCol && col === 'a.id'
            ? ctx.db
                .selectFrom('asset as a')
                .where(where)
                .select('a.id')
                .orderBy('a.id')
                .limit(MAX_CACHED_LIST_IDS + 1)
            : null,
        offsetPage: () => pageIds.limit(p.limit).offset(p.offset).execute(),
        count: ctx.db
          .selectFrom('asset as a')
          .where(where)
          .select((eb) => eb.fn.countAll<number>().as('n')),
      },
      dir,
      p,
    ),
    assetDefs(ctx.db),
  ]);
  return { rows: await loadAssets(ctx.db, ids, defs), total };
}

/** Assets by id, in the order given, with their names and field values. */
async function loadAssets(db: Kysely<DB>, ids: number[], defs?: AssetDefs): Promise<AssetOutput[]> {
  if (ids.length === 0) return [];
  const rows = (await baseQuery(db)
    .select(SELECT)
    .where(sql<SqlBool>`a.id = ANY(${[...new Set(ids)]}::int4[])`)
    .execute()) as AssetRow[];
  const d = defs ?? (await assetDefs(db));
  const byId = new Map(rows.map((r) => [r.id, toOutput(r, d)]));
  return ids.map((id) => byId.get(id)).filter((o): o is AssetOutput => o !== undefined);
}

export async function getAsset(ctx: AppContext, id: number): Promise<AssetOutput> {
  const [out] = await loadAssets(ctx.db, [id]);
  if (!out) throw notFound('Asset', id);
  return out;
}

/** The stored columns of one asset as saved (everything but id and timestamps). */
interface AssetValues extends Placement {
  inventory_number: string | null;
  key_field: string | null;
  assettype_id: number;
  user_id: number | null;
  inactive: boolean;
  atera_id: string | null;
  notes: string | null;
  fields: FieldValues;
  customfields: FieldValues;
}

const COLUMNS = [
  ['inventory_number', 'text'],
  ['key_field', 'text'],
  ['client_id', 'int4'],
  ['site_id', 'int4'],
  ['assettype_id', 'int4'],
  ['user_id', 'int4'],
  ['inactive', 'bool'],
  ['atera_id', 'text'],
  ['notes', 'text'],
  ['fields', 'jsonb'],
  ['customfields', 'jsonb'],
] as const;

/**
 * One UPDATE ... FROM (VALUES ...) for every updated asset of the batch, setting only the columns some asset of
 * the batch changes (compared with `before`, the rows as read): an edit of notes then leaves the cached counts
 * of asset lists alone (read-cache.ts drops them only when a filtered column is set).
 */
async function updateMany(
  tx: Kysely<DB>,
  rows: Map<number, AssetValues>,
  before: Map<number, Record<string, unknown>>,
): Promise<void> {
  if (rows.size === 0) return;
  const same = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);
  const changed = COLUMNS.filter(([c]) => [...rows].some(([id, v]) => !same(v[c], before.get(id)?.[c])));
  const values = [...rows].map(
    ([id, v]) =>
      sql`(${sql.join([
        sql`${id}::int4`,
        ...changed.map(([c, type]) => {
          const raw = v[c];
          const value = type === 'jsonb' ? JSON.stringify(raw) : raw;
          return sql`${value}::${sql.raw(type)}`;
        }),
      ])})`,
  );
  const names = sql.raw(['id', ...changed.map(([c]) => c)].join(', '));
  const sets = sql.raw([...changed.map(([c]) => `${c} = v.${c}`), 'updated_at = now()'].join(', '));
  await sql`UPDATE asset AS a SET ${sets}
    FROM (VALUES ${sql.join(values)}) AS v(${names}) WHERE a.id = v.id`.execute(tx);
}

/**
 * Every new asset of the batch in one multi-row INSERT, whose RETURNING rows are joined to their names
 * in the same statement: one round trip for the insert and the response. Rows come back in VALUES order.
 */
async function insertMany(tx: Kysely<DB>, creates: AssetValues[], defs: AssetDefs): Promise<AssetOutput[]> {
  if (creates.length === 0) return [];
  const rows = (await tx
    .with('ins', (db) =>
      db
        .insertInto('asset')
        .values(
          creates.map((v) => ({
            ...v,
            fields: JSON.stringify(v.fields),
            customfields: JSON.stringify(v.customfields),
          })),
        )
        .returningAll(),
    )
    .selectFrom('ins as a')
    .leftJoin('client as c', 'c.id', 'a.client_id')
    .leftJoin('site as s', 's.id', 'a.site_id')
    .leftJoin('asset_type as t', 't.id', 'a.assettype_id')
    .leftJoin('asset_group as g', 'g.id', 't.assetgroup_id')
    .leftJoin('users as u', 'u.id', 'a.user_id')
    .select(SELECT)
    .orderBy('a.id')
    .execute()) as AssetRow[];
  return rows.map((r) => toOutput(r, defs));
}

/**
 * Creates and partially updates assets in one transaction, built for bulk: whatever the batch size,
 * it reads each referenced table once (sites, customers, types and their fields, users, the assets
 * being updated, clashing Atera ids), inserts every new asset with one multi-row INSERT and updates
 * the rest with one UPDATE ... FROM VALUES. Rules:
 * - the site must be a site of the customer; a site alone brings its customer, a customer alone puts
 *   a new asset on the customer's main site;
 * - `fields` values are checked against the asset type's fields and types, `customfields` against
 *   the asset custom fields (errors name `body[i].fields[j].value`);
 * - when the type has a key field and the caller does not send `key_field`, key_field follows that
 *   field's value;
 * - the user, when it belongs to a customer, must belong to the asset's customer;
 * - `atera_id` is unique (409).
 */
export async function saveAssets(ctx: AppContext, items: AssetWrite[], _actor: Actor): Promise<AssetOutput[]> {
  // Field definitions come from the read cache, before the transaction: they change rarely, and an admin's
  // change made in this process invalidates the cache at once.
  const defs = await assetDefs(ctx.db);
  const saved = await inTransaction(ctx.db, async (tx) => {
    const updateIds = distinctIds(items.map((it) => it.id || null));
    const existingRows = updateIds.length
      ? await tx.selectFrom('asset').selectAll().where('id', 'in', updateIds).execute()
      : [];
    const current = new Map<number, AssetValues>(
      existingRows.map((r) => {
        const { id, created_at: _c, updated_at: _u, ...values } = r;
        return [id, values];
      }),
    );
    for (const id of updateIds) if (!current.has(id)) throw notFound('Asset', id);

    const typeIds = distinctIds([...items.map((it) => it.assettype_id), ...existingRows.map((r) => r.assettype_id)]);
    const userIds = distinctIds(items.map((it) => it.user_id));
    const [lookup, typeRows, userRows] = await Promise.all([
      loadPlacementLookup(tx, items, existingRows),
      typeIds.length
        ? tx.selectFrom('asset_type').select(['id', 'keyfield_id']).where('id', 'in', typeIds).execute()
        : [],
      userIds.length ? tx.selectFrom('users').select(['id', 'client_id']).where('id', 'in', userIds).execute() : [],
    ]);
    const types = new Map(typeRows.map((t) => [t.id, t]));
    const users = new Map(userRows.map((u) => [u.id, u]));

    const creates: AssetValues[] = [];
    const updates = new Map<number, AssetValues>();
    /** Per body element: the asset id (updates) or the index into `creates`. */
    const slots: ({ id: number } | { create: number })[] = [];
    for (const [i, item] of items.entries()) {
      const path = `body[${i}]`;
      const before = item.id ? current.get(item.id)! : null;
      const assettype_id = item.assettype_id ?? before?.assettype_id;
      if (assettype_id === undefined) throw invalid(`${path}.assettype_id`, 'required to create an asset');
      const type = types.get(assettype_id);
      if (!type) throw invalid(`${path}.assettype_id`, `asset_type ${assettype_id} does not exist`);
      const placement = resolvePlacement(item, before, lookup, path);
      const user_id = item.user_id !== undefined ? item.user_id : (before?.user_id ?? null);
      if (item.user_id != null) {
        const user = users.get(item.user_id);
        if (!user) throw invalid(`${path}.user_id`, `users ${item.user_id} does not exist`);
        if (user.client_id !== null && placement.client_id !== null && user.client_id !== placement.client_id) {
          throw invalid(
            `${path}.user_id`,
            `user ${item.user_id} belongs to client ${user.client_id}, not to client ${placement.client_id}`,
          );
        }
      }
      const fields = applyFieldValues(
        before?.fields ?? {},
        item.fields,
        defs.types.get(assettype_id) ?? [],
        `${path}.fields`,
      );
      const customfields = applyFieldValues(
        before?.customfields ?? {},
        item.customfields,
        defs.custom,
        `${path}.customfields`,
      );
      let key_field = item.key_field !== undefined ? item.key_field : (before?.key_field ?? null);
      if (item.key_field === undefined && type.keyfield_id !== null) {
        const v = fields[String(type.keyfield_id)];
        if (v !== undefined && v !== null) key_field = String(v);
      }
      const atera_id = eitherOf(item.atera_id, item.ateraid, `${path}.atera_id`, `${path}.ateraid`);
      const values: AssetValues = {
        ...placement,
        inventory_number:
          item.inventory_number !== undefined ? item.inventory_number : (before?.inventory_number ?? null),
        key_field,
        assettype_id,
        user_id,
        inactive: item.inactive ?? before?.inactive ?? false,
        atera_id: atera_id !== undefined ? atera_id : (before?.atera_id ?? null),
        notes: item.notes !== undefined ? item.notes : (before?.notes ?? null),
        fields,
        customfields,
      };
      if (item.id) {
        // A second update of the same asset in one body builds on the first, as sequential saves would.
        current.set(item.id, values);
        updates.set(item.id, values);
        slots.push({ id: item.id });
      } else {
        slots.push({ create: creates.length });
        creates.push(values);
      }
    }

    await assertAteraIdsFree(tx, items, slots, creates, updates);
    await updateMany(tx, updates, new Map(existingRows.map((r) => [r.id, r as Record<string, unknown>])));
    const created = await insertMany(tx, creates, defs);
    const updated = await loadAssets(tx, [...updates.keys()], defs);
    const byId = new Map([...updated, ...created].map((a) => [a.id, a]));
    return slots.map((s) => byId.get('id' in s ? s.id : created[s.create]!.id)!);
  });
  noteAssetWrites(ctx, saved.length);
  return saved;
}

/** Atera ids are unique: refused (409, naming the element) when another asset, or the batch itself, has it. */
async function assertAteraIdsFree(
  tx: Kysely<DB>,
  items: AssetWrite[],
  slots: ({ id: number } | { create: number })[],
  creates: AssetValues[],
  updates: Map<number, AssetValues>,
): Promise<void> {
  const owner = new Map<string, { index: number; id: number | null }>();
  slots.forEach((s, i) => {
    const v = 'id' in s ? updates.get(s.id)! : creates[s.create]!;
    if (v.atera_id === null || (items[i]!.atera_id === undefined && items[i]!.ateraid === undefined)) return;
    const id = 'id' in s ? s.id : null;
    const seen = owner.get(v.atera_id);
    if (seen && (seen.id === null || seen.id !== id)) {
      throw conflict(`body[${i}].atera_id: "${v.atera_id}" is also sent in body[${seen.index}]`, `body[${i}].atera_id`);
    }
    owner.set(v.atera_id, { index: i, id });
  });
  if (owner.size === 0) return;
  const taken = await tx
    .selectFrom('asset')
    .select(['id', 'atera_id'])
    .where(sql<SqlBool>`atera_id = ANY(${[...owner.keys()]}::text[])`)
    .execute();
  for (const row of taken) {
    const mine = owner.get(row.atera_id!)!;
    // Another asset of the batch taking over the id is fine only if that asset gives it up here.
    const releasing = updates.get(row.id);
    if (mine.id !== row.id && !(releasing && releasing.atera_id !== row.atera_id)) {
      throw conflict(
        `body[${mine.index}].atera_id: asset ${row.id} already has Atera id "${row.atera_id}"`,
        `body[${mine.index}].atera_id`,
      );
    }
  }
}

/** Deletes an asset. Refused (409) while tickets are linked to it: their history keeps it, so deactivate it instead. */
export async function deleteAsset(ctx: AppContext, id: number): Promise<void> {
  await inTransaction(ctx.db, async (tx) => {
    const existing = await tx.selectFrom('asset').select('id').where('id', '=', id).executeTakeFirst();
    if (!existing) throw notFound('Asset', id);
    const used = await tx
      .selectFrom('ticket_asset')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('asset_id', '=', id)
      .executeTakeFirstOrThrow();
    if (used.n > 0)
      throw conflict(`Asset ${id} is linked to ${used.n} tickets; deactivate it instead (inactive: true)`);
    await tx.deleteFrom('asset').where('id', '=', id).execute();
  });
}
