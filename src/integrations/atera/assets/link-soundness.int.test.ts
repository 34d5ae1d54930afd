import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../../test/helpers/app.js';
import { startSimFor } from '../../../../test/helpers/atera.js';
import { describeEachDb } from '../../../../test/helpers/db.js';
import type { AteraSim } from '../../../atera-sim/index.js';
import { m009_asset_link_soundness } from '../../../db/migrations/009_asset_link_soundness.js';
import { soundLinkHashes } from './lookups.js';

/**
 * A device is unchanged when its hash equals its link's, and the link's hash only stands while the asset still
 * carries the device's Atera id and is active (migration 009: whatever breaks that clears the hash). Each way a
 * user can break it through the REST API, and the import planning those devices again instead of skipping them.
 */
describeEachDb('Atera asset import: sound links', (ctx) => {
  let t: TestApp;
  let sim: AteraSim;

  beforeAll(async () => {
    t = await startTestApp(ctx.database);
    sim = await startSimFor(t, { seed: 5, customers: 3, agents: 30 });
    expect((await t.call('POST', '/api/Integration/Atera/ImportCustomers?wait=true', {})).body.status).toBe(
      'succeeded',
    );
  });
  afterAll(async () => {
    await sim?.close();
    await t.close();
  });

  const importAssets = async (preview: boolean) => {
    const run = await t.call('POST', '/api/Integration/Atera/ImportAssets?wait=true', { preview });
    expect(run.body.status, JSON.stringify(run.body)).toBe('succeeded');
    const changes = await t.call('GET', `/api/Integration/Atera/Runs/${run.body.id}/Changes?page_size=500`);
    return {
      counts: run.body.counts,
      actionOf: (agentId: number) =>
        changes.body.changes.find((c: { external_id: string }) => c.external_id === String(agentId))?.action ??
        'unchanged',
    };
  };
  const snapshotIds = async () => [...(await soundLinkHashes(t.ctx.db)).ids].sort((a, b) => a - b);
  const assetOf = async (agentId: number) =>
    (await t.ctx.db.selectFrom('asset').select('id').where('atera_id', '=', String(agentId)).executeTakeFirstOrThrow())
      .id;

  it('an asset deactivated, deleted or given another Atera id leaves the snapshot, and its device is planned', async () => {
    expect((await importAssets(false)).counts.created).toBeGreaterThan(20);
    const ids = await snapshotIds();
    const [deactivated, deleted, renumbered, renamed] = ids;
    expect(ids.length).toBeGreaterThan(20);

    const changes = [
      await t.call('POST', '/api/Asset', [{ id: await assetOf(deactivated!), inactive: true }]),
      await t.call('DELETE', `/api/Asset/${await assetOf(deleted!)}`),
      await t.call('POST', '/api/Asset', [{ id: await assetOf(renumbered!), atera_id: 'moved-by-hand' }]),
      // Not what the link stands for: a name edited in Keel leaves the device unchanged, as before.
      await t.call('POST', '/api/Asset', [{ id: await assetOf(renamed!), inventory_number: 'edited in Keel' }]),
    ];
    for (const res of changes) expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await snapshotIds()).toEqual(ids.filter((id) => id !== deactivated && id !== deleted && id !== renumbered));

    const preview = await importAssets(true);
    expect(preview.actionOf(deactivated!)).toBe('reactivate');
    expect(preview.actionOf(deleted!)).toBe('create');
    expect(preview.actionOf(renumbered!)).not.toBe('unchanged');
    expect(preview.actionOf(renamed!)).toBe('unchanged');
    expect(preview.counts.unchanged).toBe(ids.length - 3);

    // The import puts them right and links them again: the next run finds every device unchanged.
    await importAssets(false);
    const again = await importAssets(true);
    expect(again.counts.created + again.counts.updated).toBe(0);
  });

  it('the migration clears the hash of links that were already unsound', async () => {
    const { db } = t.ctx;
    const agentId = (await snapshotIds())[5]!;
    const assetId = await assetOf(agentId);
    // As a database from before the triggers could hold it: the asset moved on, its link still hashed.
    await sql`ALTER TABLE asset DISABLE TRIGGER asset_link_unsound_on_change`.execute(db);
    try {
      await db.updateTable('asset').set({ inactive: true }).where('id', '=', assetId).execute();
    } finally {
      await sql`ALTER TABLE asset ENABLE TRIGGER asset_link_unsound_on_change`.execute(db);
    }
    expect(await snapshotIds()).toContain(agentId);
    const before = await snapshotIds();
    for (const statement of m009_asset_link_soundness.statements.filter((s) => s.startsWith('UPDATE'))) {
      await sql.raw(statement).execute(db);
    }
    expect(await snapshotIds()).toEqual(before.filter((id) => id !== agentId));
  });
});
