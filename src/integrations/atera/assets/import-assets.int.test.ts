import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../../test/helpers/app.js';
import { startSimFor } from '../../../../test/helpers/atera.js';
import { describeEachDb, resetDatabase } from '../../../../test/helpers/db.js';
import type { AteraSim, SimAgent } from '../../../atera-sim/index.js';
import { createRun, RunRecorder } from '../../../sync/runs.js';
import { ateraClientFor, INTEGRATION } from '../settings/settings.js';
import type { SoundSnapshot } from './device-hash.js';
import { importAssets } from './import-assets.js';
import { soundLinkHashes } from './lookups.js';

/**
 * Matching across batch boundaries (issue contract: "Match: the stored atera_id first, then atera_matchingfield;
 * zero matches → create, one → update (and store atera_id), several → conflict"). An asset linked to an agent
 * is that agent's, whether it was linked before the run or earlier in the same run: another agent with the same
 * matching value gets the conflict an asset linked before the run gives, never the asset.
 */
describeEachDb('Atera asset import: matching across batches', (ctx) => {
  let t: TestApp;
  let sim: AteraSim;
  /** Two devices with the same serial, planned in different batches (first before second). */
  let first: SimAgent;
  let second: SimAgent;
  /** The Keel asset with that serial, linked to no agent before the run. */
  let assetId: number;
  const SERIAL = 'DUP-SERIAL-1';

  beforeAll(async () => {
    t = await startTestApp(ctx.database);
  });
  afterAll(async () => {
    await sim?.close();
    await t.close();
  });
  beforeEach(async () => {
    await sim?.close();
    await resetDatabase(ctx.database);
    sim = await startSimFor(t, { seed: 7 });
    const res = await t.call('POST', '/api/Integration/Atera/ImportCustomers?wait=true', {});
    expect(res.body.status).toBe('succeeded');
    const customerId = sim.state.listCustomers({})[0]!.CustomerID;
    first = sim.state.addAgent({ CustomerID: customerId, OSType: 'Server', VendorSerialNumber: SERIAL });
    second = sim.state.addAgent({ CustomerID: customerId, OSType: 'Server', VendorSerialNumber: SERIAL });
    const serialField = (
      await t.ctx.db
        .selectFrom('asset_field')
        .select('id')
        .where('name', '=', 'Serial Number')
        .executeTakeFirstOrThrow()
    ).id;
    // Every device's asset type exists: a preview never creates one, so with several batches its reasons would
    // say "new asset type" where the import's later batches do not (unrelated to matching).
    const osTypes = [...new Set(sim.state.listAgents({}).map((a) => a.OSType?.trim()))].filter((x) => !!x);
    const types = await t.call(
      'POST',
      '/api/AssetType',
      osTypes.map((name) => ({ name, assetgroup_id: 1 })),
    );
    expect(types.status, JSON.stringify(types.body)).toBe(200);
    const type = await t.ctx.db
      .selectFrom('asset_type')
      .select('id')
      .where('name', '=', 'Server')
      .executeTakeFirstOrThrow();
    const client = await t.ctx.db
      .selectFrom('client')
      .select('main_site_id')
      .where('ateraid', '=', customerId)
      .executeTakeFirstOrThrow();
    const created = await t.call('POST', '/api/Asset', [
      {
        inventory_number: 'HAND-1',
        site_id: client.main_site_id,
        assettype_id: type.id,
        fields: [{ id: serialField, value: SERIAL.toLowerCase() }],
      },
    ]);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    assetId = created.body.id;
  });

  /** An asset import (or preview) with one device per page and per batch: every device is its own batch. */
  const importRun = async (preview: boolean, batchSize = 1, soundLinks?: Promise<SoundSnapshot>) => {
    const runId = await createRun(t.ctx.db, {
      integration: INTEGRATION,
      kind: 'import_assets',
      dry_run: preview,
      started_by: 'test',
    });
    const recorder = new RunRecorder(t.ctx.db, runId, () => t.ctx.clock.now());
    await recorder.start();
    const client = await ateraClientFor(t.ctx, { pageSize: 1 });
    await importAssets(t.ctx, client, { preview, recorder, batchSize, ...(soundLinks ? { soundLinks } : {}) });
    await recorder.finish('succeeded');
    return { id: runId, counts: recorder.counts };
  };
  const changes = async (runId: number) =>
    (await t.call('GET', `/api/Integration/Atera/Runs/${runId}/Changes?page_size=500`)).body.changes.map((c: any) => ({
      external_id: c.external_id,
      action: c.action,
      name: c.name,
      reason: c.reason,
      fields: c.fields,
    }));
  const changeOf = async (runId: number, agent: SimAgent) =>
    (await changes(runId)).find((c: any) => c.external_id === String(agent.AgentID));
  const linkedConflict = () => ({
    action: 'conflict',
    reason: `asset ${assetId} has the matching value "${SERIAL}" but is linked to Atera agent ${first.AgentID}`,
  });

  it('an asset linked by the matching field in one batch is not taken over by another device in a later batch', async () => {
    const run = await importRun(false);
    expect(await changeOf(run.id, first)).toMatchObject({
      action: 'update',
      reason: 'matched by asset matching field',
    });
    // The same answer as for an asset linked to another agent before the run.
    expect(await changeOf(run.id, second)).toMatchObject(linkedConflict());
    const asset = await t.ctx.db
      .selectFrom('asset')
      .select('atera_id')
      .where('id', '=', assetId)
      .executeTakeFirstOrThrow();
    expect(asset.atera_id).toBe(String(first.AgentID));
    expect(
      await t.ctx.db.selectFrom('asset').select('id').where('atera_id', '=', String(second.AgentID)).execute(),
    ).toEqual([]);
    const links = await t.ctx.db
      .selectFrom('sync_link')
      .select(['external_id', 'local_id'])
      .where('entity', '=', 'asset')
      .where('local_id', '=', assetId)
      .execute();
    expect(links).toEqual([{ external_id: String(first.AgentID), local_id: assetId }]);
  });

  it('a preview reports the same plan as the import, and the remembered conflict matches a fresh plan', async () => {
    const preview = await importRun(true);
    // One batch or one device per batch: the same plan.
    const previewOneBatch = await importRun(true, 1000);
    expect(await changes(previewOneBatch.id)).toEqual(await changes(preview.id));
    const imported = await importRun(false);
    expect(imported.counts).toEqual(preview.counts);
    expect(await changes(imported.id)).toEqual(await changes(preview.id));
    expect(await changeOf(preview.id, second)).toMatchObject(linkedConflict());

    // The next run reports the remembered conflict; it names the agent the asset is linked to now.
    const again = await importRun(false);
    expect(again.counts).toMatchObject({ created: 0, updated: 0, conflicts: imported.counts.conflicts });
    expect(await changeOf(again.id, first)).toBeUndefined();
    expect(await changeOf(again.id, second)).toMatchObject(linkedConflict());
    // Planned afresh (nothing remembered), it is the same conflict.
    await t.ctx.db.deleteFrom('sync_conflict').execute();
    const fresh = await importRun(false);
    expect(await changes(fresh.id)).toEqual(await changes(again.id));
  });

  it('a preview names new asset types in every batch, as the import that creates them does', async () => {
    // Only the type of the hand-made asset stays: every other device needs an asset type the run creates.
    await t.ctx.db
      .deleteFrom('asset_type')
      .where('id', 'not in', t.ctx.db.selectFrom('asset').select('assettype_id'))
      .execute();
    const preview = await importRun(true);
    const imported = await importRun(false);
    const previewChanges = await changes(preview.id);
    expect(previewChanges.filter((c: any) => /new asset type/.test(c.reason ?? '')).length).toBeGreaterThan(1);
    expect(await changes(imported.id)).toEqual(previewChanges);
  });

  it('an update that moves an asset to a new matching value moves it in the index for the rest of the run', async () => {
    await importRun(false);
    // In Atera the linked device's serial changes, and a later device carries that new serial.
    const MOVED = 'MOVED-SERIAL-2';
    sim.state.changeAgent(first.AgentID, { VendorSerialNumber: MOVED });
    const third = sim.state.addAgent({ CustomerID: first.CustomerID!, OSType: 'Server', VendorSerialNumber: MOVED });
    const preview = await importRun(true);
    const imported = await importRun(false);
    expect(await changes(imported.id)).toEqual(await changes(preview.id));
    expect(await changeOf(imported.id, first)).toMatchObject({ action: 'update', reason: 'matched by Atera ID' });
    // The asset now has the new serial and is linked to the first device: the same conflict as if it had
    // carried that serial before the run.
    expect(await changeOf(imported.id, third)).toMatchObject({
      action: 'conflict',
      reason: `asset ${assetId} has the matching value "${MOVED}" but is linked to Atera agent ${first.AgentID}`,
    });
    // No asset has the old serial any more: the device that conflicted over it gets its own asset.
    expect(await changeOf(imported.id, second)).toMatchObject({ action: 'create' });
    // A fresh plan agrees with what the run did: nothing left to create or update.
    const again = await importRun(false);
    expect(again.counts).toMatchObject({ created: 0, updated: 0, conflicts: imported.counts.conflicts });
  });

  it('decides devices read before the sound-link snapshot arrives exactly as those read after it', async () => {
    await importRun(false);
    sim.state.changeAgent(first.AgentID, { Vendor: 'Changed Vendor Inc.' });
    // Arrives only after every page is read: every device waits for it.
    const late = new Promise<SoundSnapshot>((resolve) => {
      setTimeout(() => resolve(soundLinkHashes(t.ctx.db)), 1500);
    });
    const delayed = await importRun(true, 1000, late);
    const normal = await importRun(true, 1000);
    expect(delayed.counts).toEqual(normal.counts);
    expect(delayed.counts).toMatchObject({ updated: 1, created: 0 });
    expect(delayed.counts.unchanged).toBeGreaterThan(10);
    expect(await changes(delayed.id)).toEqual(await changes(normal.id));
  });

  it('fails the run with the error of the snapshot as soon as it is known, without reading the rest', async () => {
    const failed = Promise.reject(new Error('snapshot query failed'));
    // Handled here too: it is created before the run starts, while the import attaches its handler only later.
    failed.catch(() => undefined);
    const before = sim.state.callLog().length;
    await expect(importRun(false, 1000, failed)).rejects.toThrow('snapshot query failed');
    // It fails as soon as the failure is known, not after reading every page (one device per page here).
    const pagesRead = sim.state
      .callLog()
      .slice(before)
      .filter((c) => c.path.startsWith('/api/v3/agents')).length;
    expect(pagesRead).toBeLessThan(sim.state.listAgents({}).length);
  });
});
