import type { Kysely } from 'kysely';
import type { SecretBox } from '../core/crypto.js';
import type { DB } from '../db/schema.js';

/**
 * Vendor-neutral key/value storage for an integration's settings, one row per key, plus secrets that
 * are sealed with AES-256-GCM before they touch the database and are only ever decrypted to call the
 * vendor. Nothing here returns a secret to a caller that renders responses.
 */
export async function readSettings(db: Kysely<DB>, integration: string): Promise<Record<string, unknown>> {
  const rows = await db
    .selectFrom('integration_setting')
    .select(['key', 'value'])
    .where('integration', '=', integration)
    .execute();
  return Object.fromEntries(rows.map((r) => [r.key, r.value]));
}

export async function writeSettings(
  db: Kysely<DB>,
  integration: string,
  values: Record<string, unknown>,
): Promise<void> {
  const entries = Object.entries(values).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return;
  await db
    .insertInto('integration_setting')
    .values(entries.map(([key, value]) => ({ integration, key, value: JSON.stringify(value) })))
    .onConflict((oc) =>
      oc
        .columns(['integration', 'key'])
        .doUpdateSet((eb) => ({ value: eb.ref('excluded.value'), updated_at: new Date().toISOString() })),
    )
    .execute();
}

export async function hasSecret(db: Kysely<DB>, integration: string, key: string): Promise<boolean> {
  const row = await db
    .selectFrom('integration_secret')
    .select('key')
    .where('integration', '=', integration)
    .where('key', '=', key)
    .executeTakeFirst();
  return Boolean(row);
}

export async function readSecret(
  db: Kysely<DB>,
  box: SecretBox,
  integration: string,
  key: string,
): Promise<string | null> {
  const row = await db
    .selectFrom('integration_secret')
    .select('sealed')
    .where('integration', '=', integration)
    .where('key', '=', key)
    .executeTakeFirst();
  return row ? box.decrypt(row.sealed) : null;
}

/** Stores a secret sealed; an empty string removes it. */
export async function writeSecret(
  db: Kysely<DB>,
  box: SecretBox,
  integration: string,
  key: string,
  plain: string,
): Promise<void> {
  if (plain === '') {
    await db.deleteFrom('integration_secret').where('integration', '=', integration).where('key', '=', key).execute();
    return;
  }
  await db
    .insertInto('integration_secret')
    .values({ integration, key, sealed: box.encrypt(plain) })
    .onConflict((oc) =>
      oc
        .columns(['integration', 'key'])
        .doUpdateSet((eb) => ({ sealed: eb.ref('excluded.sealed'), updated_at: new Date().toISOString() })),
    )
    .execute();
}
