import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, openTestDatabase } from '../../test/helpers/db.js';
import { createApplication } from '../auth/accounts.js';
import { authenticate, clientCredentialsGrant, revokeToken } from '../auth/tokens.js';
import { customFieldDefs } from '../psa/fields/repo.js';
import type { Database } from './database.js';
import { ReadCache, setColumns } from './read-cache.js';

describe('ReadCache', () => {
  it('serves a hit until it expires, then reads again', async () => {
    let now = 0;
    const cache = new ReadCache(1000, () => now);
    let loads = 0;
    const load = async () => ++loads;
    expect(await cache.read('k', ['t'], load)).toBe(1);
    now = 999;
    expect(await cache.read('k', ['t'], load)).toBe(1);
    now = 1001;
    expect(await cache.read('k', ['t'], load)).toBe(2);
  });

  it('a write to a table the entry read drops it; writes to other tables do not', async () => {
    const cache = new ReadCache(60_000, () => 0);
    let loads = 0;
    const load = async () => ++loads;
    await cache.read('k', ['field_info'], load);
    cache.noteStatement('select * from "field_info"');
    cache.noteStatement('insert into "ticket" ("summary") values ($1)');
    cache.noteStatement('insert into x values (1) on conflict (id) do update set y = 1');
    expect(await cache.read('k', ['field_info'], load)).toBe(1);
    for (const write of [
      'insert into "field_info" ("name") values ($1)',
      'UPDATE field_info SET name = $1',
      'with d as (delete from "field_info" where id = $1 returning id) select * from d',
      'TRUNCATE "agent", "site" RESTART IDENTITY CASCADE',
    ]) {
      const before = loads;
      cache.noteStatement(write);
      await cache.read('k', ['field_info'], load);
      expect(loads, write).toBe(before + 1);
    }
  });

  it('a count entry survives updates of columns its filter does not read, and nothing else', async () => {
    const cache = new ReadCache(60_000, () => 0);
    let loads = 0;
    const load = async () => ++loads;
    const read = () =>
      cache.read('count', ['asset_type'], load, { table: 'asset', columns: ['inactive', 'client_id'] });
    await read();
    for (const harmless of [
      'update "asset" set "notes" = $1, "updated_at" = $2 where "id" = $3',
      'UPDATE asset AS a SET notes = v.notes, updated_at = now() FROM (VALUES ($1::int4, $2::text)) AS v(id, notes) WHERE a.id = v.id',
      'update "ticket" set "dateclosed" = $1 where "id" = $2',
      'insert into "ticket" ("summary") values ($1)',
    ]) {
      cache.noteStatement(harmless);
      expect(await read(), harmless).toBe(1);
    }
    for (const write of [
      'update "asset" set "inactive" = $1 where "id" = $2',
      'UPDATE asset AS a SET notes = v.notes, client_id = v.client_id FROM (VALUES ($1::int4)) AS v(id) WHERE a.id = v.id',
      'insert into "asset" ("inventory_number") values ($1)',
      'delete from "asset" where "id" = $1',
      'with u as (update "asset" set "client_id" = $1 where "id" = $2 returning id) select * from u',
      'update "asset" set ("notes", "inactive") = ($1, $2)',
      'insert into "asset_type" ("name") values ($1)',
    ]) {
      const before = loads;
      cache.noteStatement(write);
      expect(await read(), write).toBe(before + 1);
    }
  });

  it('reads the columns an UPDATE sets, or says it cannot', () => {
    const cols = (sql: string) => {
      const m = /update\s+"?\w+"?/i.exec(sql)!;
      const set = setColumns(sql, m.index + m[0].length);
      return set === null ? null : [...set].sort();
    };
    expect(cols('update "asset" set "notes" = $1, "updated_at" = now() where "id" = $2')).toEqual([
      'notes',
      'updated_at',
    ]);
    expect(cols("UPDATE asset AS a SET notes = coalesce(v.notes, 'a = b, c'), key_field = (select 1) FROM v")).toEqual([
      'key_field',
      'notes',
    ]);
    expect(cols('update "asset" set ("notes", "inactive") = ($1, $2)')).toBeNull();
    expect(cols('update "asset" where id = 1')).toBeNull();
  });

  it('does not remember failures or "not found"', async () => {
    const cache = new ReadCache(60_000, () => 0);
    await expect(cache.read('k', [], async () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    expect(await cache.read('k', [], async () => undefined)).toBeUndefined();
    expect(await cache.read('k', [], async () => 'found')).toBe('found');
  });
});

describe.each(backends())('read cache on a real database (%s)', (backend) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(backend);
  });
  afterAll(async () => database.close());

  it('field definitions: cached, refreshed by a write through the same database, never cached in a transaction', async () => {
    const db = database.db;
    const first = await customFieldDefs(db, 'asset');
    expect(await customFieldDefs(db, 'asset')).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    await db
      .insertInto('field_info')
      .values({ name: 'CFWarranty', label: 'Warranty', type: 'text', usage: 'asset' })
      .execute();
    const after = await customFieldDefs(db, 'asset');
    expect(after.map((d) => d.name)).toContain('CFWarranty');
    await db.transaction().execute(async (tx) => {
      await tx
        .insertInto('field_info')
        .values({ name: 'CFInTx', label: 'In tx', type: 'text', usage: 'asset' })
        .execute();
      // The transaction sees its own write (a cached read from outside it would not).
      expect((await customFieldDefs(tx, 'asset')).map((d) => d.name)).toContain('CFInTx');
    });
  });

  it('a revoked token or a disabled application is refused at once in the same process', async () => {
    const db = database.db;
    const now = new Date();
    const app = await createApplication(db, 'cache-test', 'technician');
    const first = await clientCredentialsGrant(db, now, 3600, app.client_id, app.client_secret);
    expect((await authenticate(db, now, first.access_token)).name).toBe('cache-test');
    await revokeToken(db, first.access_token);
    await expect(authenticate(db, now, first.access_token)).rejects.toThrow(/not valid/);

    const second = await clientCredentialsGrant(db, now, 3600, app.client_id, app.client_secret);
    expect((await authenticate(db, now, second.access_token)).role).toBe('technician');
    await db.updateTable('api_application').set({ disabled: true }).where('client_id', '=', app.client_id).execute();
    await expect(authenticate(db, now, second.access_token)).rejects.toThrow(/disabled/);
  });

  it('the expiry of a cached token is still checked on every request', async () => {
    const db = database.db;
    const now = new Date();
    const app = await createApplication(db, 'expiry-test', 'admin');
    const t = await clientCredentialsGrant(db, now, 60, app.client_id, app.client_secret);
    await authenticate(db, now, t.access_token);
    await expect(authenticate(db, new Date(now.getTime() + 61_000), t.access_token)).rejects.toThrow(/expired/);
  });
});
