import { type Kysely, sql } from 'kysely';
import type { Actor, AppContext } from '../../app/context.js';
import { hashPassword } from '../../core/crypto.js';
import { AppError, notFound } from '../../core/errors.js';
import type { DB } from '../../db/schema.js';
import { type HaloListQuery, likePattern, type Paging } from '../../http/halo-query.js';
import { conflict, eitherOf, invalid } from '../checks.js';
import { inTransaction, orderColumn } from '../common.js';
import type { AgentOutput, AgentWrite } from './schemas.js';

type AgentQuery = HaloListQuery & {
  includedisabled?: boolean;
  includeenabled?: boolean;
  role?: 'admin' | 'technician';
  login?: string;
};

const SELECT = ['id', 'name', 'login', 'email', 'role', 'disabled', 'lastlogindate'] as const;

interface AgentRow {
  id: number;
  name: string;
  login: string;
  email: string | null;
  role: 'admin' | 'technician';
  disabled: boolean;
  lastlogindate: string | null;
}

const toOutput = (r: AgentRow): AgentOutput => ({ ...r, isdisabled: r.disabled });

export async function listAgents(
  ctx: AppContext,
  q: AgentQuery,
  p: Paging,
): Promise<{ rows: AgentOutput[]; total: number }> {
  let query = ctx.db.selectFrom('agent');
  // Halo lists enabled agents; includedisabled (or includeinactive) adds the disabled ones.
  const withDisabled = q.includedisabled ?? q.includeinactive ?? false;
  const withEnabled = q.includeenabled ?? !(q.includeinactive && q.includeactive === false);
  if (!withDisabled) query = query.where('disabled', '=', false);
  if (!withEnabled) query = query.where('disabled', '=', true);
  if (q.role) query = query.where('role', '=', q.role);
  if (q.login) {
    const login = q.login.toLowerCase();
    query = query.where((eb) => eb(eb.fn('lower', ['login']), '=', login));
  }
  if (q.search) {
    const pattern = likePattern(q.search);
    query = query.where((eb) =>
      eb.or([eb('name', 'ilike', pattern), eb('email', 'ilike', pattern), eb('login', 'ilike', pattern)]),
    );
  }
  const col = orderColumn(q.order, { name: 'name', id: 'id', login: 'login', email: 'email' } as const, 'name');
  const [rows, count] = await Promise.all([
    query
      .select(SELECT)
      .orderBy(col, q.orderdesc ? 'desc' : 'asc')
      .orderBy('id')
      .limit(p.limit)
      .offset(p.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows: rows.map(toOutput), total: count.n };
}

export async function getAgent(ctx: AppContext, id: number, db: Kysely<DB> = ctx.db): Promise<AgentOutput> {
  const row = await db.selectFrom('agent').select(SELECT).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Agent', id);
  return toOutput(row);
}

/** GET /Agent/me: the signed-in agent. API applications are not agents, so they get 404. */
export async function getCurrentAgent(ctx: AppContext, actor: Actor): Promise<AgentOutput> {
  if (actor.kind !== 'agent' || actor.id === null) {
    throw new AppError('not_found', `This token belongs to the API application "${actor.name}", not to an agent`);
  }
  return getAgent(ctx, actor.id);
}

async function assertLoginFree(tx: Kysely<DB>, login: string, selfId: number | null, path: string): Promise<void> {
  let q = tx
    .selectFrom('agent')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['login']), '=', login.toLowerCase()));
  if (selfId !== null) q = q.where('id', '<>', selfId);
  const other = await q.executeTakeFirst();
  if (other) throw conflict(`${path}: an agent with login "${login}" already exists (agent ${other.id})`, path);
}

/**
 * Keel must keep one enabled admin agent who can sign in. The enabled admins are locked (FOR UPDATE)
 * before the batch changes any role or disabled flag, so two concurrent requests that each disable
 * "the other" admin serialise and the second one sees the first one's result.
 */
async function lockEnabledAdmins(tx: Kysely<DB>): Promise<number[]> {
  const rows = await tx
    .selectFrom('agent')
    .select('id')
    .where('role', '=', 'admin')
    .where('disabled', '=', false)
    .orderBy('id')
    .forUpdate()
    .execute();
  return rows.map((r) => r.id);
}

