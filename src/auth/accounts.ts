import type { Kysely } from 'kysely';
import { hashPassword, randomToken } from '../core/crypto.js';
import { AppError } from '../core/errors.js';
import type { DB } from '../db/schema.js';

/**
 * First start: create the `admin` agent with KEEL_ADMIN_PASSWORD, or a random password that the caller
 * prints once. Returns the generated password (null when one was given or the admin already exists).
 */
export async function ensureAdmin(
  db: Kysely<DB>,
  password?: string,
): Promise<{ created: boolean; generated: string | null }> {
  const existing = await db.selectFrom('agent').select('id').where('role', '=', 'admin').limit(1).executeTakeFirst();
  if (existing) return { created: false, generated: null };
  const generated = password ? null : randomToken(12);
  await db
    .insertInto('agent')
    .values({
      name: 'Administrator',
      login: 'admin',
      role: 'admin',
      password_hash: await hashPassword(password ?? generated!),
    })
    .execute();
  return { created: true, generated };
}

export async function resetPassword(db: Kysely<DB>, login: string, password?: string): Promise<string> {
  const pw = password ?? randomToken(12);
  if (pw.length < 8)
    throw new AppError('validation', 'The password must be at least 8 characters', [
      { path: 'password', message: 'at least 8 characters' },
    ]);
  const res = await db
    .updateTable('agent')
    .set({ password_hash: await hashPassword(pw), disabled: false })
    .where((eb) => eb(eb.fn('lower', ['login']), '=', login.toLowerCase()))
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) throw new AppError('not_found', `There is no agent with login "${login}"`);
  // Existing sessions of that agent end: a reset is usually a response to a leaked password.
  const agent = await db
    .selectFrom('agent')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['login']), '=', login.toLowerCase()))
    .executeTakeFirstOrThrow();
  await db.deleteFrom('auth_token').where('agent_id', '=', agent.id).execute();
  return pw;
}

/** `keel app create --name X`: a new API application; the secret is shown once and stored hashed. */
export async function createApplication(
  db: Kysely<DB>,
  name: string,
  role: 'admin' | 'technician' = 'admin',
): Promise<{ id: number; name: string; client_id: string; client_secret: string; role: string }> {
  if (!name.trim())
    throw new AppError('validation', 'The application needs a name', [{ path: 'name', message: 'required' }]);
  const clientId = crypto.randomUUID();
  const secret = randomToken(32);
  const row = await db
    .insertInto('api_application')
    .values({ name: name.trim(), client_id: clientId, secret_hash: await hashPassword(secret), role })
    .returning(['id'])
    .executeTakeFirstOrThrow();
  return { id: row.id, name: name.trim(), client_id: clientId, client_secret: secret, role };
}
