import type { Kysely } from 'kysely';
import type { Actor, AppContext } from '../../app/context.js';
import { notFound } from '../../core/errors.js';
import type { DB, FieldValues } from '../../db/schema.js';
import { activeFilter, type HaloListQuery, likePattern, type Paging } from '../../http/halo-query.js';
import { conflict, eitherOf, invalid } from '../checks.js';
import { assertExists, inTransaction, orderColumn, pick } from '../common.js';
import { customFieldDefs } from '../fields/repo.js';
import { applyFieldValues, type FieldDef, fieldValuesToArray } from '../fields/values.js';
import type { SiteOutput, SiteWrite } from './schemas.js';

type SiteQuery = HaloListQuery & { client_id?: number; site_id?: number; toplevel_id?: number; ateraid?: number };

function baseQuery(db: Kysely<DB>) {
  return db.selectFrom('site as s').innerJoin('client as c', 'c.id', 's.client_id');
}

const SELECT = [
  's.id',
  's.name',
  's.client_id',
  'c.name as client_name',
  's.inactive',
  's.ateraid',
  's.address',
  's.city',
  's.state',
  's.postcode',
  's.country',
  's.phonenumber',
  's.notes',
  's.customfields',
  's.created_at',
  's.updated_at',
] as const;

interface SiteRow {
  id: number;
  name: string;
  client_id: number;
  client_name: string | null;
  inactive: boolean;
  ateraid: number | null;
  address: string | null;
  city: string | null;
  state: string | null;
  postcode: string | null;
  country: string | null;
  phonenumber: string | null;
  notes: string | null;
  customfields: FieldValues;
  created_at: string;
  updated_at: string;
}

function toOutput(r: SiteRow, defs: FieldDef[]): SiteOutput {
  return {
    id: r.id,
    name: r.name,
    client_id: r.client_id,
    client_name: r.client_name,
    inactive: r.inactive,
    ateraid: r.ateraid,
    address: r.address,
    city: r.city,
    state: r.state,
    postcode: r.postcode,
    country: r.country,
    phonenumber: r.phonenumber,
    phone: r.phonenumber,
    notes: r.notes,
    customfields: fieldValuesToArray(r.customfields, defs),
    datecreated: r.created_at,
    slastupdate: r.updated_at,
  };
}

