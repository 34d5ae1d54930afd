import type { Kysely } from 'kysely';
import type { AppContext } from '../../app/context.js';
import { AppError, notFound } from '../../core/errors.js';
import type { DB } from '../../db/schema.js';
import { type HaloListQuery, likePattern, type Paging } from '../../http/halo-query.js';
import { inTransaction, pick } from '../common.js';
import type { IntegrationErrorOutput, IntegrationErrorQuery, IntegrationErrorWrite } from './schemas.js';

const SELECT = ['id', 'module', 'entity_type', 'entity_id', 'entity_name', 'error', 'date', 'run_id'] as const;

export interface IntegrationErrorInput {
  module: string;
  entity_type?: string | null;
  entity_id?: string | number | null;
  entity_name?: string | null;
  error: string;
  run_id?: number | null;
}

/**
 * Records one failure of an integration (for the integration code: sync runs, alert processing).
 * Pass the transaction handle when inside one. Long texts are cut so a huge error cannot bloat the table.
 */
export async function recordIntegrationError(db: Kysely<DB>, e: IntegrationErrorInput): Promise<number> {
  const row = await db
    .insertInto('integration_error')
    .values({
      module: e.module.slice(0, 100),
      entity_type: e.entity_type?.slice(0, 100) ?? null,
      entity_id: e.entity_id === null || e.entity_id === undefined ? null : String(e.entity_id).slice(0, 255),
      entity_name: e.entity_name?.slice(0, 500) ?? null,
      error: e.error.slice(0, 10_000),
      run_id: e.run_id ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Newest first; `orderdesc=false` lists oldest first. */
export async function listIntegrationErrors(
  ctx: AppContext,
  q: HaloListQuery & IntegrationErrorQuery,
  p: Paging,
): Promise<{ rows: IntegrationErrorOutput[]; total: number }> {
  let query = ctx.db.selectFrom('integration_error');
  if (q.module) query = query.where('module', '=', q.module);
  if (q.entity_type) query = query.where('entity_type', '=', q.entity_type);
  if (q.run_id !== undefined) query = query.where('run_id', '=', q.run_id);
  if (q.search) query = query.where('error', 'ilike', likePattern(q.search));
  const [rows, count] = await Promise.all([
    query
      .select(SELECT)
      .orderBy('id', (q.orderdesc ?? true) ? 'desc' : 'asc')
      .limit(p.limit)
      .offset(p.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: count.n };
}

export async function getIntegrationError(
  ctx: AppContext,
  id: number,
  db: Kysely<DB> = ctx.db,
): Promise<IntegrationErrorOutput> {
  const row = await db.selectFrom('integration_error').select(SELECT).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('IntegrationError', id);
  return row;
}

export async function saveIntegrationErrors(
  ctx: AppContext,
  items: IntegrationErrorWrite[],
): Promise<IntegrationErrorOutput[]> {
  return inTransaction(ctx.db, async (tx) => {
    const ids: number[] = [];
    for (const [i, item] of items.entries()) {
      const path = `body[${i}]`;
      if (item.id) {
        const existing = await tx
          .selectFrom('integration_error')
          .select('id')
          .where('id', '=', item.id)
          .executeTakeFirst();
        if (!existing) throw notFound('IntegrationError', item.id);
        const set = pick(item, ['module', 'entity_type', 'entity_id', 'entity_name', 'error', 'run_id'] as const);
        if (Object.keys(set).length > 0)
          await tx.updateTable('integration_error').set(set).where('id', '=', item.id).execute();
        ids.push(item.id);
      } else {
        for (const field of ['module', 'error'] as const)
          if (!item[field])
            throw new AppError('validation', `${path}.${field} is required to record an integration error`, [
              { path: `${path}.${field}`, message: 'required' },
            ]);
        ids.push(await recordIntegrationError(tx, { ...item, module: item.module!, error: item.error! }));
      }
    }
    const out: IntegrationErrorOutput[] = [];
    for (const id of ids) out.push(await getIntegrationError(ctx, id, tx));
    return out;
  });
}

export async function deleteIntegrationError(ctx: AppContext, id: number): Promise<void> {
  const gone = await ctx.db.deleteFrom('integration_error').where('id', '=', id).returning('id').executeTakeFirst();
  if (!gone) throw notFound('IntegrationError', id);
}
