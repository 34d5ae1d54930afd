import { type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import type { Actor, AppContext } from '../../app/context.js';
import { AppError, notFound } from '../../core/errors.js';
import type { DB, FieldValues, Row } from '../../db/schema.js';
import { type HaloListQuery, likePattern, type Paging } from '../../http/halo-query.js';
import {
  assertExists,
  type FilterDependencies,
  inTransaction,
  listPage,
  MAX_CACHED_LIST_IDS,
  orderColumn,
  pick,
} from '../common.js';
import { customFieldDefs } from '../fields/repo.js';
import { applyFieldValues, type FieldDef, fieldValuesToArray } from '../fields/values.js';
import type { TicketOutput, TicketQuery, TicketWrite } from './schemas.js';
import { applyStatusChange, changeTicketStatus, defaultOpenStatus, STATUS_CLOSED } from './status-change.js';

type ListQuery = HaloListQuery & TicketQuery;
type TicketFrom = SelectQueryBuilder<DB & { t: DB['ticket'] }, 't', object>;

const invalid = (path: string, message: string): AppError =>
  new AppError('validation', `${path}: ${message}`, [{ path, message }]);

/**
 * The filters, on the ticket table alone: the count query needs no joins and the indexes on ticket apply. Also
 * what they read (`deps`: the ticket columns and other tables), for the cached list totals and ids (listPage).
 * The id (`ticketids`) is not listed: it never changes.
 */
function filtered(db: Kysely<DB>, q: ListQuery): { query: TicketFrom; deps: FilterDependencies } {
  if (q.open_only && q.closed_only)
    throw invalid('querystring.closed_only', 'open_only and closed_only cannot both be true');
  let query = db.selectFrom('ticket as t') as TicketFrom;
  const deps: FilterDependencies = { columns: [], tables: [] };
  const reads = (...columns: string[]) => {
    for (const c of columns) if (!deps.columns.includes(c)) deps.columns.push(c);
  };
  // dateclosed is set exactly while the status is a closed one (status-change.ts keeps it so).
  if (q.open_only) {
    reads('dateclosed');
    query = query.where('t.dateclosed', 'is', null);
  }
  if (q.closed_only) {
    reads('dateclosed');
    query = query.where('t.dateclosed', 'is not', null);
  }
  if (q.status_id !== undefined) {
    reads('status_id');
    query = query.where('t.status_id', '=', q.status_id);
  }
  if (q.status?.length) {
    reads('status_id');
    query = query.where('t.status_id', 'in', q.status);
  }
  const typeId = q.requesttype_id ?? q.tickettype_id;
  if (typeId !== undefined) {
    reads('tickettype_id');
    query = query.where('t.tickettype_id', '=', typeId);
  }
  if (q.requesttype?.length) {
    reads('tickettype_id');
    query = query.where('t.tickettype_id', 'in', q.requesttype);
  }
  for (const column of ['client_id', 'site_id', 'user_id', 'agent_id', 'atera_alert_id', 'isalert'] as const) {
    const value = q[column];
    if (value === undefined) continue;
    reads(column);
    query = query.where(`t.${column}`, '=', value);
  }
  if (q.ticketids?.length) query = query.where('t.id', 'in', q.ticketids);
  if (q.lastupdatefromdate) {
    reads('updated_at');
    query = query.where('t.updated_at', '>=', q.lastupdatefromdate);
  }
  if (q.lastupdatetodate) {
    reads('updated_at');
    query = query.where('t.updated_at', '<=', q.lastupdatetodate);
  }
  const assetId = q.asset_id;
  if (assetId !== undefined) {
    deps.tables.push('ticket_asset');
    query = query.where('t.id', 'in', (eb) =>
      eb.selectFrom('ticket_asset').select('ticket_id').where('asset_id', '=', assetId),
    );
  }
  if (q.search) {
    reads('summary', 'details');
    const pattern = likePattern(q.search);
    const asId = /^\d{1,9}$/.test(q.search.trim()) ? Number(q.search.trim()) : undefined;
    query = query.where((eb) =>
      eb.or([
        eb('t.summary', 'ilike', pattern),
        eb('t.details', 'ilike', pattern),
        ...(asId !== undefined ? [eb('t.id', '=', asId)] : []),
      ]),
    );
  }
  return { query, deps };
}

function withNames(query: TicketFrom) {
  return query
    .leftJoin('ticket_type as tt', 'tt.id', 't.tickettype_id')
    .leftJoin('status as s', 's.id', 't.status_id')
    .leftJoin('priority as p', 'p.id', 't.priority_id')
    .leftJoin('client as c', 'c.id', 't.client_id')
    .leftJoin('site as si', 'si.id', 't.site_id')
    .leftJoin('users as u', 'u.id', 't.user_id')
    .leftJoin('agent as a', 'a.id', 't.agent_id')
    .select([
      't.id',
      't.summary',
      't.details',
      't.tickettype_id',
      'tt.name as tickettype_name',
      't.status_id',
      's.name as status_name',
      't.priority_id',
      'p.name as priority_name',
      't.client_id',
      'c.name as client_name',
      't.site_id',
      'si.name as site_name',
      't.user_id',
      'u.name as user_name',
      't.agent_id',
      'a.name as agent_name',
      't.dateoccurred',
      't.dateclosed',
      't.isalert',
      't.atera_alert_id',
      't.customfields',
      't.created_at',
      't.updated_at',
      // Closed now, or closed at some point (an action moved it to a closed status): uses action_ticket_idx.
      sql<boolean>`(t.dateclosed IS NOT NULL OR EXISTS (
        SELECT 1 FROM action ha JOIN status hs ON hs.id = ha.new_status
        WHERE ha.ticket_id = t.id AND hs.type = ${STATUS_CLOSED}))`.as('hasbeenclosed'),
    ]);
}

type TicketRow = Awaited<ReturnType<ReturnType<typeof withNames>['execute']>>[number];
type AssetRef = { id: number; inventory_number: string | null };

/** The assets of many tickets in one query (no N+1). */
async function assetsOf(db: Kysely<DB>, ticketIds: number[]): Promise<Map<number, AssetRef[]>> {
  const out = new Map<number, AssetRef[]>();
  if (ticketIds.length === 0) return out;
  const rows = await db
    .selectFrom('ticket_asset as ta')
    .innerJoin('asset as x', 'x.id', 'ta.asset_id')
    .select(['ta.ticket_id', 'x.id', 'x.inventory_number'])
    .where('ta.ticket_id', 'in', ticketIds)
    .orderBy('ta.ticket_id')
    .orderBy('x.id')
    .execute();
  for (const r of rows) {
    const list = out.get(r.ticket_id) ?? [];
    list.push({ id: r.id, inventory_number: r.inventory_number });
    out.set(r.ticket_id, list);
  }
  return out;
}

function toOutput(r: TicketRow, assets: AssetRef[], defs: FieldDef[]): TicketOutput {
  return {
    id: r.id,
    summary: r.summary,
    details: r.details,
    tickettype_id: r.tickettype_id,
    tickettype_name: r.tickettype_name,
    status_id: r.status_id,
    status_name: r.status_name,
    priority_id: r.priority_id,
    priority_name: r.priority_name,
    client_id: r.client_id,
    client_name: r.client_name,
    site_id: r.site_id,
    site_name: r.site_name,
    user_id: r.user_id,
    user_name: r.user_name,
    agent_id: r.agent_id,
    agent_name: r.agent_name,
    assets,
    dateoccurred: r.dateoccurred,
    datecreated: r.created_at,
    dateclosed: r.dateclosed,
    hasbeenclosed: Boolean(r.hasbeenclosed),
    _isalert: r.isalert,
    atera_alert_id: r.atera_alert_id,
    customfields: fieldValuesToArray(r.customfields, defs),
    last_update: r.updated_at,
  };
}

const ORDER = {
  id: 't.id',
  dateoccurred: 't.dateoccurred',
  dateoccured: 't.dateoccurred', // Halo's own spelling in datesearch
  summary: 't.summary',
  status_id: 't.status_id',
} as const;

/** One count query and one page query (plus one for the page's assets), whatever the page size. */
export async function listTickets(
  ctx: AppContext,
  q: ListQuery,
  p: Paging,
): Promise<{ rows: TicketOutput[]; total: number }> {
  const { query: base, deps } = filtered(ctx.db, q);
  const col = orderColumn(q.order, ORDER, 't.id');
  const dir = q.orderdesc ? 'desc' : 'asc';
  // The page is chosen on the ticket table alone (no joins): in the default id order from the list's cached ids
  // (listPage), otherwise with an OFFSET walk of the indexes; the names are joined for that page's rows only.
  const [{ ids, total }, defs] = await Promise.all([
    listPage(
      ctx.db,
      'ticket',
      deps,
      {
        allIds:
          col === 't.id'
            ? base
                .select('t.id')
                .orderBy('t.id')
                .limit(MAX_CACHED_LIST_IDS + 1)
            : null,
        offsetPage: () =>
          base.select('t.id').orderBy(col, dir).orderBy('t.id', dir).limit(p.limit).offset(p.offset).execute(),
        count: base.select((eb) => eb.fn.countAll<number>().as('n')),
      },
      dir,
      p,
    ),
    customFieldDefs(ctx.db, 'ticket'),
  ]);
  const position = new Map(ids.map((id, i) => [id, i]));
  const rows = ids.length
    ? (
        await withNames(ctx.db.selectFrom('ticket as t') as TicketFrom)
          .where('t.id', 'in', ids)
          .execute()
      ).sort((a, b) => position.get(a.id)! - position.get(b.id)!)
    : [];
  const assets = await assetsOf(
    ctx.db,
    rows.map((r) => r.id),
  );
  return { rows: rows.map((r) => toOutput(r, assets.get(r.id) ?? [], defs)), total };
}

export async function getTicket(ctx: AppContext, id: number, db: Kysely<DB> = ctx.db): Promise<TicketOutput> {
  const row = await withNames(db.selectFrom('ticket as t') as TicketFrom)
    .where('t.id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound('Ticket', id);
  const [assets, defs] = [await assetsOf(db, [id]), await customFieldDefs(db, 'ticket')];
  return toOutput(row, assets.get(id) ?? [], defs);
}

type Parties = { client_id: number | null; site_id: number | null; user_id: number | null };

/**
 * Who the ticket is for. A site or user sent without a client gives the client; a site or user kept
 * from before that does not belong to a changed client is dropped; a site or user sent that does not
 * belong to the ticket's client is refused, naming the field.
 */
async function resolveParties(
  tx: Kysely<DB>,
  item: TicketWrite,
  current: Parties | null,
  path: string,
): Promise<Parties> {
  await assertExists(tx, 'client', item.client_id, `${path}.client_id`);
  const siteId = item.site_id !== undefined ? item.site_id : (current?.site_id ?? null);
  const userId = item.user_id !== undefined ? item.user_id : (current?.user_id ?? null);
  const site = siteId
    ? await tx.selectFrom('site').select(['id', 'client_id']).where('id', '=', siteId).executeTakeFirst()
    : undefined;
  if (siteId && !site) throw invalid(`${path}.site_id`, `site ${siteId} does not exist`);
  const user = userId
    ? await tx.selectFrom('users').select(['id', 'client_id', 'site_id']).where('id', '=', userId).executeTakeFirst()
    : undefined;
  if (userId && !user) throw invalid(`${path}.user_id`, `users ${userId} does not exist`);

  let clientId: number | null;
  if (item.client_id !== undefined) clientId = item.client_id;
  else if (item.site_id && site) clientId = site.client_id;
  else if (item.user_id && user?.client_id) clientId = user.client_id;
  else clientId = current?.client_id ?? null;

  let outSite = site ? site.id : null;
  if (site && site.client_id !== clientId) {
    if (item.site_id !== undefined)
      throw invalid(
        `${path}.site_id`,
        `site ${site.id} belongs to client ${site.client_id}, not ${clientId === null ? 'no client' : `client ${clientId}`}`,
      );
    outSite = null;
  }
  // A user given without a site brings their own site when it belongs to the same client.
  if (outSite === null && item.site_id === undefined && item.user_id && user?.site_id) {
    const userSite = await tx
      .selectFrom('site')
      .select(['id', 'client_id'])
      .where('id', '=', user.site_id)
      .executeTakeFirst();
    if (userSite && userSite.client_id === clientId) outSite = userSite.id;
  }
  let outUser = user ? user.id : null;
  if (user && user.client_id !== null && user.client_id !== clientId) {
    if (item.user_id !== undefined)
      throw invalid(
        `${path}.user_id`,
        `user ${user.id} belongs to client ${user.client_id}, not ${clientId === null ? 'no client' : `client ${clientId}`}`,
      );
    outUser = null;
  }
  return { client_id: clientId, site_id: outSite, user_id: outUser };
}

async function assertAssets(tx: Kysely<DB>, assets: { id: number }[] | undefined, path: string): Promise<number[]> {
  if (!assets) return [];
  const ids = [...new Set(assets.map((a) => a.id))];
  if (ids.length === 0) return [];
  const found = new Set((await tx.selectFrom('asset').select('id').where('id', 'in', ids).execute()).map((r) => r.id));
  const missing = assets.findIndex((a) => !found.has(a.id));
  if (missing >= 0) throw invalid(`${path}.assets[${missing}].id`, `asset ${assets[missing]!.id} does not exist`);
  return ids;
}

async function assertAlertFree(
  tx: Kysely<DB>,
  alertId: number | null | undefined,
  exceptId: number | null,
  path: string,
) {
  if (alertId === null || alertId === undefined) return;
  let q = tx.selectFrom('ticket').select('id').where('atera_alert_id', '=', alertId);
  if (exceptId !== null) q = q.where('id', '<>', exceptId);
  const other = await q.executeTakeFirst();
  if (other)
    throw new AppError('conflict', `${path}.atera_alert_id: Atera alert ${alertId} already has ticket ${other.id}`, [
      { path: `${path}.atera_alert_id`, message: 'already exists' },
    ]);
}

async function replaceAssets(tx: Kysely<DB>, ticketId: number, assetIds: number[]): Promise<void> {
  await tx.deleteFrom('ticket_asset').where('ticket_id', '=', ticketId).execute();
  if (assetIds.length > 0)
    await tx
      .insertInto('ticket_asset')
      .values(assetIds.map((asset_id) => ({ ticket_id: ticketId, asset_id })))
      .execute();
}

async function loadStatus(tx: Kysely<DB>, id: number, path: string): Promise<Row<'status'>> {
  const row = await tx.selectFrom('status').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw invalid(path, `status ${id} does not exist`);
  return row;
}

async function defaultTicketType(tx: Kysely<DB>, path: string): Promise<Row<'ticket_type'>> {
  const row = await tx
    .selectFrom('ticket_type')
    .selectAll()
    .where(sql<string>`lower(name)`, '=', 'incident')
    .executeTakeFirst();
  if (!row) throw invalid(path, 'required: there is no ticket type named "Incident" to default to');
  return row;
}

async function createTicket(
  ctx: AppContext,
  tx: Kysely<DB>,
  item: TicketWrite,
  defs: FieldDef[],
  actor: Actor,
  path: string,
): Promise<number> {
  if (!item.summary) throw invalid(`${path}.summary`, 'required to create a ticket');
  let type: Row<'ticket_type'>;
  if (item.tickettype_id !== undefined) {
    const found = await tx
      .selectFrom('ticket_type')
      .selectAll()
      .where('id', '=', item.tickettype_id)
      .executeTakeFirst();
    if (!found) throw invalid(`${path}.tickettype_id`, `ticket_type ${item.tickettype_id} does not exist`);
    type = found;
  } else type = await defaultTicketType(tx, `${path}.tickettype_id`);
  const status =
    item.status_id !== undefined
      ? await loadStatus(tx, item.status_id, `${path}.status_id`)
      : await defaultOpenStatus(tx);
  let priorityId = item.priority_id;
  if (priorityId === undefined && type.default_priority !== null) {
    // A default that no longer exists is skipped rather than refused: the caller did not send it.
    const p = await tx.selectFrom('priority').select('id').where('id', '=', type.default_priority).executeTakeFirst();
    priorityId = p?.id ?? null;
  }
  await assertExists(tx, 'priority', item.priority_id, `${path}.priority_id`);
  await assertExists(tx, 'agent', item.agent_id, `${path}.agent_id`);
  const parties = await resolveParties(tx, item, null, path);
  const assetIds = await assertAssets(tx, item.assets, path);
  await assertAlertFree(tx, item.atera_alert_id, null, path);
  const now = ctx.clock.now().toISOString();
  const created = await tx
    .insertInto('ticket')
    .values({
      summary: item.summary,
      details: item.details ?? null,
      tickettype_id: type.id,
      status_id: status.id,
      priority_id: priorityId ?? null,
      ...parties,
      agent_id: item.agent_id ?? null,
      dateoccurred: item.dateoccurred ?? now,
      isalert: item._isalert ?? false,
      atera_alert_id: item.atera_alert_id ?? null,
      customfields: JSON.stringify(applyFieldValues({}, item.customfields, defs, `${path}.customfields`)),
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await replaceAssets(tx, created.id, assetIds);
  // Created straight into a closed status: closed like any other close (dateclosed, action, event).
  if (status.type === STATUS_CLOSED) await applyStatusChange(ctx, tx, created, null, status, actor);
  return created.id;
}

async function updateTicket(
  ctx: AppContext,
  tx: Kysely<DB>,
  item: TicketWrite & { id: number },
  defs: FieldDef[],
  actor: Actor,
  path: string,
): Promise<void> {
  const existing = await tx.selectFrom('ticket').selectAll().where('id', '=', item.id).forUpdate().executeTakeFirst();
  if (!existing) throw notFound('Ticket', item.id);
  if (item.tickettype_id !== undefined)
    await assertExists(tx, 'ticket_type', item.tickettype_id, `${path}.tickettype_id`);
  if (item.status_id !== undefined) await loadStatus(tx, item.status_id, `${path}.status_id`);
  await assertExists(tx, 'priority', item.priority_id, `${path}.priority_id`);
  await assertExists(tx, 'agent', item.agent_id, `${path}.agent_id`);
  const partiesSent = item.client_id !== undefined || item.site_id !== undefined || item.user_id !== undefined;
  const parties = partiesSent ? await resolveParties(tx, item, existing, path) : {};
  const assetIds = item.assets ? await assertAssets(tx, item.assets, path) : null;
  await assertAlertFree(tx, item.atera_alert_id, item.id, path);
  await tx
    .updateTable('ticket')
    .set({
      ...pick(item, [
        'summary',
        'details',
        'tickettype_id',
        'priority_id',
        'agent_id',
        'dateoccurred',
        'atera_alert_id',
      ] as const),
      ...parties,
      ...(item._isalert !== undefined ? { isalert: item._isalert } : {}),
      ...(item.customfields
        ? {
            customfields: JSON.stringify(
              applyFieldValues(existing.customfields as FieldValues, item.customfields, defs, `${path}.customfields`),
            ),
          }
        : {}),
      updated_at: ctx.clock.now().toISOString(),
    })
    .where('id', '=', item.id)
    .execute();
  if (assetIds) await replaceAssets(tx, item.id, assetIds);
  if (item.status_id !== undefined && item.status_id !== existing.status_id)
    await changeTicketStatus(ctx, tx, item.id, item.status_id, actor);
}

/** Creates or partially updates tickets, all in one transaction. Technicians may do this. */
export async function saveTickets(ctx: AppContext, items: TicketWrite[], actor: Actor): Promise<TicketOutput[]> {
  return inTransaction(ctx.db, async (tx) => {
    const defs = await customFieldDefs(tx, 'ticket');
    const ids: number[] = [];
    for (const [i, item] of items.entries()) {
      const path = `body[${i}]`;
      if (item.id) {
        await updateTicket(ctx, tx, { ...item, id: item.id }, defs, actor, path);
        ids.push(item.id);
      } else ids.push(await createTicket(ctx, tx, item, defs, actor, path));
    }
    const out: TicketOutput[] = [];
    for (const id of ids) out.push(await getTicket(ctx, id, tx));
    return out;
  });
}

/** Deletes a ticket with its actions and asset links. Administrators only. */
export async function deleteTicket(ctx: AppContext, id: number, actor: Actor): Promise<void> {
  if (actor.role !== 'admin') throw new AppError('forbidden', 'Only administrators can delete tickets');
  await inTransaction(ctx.db, async (tx) => {
    const gone = await tx.deleteFrom('ticket').where('id', '=', id).returning('id').executeTakeFirst();
    if (!gone) throw notFound('Ticket', id);
  });
}