/** Creates or partially updates agents in one transaction; passwords are hashed, never stored or returned. */
export async function saveAgents(ctx: AppContext, items: AgentWrite[], actor: Actor): Promise<AgentOutput[]> {
  // Hash outside the transaction: scrypt takes tens of milliseconds and PGlite has one connection.
  const hashes = await Promise.all(items.map((it) => (it.password ? hashPassword(it.password) : null)));
  return inTransaction(ctx.db, async (tx) => {
    const touchesAdmins = items.some(
      (it) => it.id && (it.role !== undefined || it.disabled !== undefined || it.isdisabled !== undefined),
    );
    const adminsBefore = touchesAdmins ? await lockEnabledAdmins(tx) : [];
    const ids: number[] = [];
    for (const [i, item] of items.entries()) {
      const path = `body[${i}]`;
      const disabled = eitherOf(item.disabled, item.isdisabled, `${path}.disabled`, `${path}.isdisabled`);
      const password_hash = hashes[i] ?? undefined;
      if (item.id) {
        const existing = await tx.selectFrom('agent').select('id').where('id', '=', item.id).executeTakeFirst();
        if (!existing) throw notFound('Agent', item.id);
        if (item.login !== undefined) await assertLoginFree(tx, item.login, item.id, `${path}.login`);
        await tx
          .updateTable('agent')
          .set({
            ...(item.name !== undefined ? { name: item.name } : {}),
            ...(item.login !== undefined ? { login: item.login } : {}),
            ...(item.email !== undefined ? { email: item.email } : {}),
            ...(item.role !== undefined ? { role: item.role } : {}),
            ...(disabled !== undefined ? { disabled } : {}),
            ...(password_hash ? { password_hash } : {}),
            updated_at: new Date().toISOString(),
          })
          .where('id', '=', item.id)
          .execute();
        // A new password ends the agent's other sessions (a change is often a response to a leak).
        if (password_hash && !(actor.kind === 'agent' && actor.id === item.id)) {
          await tx.deleteFrom('auth_token').where('agent_id', '=', item.id).execute();
        }
        ids.push(item.id);
      } else {
        if (!item.login) throw invalid(`${path}.login`, 'required to create an agent');
        await assertLoginFree(tx, item.login, null, `${path}.login`);
        const created = await tx
          .insertInto('agent')
          .values({
            name: item.name ?? item.login,
            login: item.login,
            email: item.email ?? null,
            role: item.role ?? 'technician',
            disabled: disabled ?? false,
            password_hash: password_hash ?? null,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        ids.push(created.id);
      }
    }
    if (adminsBefore.length > 0) {
      const { n } = await tx
        .selectFrom('agent')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('role', '=', 'admin')
        .where('disabled', '=', false)
        .executeTakeFirstOrThrow();
      if (n === 0) {
        throw conflict(
          'This change would leave no enabled admin agent: keep at least one admin enabled (make another agent admin first)',
        );
      }
    }
    const out: AgentOutput[] = [];
    for (const id of ids) out.push(await getAgent(ctx, id, tx));
    return out;
  });
}

/**
 * Deletes an agent without history. Refused (409) for the last enabled admin, for the caller
 * themself, and while tickets are assigned to the agent or actions were written by them: disable instead.
 */
export async function deleteAgent(ctx: AppContext, id: number, actor: Actor): Promise<void> {
  await inTransaction(ctx.db, async (tx) => {
    const admins = await lockEnabledAdmins(tx);
    const existing = await tx.selectFrom('agent').select(['id']).where('id', '=', id).executeTakeFirst();
    if (!existing) throw notFound('Agent', id);
    if (actor.kind === 'agent' && actor.id === id) throw conflict('You cannot delete your own agent');
    if (admins.length === 1 && admins[0] === id) {
      throw conflict(`Agent ${id} is the last enabled admin; make another agent admin before deleting it`);
    }
    const used = await sql<{ tickets: number; actions: number }>`
      SELECT (SELECT count(*) FROM ticket WHERE agent_id = ${id})::int AS tickets,
             (SELECT count(*) FROM action WHERE who_agentid = ${id})::int AS actions`.execute(tx);
    const u = used.rows[0]!;
    if (u.tickets > 0 || u.actions > 0) {
      throw conflict(
        `Agent ${id} has ${u.tickets} assigned tickets and ${u.actions} actions; disable the agent instead (isdisabled: true)`,
      );
    }
    await tx.deleteFrom('agent').where('id', '=', id).execute();
  });
}
