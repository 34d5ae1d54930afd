import { type Kysely, sql } from 'kysely';
import type { Actor, AppContext } from '../../../app/context.js';
import { notFound } from '../../../core/errors.js';
import { cachedRead } from '../../../db/read-cache.js';
import type { DB } from '../../../db/schema.js';
import { activeFilter, type HaloListQuery, likePattern, type Paging } from '../../../http/halo-query.js';
import { assertAllExist, conflict, invalid } from '../../checks.js';
import { inTransaction, orderColumn } from '../../common.js';
import { frozen } from '../../fields/repo.js';
import type { FieldDef } from '../../fields/values.js';
import type { AssetTypeOutput, AssetTypeWrite } from './schemas.js';

/** The asset field definitions of each of the given asset types, in the type's order. One query. */
export async function typeFieldDefs(db: Kysely<DB>, typeIds: number[]): Promise<Map<number, FieldDef[]>> {
  const out = new Map<number, FieldDef[]>(typeIds.map((id) => [id, []]));
  if (typeIds.length === 0) return out;
  const all = await allTypeFieldDefs(db);
  for (const id of typeIds) out.set(id, all.get(id) ?? []);
  return out;
}

/**
 * Every asset type's field definitions, in each type's order: one cached read of a few dozen rows (the asset
 * list and save need them on every request). A type without fields has no entry.
 */
export function allTypeFieldDefs(db: Kysely<DB>): Promise<ReadonlyMap<number, FieldDef[]>> {
  return cachedRead(db, 'asset_type_field', ['asset_type_field', 'asset_field'], async () => {
    const rows = await db
      .selectFrom('asset_type_field as atf')
      .innerJoin('asset_field as f', 'f.id', 'atf.field_id')
      .select(['atf.assettype_id', 'f.id', 'f.name', 'f.type'])
      .orderBy('atf.sequence')
      .orderBy('f.id')
      .execute();
    const byType = new Map<number, FieldDef[]>();
    for (const r of rows) {
      const list = byType.get(r.assettype_id) ?? [];
      list.push({ id: r.id, name: r.name, type: r.type });
      byType.set(r.assettype_id, list);
    }
    for (const [typeId, list] of byType) byType.set(typeId, frozen(list));
    return byType;
  });
}

function baseQuery(db: Kysely<DB>) {
  return db
    .selectFrom('asset_type as t')
    .leftJoin('asset_group as g', 'g.id', 't.assetgroup_id')
    .leftJoin('asset_field as k', 'k.id', 't.keyfield_id');
}

const SELECT = [
  't.id',
  't.name',
  't.assetgroup_id',
  'g.name as assetgroup_name',
  't.keyfield_id',
  'k.name as keyfield_name',
  't.inactive',
] as const;

type TypeRow = Omit<AssetTypeOutput, 'fields'>;

async function withFields(db: Kysely<DB>, rows: TypeRow[]): Promise<AssetTypeOutput[]> {
  const defs = await typeFieldDefs(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({
    ...r,
    fields: (defs.get(r.id) ?? []).map((d) => ({ id: d.id, name: d.name, type: d.type })),
  }));
}

export async function listAssetTypes(
  ctx: AppContext,
  q: HaloListQuery & { assetgroup_id?: number },
  p: Paging,
): Promise<{ rows: AssetTypeOutput[]; total: number }> {
  let query = baseQuery(ctx.db);
  const active = activeFilter(q);
  if (active !== 'all') query = query.where('t.inactive', '=', active === 'inactive');
  if (q.assetgroup_id !== undefined) query = query.where('t.assetgroup_id', '=', q.assetgroup_id);
  if (q.search) query = query.where('t.name', 'ilike', likePattern(q.search));
  const col = orderColumn(q.order, { name: 't.name', id: 't.id', assetgroup_name: 'g.name' } as const, 't.name');
  const [rows, count] = await Promise.all([
    query
      .select(SELECT)
      .orderBy(col, q.orderdesc ? 'desc' : 'asc')
      .orderBy('t.id')
      .limit(p.limit)
      .offset(p.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows: await withFields(ctx.db, rows), total: count.n };
}

export async function getAssetType(ctx: AppContext, id: number, db: Kysely<DB> = ctx.db): Promise<AssetTypeOutput> {
  const row = await baseQuery(db).select(SELECT).where('t.id', '=', id).executeTakeFirst();
  if (!row) throw notFound('AssetType', id);
  return (await withFields(db, [row]))[0]!;
}

async function assertNameFree(tx: Kysely<DB>, name: string, selfId: number | null, path: string): Promise<void> {
  let q = tx
    .selectFrom('asset_type')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()));
  if (selfId !== null) q = q.where('id', '<>', selfId);
  const other = await q.executeTakeFirst();
  if (other) throw conflict(`${path}: an asset type named "${name}" already exists (id ${other.id})`, path);
}