export async function listSites(
  ctx: AppContext,
  q: SiteQuery,
  p: Paging,
): Promise<{ rows: SiteOutput[]; total: number }> {
  let query = baseQuery(ctx.db);
  const active = activeFilter(q);
  if (active !== 'all') query = query.where('s.inactive', '=', active === 'inactive');
  if (q.client_id !== undefined) query = query.where('s.client_id', '=', q.client_id);
  if (q.site_id !== undefined) query = query.where('s.id', '=', q.site_id);
  if (q.toplevel_id !== undefined) query = query.where('c.toplevel_id', '=', q.toplevel_id);
  if (q.ateraid !== undefined) query = query.where('s.ateraid', '=', q.ateraid);
  if (q.search) query = query.where('s.name', 'ilike', likePattern(q.search));
  const col = orderColumn(
    q.order,
    { name: 's.name', id: 's.id', client_name: 'c.name', client_id: 's.client_id', city: 's.city' } as const,
    's.name',
  );
  const [rows, count, defs] = await Promise.all([
    query
      .select(SELECT)
      .orderBy(col, q.orderdesc ? 'desc' : 'asc')
      .orderBy('s.id')
      .limit(p.limit)
      .offset(p.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    customFieldDefs(ctx.db, 'site'),
  ]);
  return { rows: rows.map((r) => toOutput(r, defs)), total: count.n };
}

export async function getSite(ctx: AppContext, id: number, db: Kysely<DB> = ctx.db): Promise<SiteOutput> {
  const row = await baseQuery(db).select(SELECT).where('s.id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Site', id);
  return toOutput(row, await customFieldDefs(db, 'site'));
}

const COLUMNS = ['name', 'inactive', 'ateraid', 'address', 'city', 'state', 'postcode', 'country', 'notes'] as const;

/** Creates or partially updates sites, all in one transaction. */
export async function saveSites(ctx: AppContext, items: SiteWrite[], _actor: Actor): Promise<SiteOutput[]> {
  return inTransaction(ctx.db, async (tx) => {
    const defs = await customFieldDefs(tx, 'site');
    const ids: number[] = [];
    for (const [i, item] of items.entries()) {
      const path = `body[${i}]`;
      const phonenumber = eitherOf(item.phonenumber, item.phone, `${path}.phonenumber`, `${path}.phone`);
      await assertExists(tx, 'client', item.client_id, `${path}.client_id`);
      if (item.id) {
        const existing = await tx.selectFrom('site').selectAll().where('id', '=', item.id).executeTakeFirst();
        if (!existing) throw notFound('Site', item.id);
        if (item.client_id !== undefined && item.client_id !== existing.client_id) {
          const owner = await tx
            .selectFrom('client')
            .select(['id', 'name'])
            .where('main_site_id', '=', item.id)
            .executeTakeFirst();
          if (owner) {
            throw conflict(
              `${path}.client_id: site ${item.id} is the main site of client ${owner.id} (${owner.name}) and cannot move to another client`,
              `${path}.client_id`,
            );
          }
          // A site that moves takes its users and assets with it, so they keep pointing at a site of their client.
          await tx.updateTable('users').set({ client_id: item.client_id }).where('site_id', '=', item.id).execute();
          await tx.updateTable('asset').set({ client_id: item.client_id }).where('site_id', '=', item.id).execute();
        }
        await tx
          .updateTable('site')
          .set({
            ...pick(item, [...COLUMNS, 'client_id'] as const),
            ...(phonenumber !== undefined ? { phonenumber } : {}),
            customfields: JSON.stringify(
              applyFieldValues(existing.customfields, item.customfields, defs, `${path}.customfields`),
            ),
            updated_at: new Date().toISOString(),
          })
          .where('id', '=', item.id)
          .execute();
        ids.push(item.id);
      } else {
        if (!item.name) throw invalid(`${path}.name`, 'required to create a site');
        if (item.client_id === undefined) throw invalid(`${path}.client_id`, 'required to create a site');
        const created = await tx
          .insertInto('site')
          .values({
            name: item.name,
            client_id: item.client_id,
            inactive: item.inactive ?? false,
            ateraid: item.ateraid ?? null,
            address: item.address ?? null,
            city: item.city ?? null,
            state: item.state ?? null,
            postcode: item.postcode ?? null,
            country: item.country ?? null,
            phonenumber: phonenumber ?? null,
            notes: item.notes ?? null,
            customfields: JSON.stringify(applyFieldValues({}, item.customfields, defs, `${path}.customfields`)),
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        ids.push(created.id);
      }
    }
    const out: SiteOutput[] = [];
    for (const id of ids) out.push(await getSite(ctx, id, tx));
    return out;
  });
}

/**
 * Deletes a site nobody refers to. Refused (409) while it is its client's main site or assets, users
 * or tickets point at it: history must keep its site, so such a site is deactivated instead.
 */
export async function deleteSite(ctx: AppContext, id: number): Promise<void> {
  await inTransaction(ctx.db, async (tx) => {
    const existing = await tx.selectFrom('site').select(['id', 'client_id']).where('id', '=', id).executeTakeFirst();
    if (!existing) throw notFound('Site', id);
    const main = await tx.selectFrom('client').select('id').where('main_site_id', '=', id).executeTakeFirst();
    if (main) {
      throw conflict(
        `Site ${id} is the main site of client ${main.id}; choose another main site first, or deactivate it instead`,
      );
    }
    const used = await tx
      .selectNoFrom((eb) => [
        eb.selectFrom('asset').select(eb.fn.countAll<number>().as('n')).where('site_id', '=', id).as('assets'),
        eb.selectFrom('users').select(eb.fn.countAll<number>().as('n')).where('site_id', '=', id).as('users'),
        eb.selectFrom('ticket').select(eb.fn.countAll<number>().as('n')).where('site_id', '=', id).as('tickets'),
      ])
      .executeTakeFirstOrThrow();
    const refs = Object.entries(used)
      .filter(([, n]) => Number(n) > 0)
      .map(([k, n]) => `${n} ${k}`);
    if (refs.length > 0) {
      throw conflict(`Site ${id} is still used by ${refs.join(', ')}; deactivate it instead (inactive: true)`);
    }
    await tx.deleteFrom('site').where('id', '=', id).execute();
  });
}
