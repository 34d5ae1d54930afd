import type { Kysely } from 'kysely';
import type { Actor } from '../app/context.js';
import { randomToken, sha256, verifyPassword } from '../core/crypto.js';
import { AppError } from '../core/errors.js';
import { cachedRead } from '../db/read-cache.js';
import type { DB } from '../db/schema.js';

export interface IssuedToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

async function issue(
  db: Kysely<DB>,
  now: Date,
  ttlSeconds: number,
  owner: { agent_id?: number; application_id?: number; role: 'admin' | 'technician' },
): Promise<IssuedToken> {
  const token = randomToken();
  await db
    .insertInto('auth_token')
    .values({
      token_hash: sha256(token),
      agent_id: owner.agent_id ?? null,
      application_id: owner.application_id ?? null,
      role: owner.role,
      expires_at: new Date(now.getTime() + ttlSeconds * 1000).toISOString(),
    })
    .execute();
  // Expired tokens are pruned opportunistically so the table never grows without bound.
  await db.deleteFrom('auth_token').where('expires_at', '<', now.toISOString()).execute();
  return { access_token: token, token_type: 'Bearer', expires_in: ttlSeconds, scope: 'all' };
}

const INVALID_LOGIN = 'Invalid username or password';
/** Verified against when the login is unknown, so an unknown user costs the same scrypt time as a wrong password. */
const DUMMY_HASH = 'scrypt$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

/** grant_type=password: an agent logs in with login (or email) and password. */
export async function passwordGrant(
  db: Kysely<DB>,
  now: Date,
  ttlSeconds: number,
  username: string,
  password: string,
): Promise<IssuedToken> {
  const agent = await db
    .selectFrom('agent')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb(eb.fn('lower', ['login']), '=', username.toLowerCase()),
        eb(eb.fn('lower', ['email']), '=', username.toLowerCase()),
      ]),
    )
    .executeTakeFirst();
  // The same message for unknown user, wrong password and disabled agent: no account enumeration.
  const ok = await verifyPassword(password, agent?.password_hash ?? DUMMY_HASH);
  if (!agent?.password_hash || !ok || agent.disabled) {
    throw new AppError('unauthorized', INVALID_LOGIN);
  }
  await db.updateTable('agent').set({ lastlogindate: now.toISOString() }).where('id', '=', agent.id).execute();
  return issue(db, now, ttlSeconds, { agent_id: agent.id, role: agent.role });
}

/** grant_type=client_credentials: an API application with its client id and secret. */
export async function clientCredentialsGrant(
  db: Kysely<DB>,
  now: Date,
  ttlSeconds: number,
  clientId: string,
  clientSecret: string,
): Promise<IssuedToken> {
  const app = await db.selectFrom('api_application').selectAll().where('client_id', '=', clientId).executeTakeFirst();
  if (!app || app.disabled || !(await verifyPassword(clientSecret, app.secret_hash))) {
    throw new AppError('unauthorized', 'Invalid client_id or client_secret');
  }
  await db.updateTable('api_application').set({ lastused_at: now.toISOString() }).where('id', '=', app.id).execute();
  return issue(db, now, ttlSeconds, { application_id: app.id, role: app.role });
}

/** Resolves a bearer token to the acting agent or application; expired or unknown tokens are refused. */
export async function authenticate(db: Kysely<DB>, now: Date, token: string): Promise<Actor> {
  const hash = sha256(token);
  // Cached for a few seconds (read-cache.ts): a revoke or a disabled agent in this process applies at once, one
  // made by another process within READ_CACHE_TTL_MS. The expiry below is checked on every request regardless.
  const row = await cachedRead(db, `auth_token:${hash}`, ['auth_token', 'agent', 'api_application'], () =>
    db
      .selectFrom('auth_token as t')
      .leftJoin('agent as a', 'a.id', 't.agent_id')
      .leftJoin('api_application as p', 'p.id', 't.application_id')
      .select([
        't.expires_at',
        't.agent_id',
        't.application_id',
        'a.name as agent_name',
        'a.role as agent_role',
        'a.disabled as agent_disabled',
        'p.name as app_name',
        'p.role as app_role',
        'p.disabled as app_disabled',
      ])
      .where('t.token_hash', '=', hash)
      .executeTakeFirst(),
  );
  if (!row) throw new AppError('unauthorized', 'The access token is not valid: request a new one at /auth/token');
  if (new Date(row.expires_at).getTime() <= now.getTime()) {
    throw new AppError('unauthorized', 'The access token has expired: request a new one at /auth/token');
  }
  if (row.agent_id !== null) {
    if (row.agent_disabled || !row.agent_role) throw new AppError('unauthorized', 'This agent is disabled');
    return { kind: 'agent', id: row.agent_id, name: row.agent_name ?? 'agent', role: row.agent_role };
  }
  if (row.app_disabled || !row.app_role) throw new AppError('unauthorized', 'This API application is disabled');
  return { kind: 'application', id: row.application_id, name: row.app_name ?? 'application', role: row.app_role };
}

export async function revokeToken(db: Kysely<DB>, token: string): Promise<void> {
  await db.deleteFrom('auth_token').where('token_hash', '=', sha256(token)).execute();
}
