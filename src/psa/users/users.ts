import type { Kysely } from 'kysely';
import type { Actor, AppContext } from '../../app/context.js';
import { notFound } from '../../core/errors.js';
import type { DB, FieldValues } from '../../db/schema.js';
import { activeFilter, type HaloListQuery, likePattern, type Paging } from '../../http/halo-query.js';
import { conflict, invalid } from '../checks.js';
import { inTransaction, orderColumn, pick } from '../common.js';
import { customFieldDefs } from '../fields/repo.js';
import { applyFieldValues, type FieldDef, fieldValuesToArray } from '../fields/values.js';
import { loadPlacementLookup, resolvePlacement } from '../placement.js';
import type { UserOutput, UserWrite } from './schemas.js';

type UserQuery = HaloListQuery & { client_id?: number; site_id?: number; toplevel_id?: number; asset_id?: number };

function baseQuery(db: Kysely<DB>) {
  return db
    .selectFrom('users as u')
    .leftJoin('client as c', 'c.id', 'u.client_id')
    .leftJoin('site as s', 's.id', 'u.site_id');
}

const SELECT = [
  'u.id',
  'u.name',
  'u.firstname',
  'u.surname',
  'u.emailaddress',
  'u.login',
  'u.phonenumber',
  'u.client_id',
  'c.name as client_name',
  'u.site_id',
  's.name as site_name',
  'u.inactive',
  'u.notes',
  'u.customfields',
  'u.created_at',
] as const;

interface UserRow {
  id: number;
  name: string;
  firstname: string | null;
  surname: string | null;
  emailaddress: string | null;
  login: string | null;
  phonenumber: string | null;
  client_id: number | null;
  client_name: string | null;
  site_id: number | null;
  site_name: string | null;
  inactive: boolean;
  notes: string | null;
  customfields: FieldValues;
  created_at: string;
}

function toOutput(r: UserRow, defs: FieldDef[]): UserOutput {
  const { customfields, created_at, ...rest } = r;
  return { ...rest, customfields: fieldValuesToArray(customfields, defs), datecreated: created_at };
}

export async function listUsers(
  ctx: AppContext,
  q: UserQuery,
  p: Paging,
): Promise<{ rows: UserOutput[]; total: number }> {
  let query = baseQuery(ctx.db);
  const active = activeFilter(q);
  if (active !== 'all') query = query.where('u.inactive', '=', active === 'inactive');
  if (q.client_id !== undefined) query = query.where('u.client_id', '=', q.client_id);
  if (q.site_id !== undefined) query = query.where('u.site_id', '=', q.site_id);
  if (q.toplevel_id !== undefined) query = query.where('c.toplevel_id', '=', q.toplevel_id);
  if (q.asset_id !== undefined) {
    const assetId = q.asset_id;
    query = query.where('u.id', 'in', (eb) =>
      eb.selectFrom('asset').select('user_id').where('id', '=', assetId).where('user_id', 'is not', null),
    );
  }
  if (q.search) {
    const pattern = likePattern(q.search);
    query = query.where((eb) =>
      eb.or([eb('u.name', 'ilike', pattern), eb('u.emailaddress', 'ilike', pattern), eb('u.login', 'ilike', pattern)]),
    );
  }
  const col = orderColumn(
    q.order,
    {
      name: 'u.name',
      id: 'u.id',
      emailaddress: 'u.emailaddress',
      login: 'u.login',
      surname: 'u.surname',
      client_name: 'c.name',
      site_name: 's.name',
    } as const,
    'u.name',
  );
  const [rows, count, defs] = await Promise.all([
    query
      .select(SELECT)
      .orderBy(col, q.orderdesc ? 'desc' : 'asc')
      .orderBy('u.id')
      .limit(p.limit)
      .offset(p.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    customFieldDefs(ctx.db, 'users'),
  ]);
  return { rows: rows.map((r) => toOutput(r, defs)), total: count.n };
}

export async function getUser(ctx: AppContext, id: number, db: Kysely<DB> = ctx.db): Promise<UserOutput> {
  const row = await baseQuery(db).select(SELECT).where('u.id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Users', id);
  return toOutput(row, await customFieldDefs(db, 'users'));
}

const COLUMNS = ['name', 'firstname', 'surname', 'emailaddress', 'login', 'phonenumber', 'inactive', 'notes'] as const;

/**
 * Creates or partially updates end users in one transaction. The site must be a site of the customer;
 * a site alone brings its customer, a customer alone puts the user on its main site.
 */
export async function saveUsers(ctx: AppContext, items: UserWrite[], _actor: Actor): Promise<UserOutput[]> {
  return inTransaction(ctx.db, async (tx) => {
    const defs = await customFieldDefs(tx, 'users');
    const updateIds = items.map((it) => it.id).filter((id): id is number => !!id);
    const existingRows = updateIds.length
      ? await tx.selectFrom('users').selectAll().where('id', 'in', updateIds).execute()
      : [];
    const existing = new Map(existingRows.map((r) => [r.id, r]));
    const lookup = await loadPlacementLookup(
      tx,
      items,
      existingRows.map((r) => ({ client_id: r.client_id, site_id: r.site_id })),
    );
    const ids: number[] = [];
    for (const [i, item] of items.entries()) {
      const path = `body[${i}]`;
      if (item.id) {
        const row = existing.get(item.id);
        if (!row) throw notFound('Users', item.id);
        const placement = resolvePlacement(item, { client_id: row.client_id, site_id: row.site_id }, lookup, path);
        await tx
          .updateTable('users')
          .set({
            ...pick(item, COLUMNS),
            ...placement,
            customfields: JSON.stringify(
              applyFieldValues(row.customfields, item.customfields, defs, `${path}.customfields`),
            ),
            updated_at: new Date().toISOString(),
          })
          .where('id', '=', item.id)
          .execute();
        ids.push(item.id);
      } else {
        const name = item.name ?? ([item.firstname, item.surname].filter(Boolean).join(' ').trim() || undefined);
        if (!name) throw invalid(`${path}.name`, 'required to create a user (or send firstname/surname)');
        const placement = resolvePlacement(item, null, lookup, path);
        const created = await tx
          .insertInto('users')
          .values({
            name,
            firstname: item.firstname ?? null,
            surname: item.surname ?? null,
            emailaddress: item.emailaddress ?? null,
            login: item.login ?? null,
            phonenumber: item.phonenumber ?? null,
            inactive: item.inactive ?? false,
            notes: item.notes ?? null,
            ...placement,
            customfields: JSON.stringify(applyFieldValues({}, item.customfields, defs, `${path}.customfields`)),
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        ids.push(created.id);
      }
    }
    const out: UserOutput[] = [];
    for (const id of ids) out.push(await getUser(ctx, id, tx));
    return out;
  });
}

/**
 * Deletes an end user. Refused (409) while tickets name the user (their history keeps the reporter);
 * assets the user was linked to simply lose the link.
 */
export async function deleteUser(ctx: AppContext, id: number): Promise<void> {
  await inTransaction(ctx.db, async (tx) => {
    const existing = await tx.selectFrom('users').select('id').where('id', '=', id).executeTakeFirst();
    if (!existing) throw notFound('Users', id);
    const used = await tx
      .selectFrom('ticket')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', id)
      .executeTakeFirstOrThrow();
    if (used.n > 0) throw conflict(`User ${id} is named on ${used.n} tickets; deactivate the user instead`);
    await tx.deleteFrom('users').where('id', '=', id).execute();
  });
}