/** Replaces a type's field list (ids in the caller's order). */
async function setTypeFields(tx: Kysely<DB>, typeId: number, fieldIds: number[]): Promise<void> {
  await tx.deleteFrom('asset_type_field').where('assettype_id', '=', typeId).execute();
  if (fieldIds.length === 0) return;
  await tx
    .insertInto('asset_type_field')
    .values(fieldIds.map((field_id, i) => ({ assettype_id: typeId, field_id, sequence: i + 1 })))
    .execute();
}

/**
 * Creates or partially updates asset types in one transaction. Names are unique ignoring case (409).
 * The key field must be one of the type's fields; when it changes, the type's assets take their
 * `key_field` from the new key field's value, as assets saved later will.
 */
export async function saveAssetTypes(
  ctx: AppContext,
  items: AssetTypeWrite[],
  _actor: Actor,
): Promise<AssetTypeOutput[]> {
  return inTransaction(ctx.db, async (tx) => {
    await assertAllExist(
      tx,
      'asset_group',
      items.map((it, i) => ({ id: it.assetgroup_id, path: `body[${i}].assetgroup_id` })),
    );
    await assertAllExist(
      tx,
      'asset_field',
      items.map((it, i) => ({ id: it.keyfield_id, path: `body[${i}].keyfield_id` })),
    );
    const fieldLists = items.map((it) => it.fields?.map((f) => (typeof f === 'number' ? f : f.id)));
    await assertAllExist(
      tx,
      'asset_field',
      fieldLists.flatMap((list, i) => (list ?? []).map((id, j) => ({ id, path: `body[${i}].fields[${j}]` }))),
    );
    const allFields = (await tx.selectFrom('asset_field').select('id').orderBy('sequence').orderBy('id').execute()).map(
      (f) => f.id,
    );

    const ids: number[] = [];
    for (const [i, item] of items.entries()) {
      const path = `body[${i}]`;
      const fieldIds = fieldLists[i] ? [...new Set(fieldLists[i])] : undefined;
      if (item.name !== undefined) await assertNameFree(tx, item.name, item.id || null, `${path}.name`);
      if (item.id) {
        const existing = await tx.selectFrom('asset_type').selectAll().where('id', '=', item.id).executeTakeFirst();
        if (!existing) throw notFound('AssetType', item.id);
        const keyfield = item.keyfield_id !== undefined ? item.keyfield_id : existing.keyfield_id;
        if (fieldIds) await setTypeFields(tx, item.id, fieldIds);
        if (keyfield !== null) {
          const member = await tx
            .selectFrom('asset_type_field')
            .select('field_id')
            .where('assettype_id', '=', item.id)
            .where('field_id', '=', keyfield)
            .executeTakeFirst();
          if (!member) {
            throw invalid(
              item.keyfield_id !== undefined ? `${path}.keyfield_id` : `${path}.fields`,
              `the key field (${keyfield}) must be one of the type's fields`,
            );
          }
        }
        await tx
          .updateTable('asset_type')
          .set({
            ...(item.name !== undefined ? { name: item.name } : {}),
            ...(item.assetgroup_id !== undefined ? { assetgroup_id: item.assetgroup_id } : {}),
            ...(item.inactive !== undefined ? { inactive: item.inactive } : {}),
            keyfield_id: keyfield,
          })
          .where('id', '=', item.id)
          .execute();
        if (keyfield !== null && keyfield !== existing.keyfield_id) {
          await sql`UPDATE asset SET key_field = fields->>(${String(keyfield)}::text), updated_at = now()
            WHERE assettype_id = ${item.id} AND key_field IS DISTINCT FROM fields->>(${String(keyfield)}::text)`.execute(
            tx,
          );
        }
        ids.push(item.id);
      } else {
        if (!item.name) throw invalid(`${path}.name`, 'required to create an asset type');
        if (item.assetgroup_id === undefined)
          throw invalid(`${path}.assetgroup_id`, 'required to create an asset type');
        const list = fieldIds ?? allFields;
        if (item.keyfield_id != null && !list.includes(item.keyfield_id)) {
          throw invalid(`${path}.keyfield_id`, `the key field (${item.keyfield_id}) must be one of the type's fields`);
        }
        const row = await tx
          .insertInto('asset_type')
          .values({
            name: item.name,
            assetgroup_id: item.assetgroup_id,
            keyfield_id: item.keyfield_id ?? null,
            inactive: item.inactive ?? false,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await setTypeFields(tx, row.id, list);
        ids.push(row.id);
      }
    }
    const out: AssetTypeOutput[] = [];
    for (const id of ids) out.push(await getAssetType(ctx, id, tx));
    return out;
  });
}

/** Refused (409) while assets are of this type. */
export async function deleteAssetType(ctx: AppContext, id: number): Promise<void> {
  await inTransaction(ctx.db, async (tx) => {
    const existing = await tx.selectFrom('asset_type').select('id').where('id', '=', id).executeTakeFirst();
    if (!existing) throw notFound('AssetType', id);
    const used = await tx
      .selectFrom('asset')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('assettype_id', '=', id)
      .executeTakeFirstOrThrow();
    if (used.n > 0) throw conflict(`AssetType ${id} is used by ${used.n} assets; deactivate it instead`);
    await tx.deleteFrom('asset_type').where('id', '=', id).execute();
  });
}
