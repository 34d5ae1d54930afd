import type { Kysely } from 'kysely';
import type { Actor, AppContext } from '../../app/context.js';
import { AppError, notFound } from '../../core/errors.js';
import type { DB } from '../../db/schema.js';
import { activeFilter, type HaloListQuery, likePattern, type Paging } from '../../http/halo-query.js';
import { assertExists, inTransaction, orderColumn, pick } from '../common.js';
import { customFieldDefs } from '../fields/repo.js';
import { applyFieldValues, type FieldDef, fieldValuesToArray } from '../fields/values.js';
import type { ClientOutput, ClientWrite } from './schemas.js';

type ClientQuery = HaloListQuery & { toplevel_id?: number; ateraid?: number; search_name_only?: string };

function baseQuery(db: Kysely<DB>) {
  return db
    .selectFrom('client as c')
    .leftJoin('toplevel as t', 't.id', 'c.toplevel_id')
    .leftJoin('site as s', 's.id', 'c.main_site_id');
}

function toOutput(row: Record<string, unknown>, defs: FieldDef[]): ClientOutput {
  const r = row as {
    id: number;
    name: string;
    toplevel_id: number | null;
    toplevel_name: string | null;
    main_site_id: number | null;
    main_site_name: string | null;
    inactive: boolean;
    ateraid: number | null;
    notes: string | null;
    website: string | null;
    customfields: Record<string, string | number | boolean | null>;
    created_at: string;
    updated_at: string;
  };
  return {
    id: r.id,
    name: r.name,
    toplevel_id: r.toplevel_id,
    toplevel_name: r.toplevel_name,
    main_site_id: r.main_site_id,
    main_site_name: r.main_site_name,
    inactive: r.inactive,
    ateraid: r.ateraid,
    notes: r.notes,
    website: r.website,
    customfields: fieldValuesToArray(r.customfields, defs),
    datecreated: r.created_at,
    alastupdate: r.updated_at,
  };
}

const SELECT = [
  'c.id',
  'c.name',
  'c.toplevel_id',
  't.name as toplevel_name',
  'c.main_site_id',
  's.name as main_site_name',
  'c.inactive',
  'c.ateraid',
  'c.notes',
  'c.website',
  'c.customfields',
  'c.created_at',
  'c.updated_at',
] as const;

export async function listClients(
  ctx: AppContext,
  q: ClientQuery,
  p: Paging,
): Promise<{ rows: ClientOutput[]; total: number }> {
  let query = baseQuery(ctx.db);
  const active = activeFilter(q);
  if (active !== 'all') query = query.where('c.inactive', '=', active === 'inactive');
  if (q.toplevel_id !== undefined) query = query.where('c.toplevel_id', '=', q.toplevel_id);
  if (q.ateraid !== undefined) query = query.where('c.ateraid', '=', q.ateraid);
  const search = q.search ?? q.search_name_only;
  if (search) query = query.where('c.name', 'ilike', likePattern(search));
  const col = orderColumn(q.order, { name: 'c.name', id: 'c.id', toplevel_name: 't.name' } as const, 'c.name');
  const [rows, count, defs] = await Promise.all([
    query
      .select(SELECT)
      .orderBy(col, q.orderdesc ? 'desc' : 'asc')
      .orderBy('c.id')
      .limit(p.limit)
      .offset(p.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    customFieldDefs(ctx.db, 'client'),
  ]);
  return { rows: rows.map((r) => toOutput(r, defs)), total: count.n };
}

export async function getClient(ctx: AppContext, id: number, db: Kysely<DB> = ctx.db): Promise<ClientOutput> {
  const row = await baseQuery(db).select(SELECT).where('c.id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Client', id);
  return toOutput(row, await customFieldDefs(db, 'client'));
}

/** Creates (with its main site) or partially updates clients, all in one transaction. */
export async function saveClients(ctx: AppContext, items: ClientWrite[], _actor: Actor): Promise<ClientOutput[]> {
  return inTransaction(ctx.db, async (tx) => {
    const defs = await customFieldDefs(tx, 'client');
    const ids: number[] = [];
    for (const [i, item] of items.entries()) {
      const path = `body[${i}]`;
      await assertExists(tx, 'toplevel', item.toplevel_id, `${path}.toplevel_id`);
      if (item.id) {
        const existing = await tx.selectFrom('client').selectAll().where('id', '=', item.id).executeTakeFirst();
        if (!existing) throw notFound('Client', item.id);
        if (item.main_site_id) {
          const site = await tx
            .selectFrom('site')
            .select('client_id')
            .where('id', '=', item.main_site_id)
            .executeTakeFirst();
          if (!site || site.client_id !== item.id) {
            throw new AppError('validation', `${path}.main_site_id must be a site of this client`, [
              { path: `${path}.main_site_id`, message: 'not a site of this client' },
            ]);
          }
        }
        await tx
          .updateTable('client')
          .set({
            ...pick(item, ['name', 'toplevel_id', 'main_site_id', 'inactive', 'ateraid', 'notes', 'website'] as const),
            customfields: JSON.stringify(
              applyFieldValues(existing.customfields, item.customfields, defs, `${path}.customfields`),
            ),
            updated_at: new Date().toISOString(),
          })
          .where('id', '=', item.id)
          .execute();
        ids.push(item.id);
      } else {
        if (!item.name)
          throw new AppError('validation', `${path}.name is required to create a client`, [
            { path: `${path}.name`, message: 'required' },
          ]);
        if (item.main_site_id)
          throw new AppError(
            'validation',
            `${path}.main_site_id cannot be set on a new client; its main site is created with it`,
            [{ path: `${path}.main_site_id`, message: 'not allowed on create' }],
          );
        const created = await tx
          .insertInto('client')
          .values({
            name: item.name,
            toplevel_id: item.toplevel_id ?? null,
            inactive: item.inactive ?? false,
            ateraid: item.ateraid ?? null,
            notes: item.notes ?? null,
            website: item.website ?? null,
            customfields: JSON.stringify(applyFieldValues({}, item.customfields, defs, `${path}.customfields`)),
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        const site = await tx
          .insertInto('site')
          .values({ client_id: created.id, name: item.newclient_sitename ?? 'Main', customfields: '{}' })
          .returning('id')
          .executeTakeFirstOrThrow();
        await tx.updateTable('client').set({ main_site_id: site.id }).where('id', '=', created.id).execute();
        ids.push(created.id);
      }
    }
    const out: ClientOutput[] = [];
    for (const id of ids) out.push(await getClient(ctx, id, tx));
    return out;
  });
}

/** Deletes a client and its sites; refused (409) while assets, users or tickets still point at them. */
export async function deleteClient(ctx: AppContext, id: number): Promise<void> {
  await inTransaction(ctx.db, async (tx) => {
    const existing = await tx.selectFrom('client').select('id').where('id', '=', id).executeTakeFirst();
    if (!existing) throw notFound('Client', id);
    await tx.updateTable('client').set({ main_site_id: null }).where('id', '=', id).execute();
    await tx.deleteFrom('site').where('client_id', '=', id).execute();
    await tx.deleteFrom('client').where('id', '=', id).execute();
  });
}
