import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../../test/helpers/app.js';
import { startSimFor } from '../../../../test/helpers/atera.js';
import { describeEachDb, resetDatabase } from '../../../../test/helpers/db.js';
import type { AteraSim, SimAgent } from '../../../atera-sim/index.js';
import { type Database, kyselyForPglite, openDatabase } from '../../../db/database.js';

/**
 * Remembered conflicts (conflict-cache.ts): an unchanged run reports them without the matching index, exactly
 * as a fresh plan would; editing, deleting or relinking a candidate makes the device planned again; a preview
 * reports what the import then does.
 */
describeEachDb('Atera asset import: remembered conflicts', (ctx) => {
  let t: TestApp;
  let sim: AteraSim;
  let observed: Database;
  const statements: string[] = [];
  let serialField: number;
  /** A device whose serial an earlier device already has (a reinstall): one candidate, linked to that device. */
  let reinstall: SimAgent;
  let original: SimAgent;
  /** A device whose serial two Keel assets share. */
  let shared: SimAgent;
  let sharedAssets: number[];

  beforeAll(async () => {
    // The same database, seen through a Kysely that reports every statement.
    const observer = (sql: string) => statements.push(sql);
    observed =
      ctx.backend === 'pglite'
        ? { ...ctx.database, db: kyselyForPglite(ctx.database.pglite!, observer), close: async () => {} }
        : await openDatabase({ url: ctx.database.url!, observer, poolSize: 4 });
    t = await startTestApp(observed);
  });
  afterAll(async () => {
    await sim?.close();
    await t.close();
    await observed.close();
  });
  beforeEach(async () => {
    await sim?.close();
    await resetDatabase(ctx.database);
    sim = await startSimFor(t, { seed: 7 });
    await run('ImportCustomers');
    serialField = (
      await t.ctx.db
        .selectFrom('asset_field')
        .select('id')
        .where('name', '=', 'Serial Number')
        .executeTakeFirstOrThrow()
    ).id;
    const agents = sim.state.listAgents({});
    original = agents.find(
      (a) =>
        a.OSType === 'Server' &&
        /^[A-Z0-9]{6,}$/.test(a.VendorSerialNumber ?? '') &&
        agents.filter((b) => b.VendorSerialNumber === a.VendorSerialNumber).length === 1,
    )!;
    reinstall = sim.state.addAgent({
      CustomerID: original.CustomerID!,
      OSType: original.OSType,
      VendorSerialNumber: original.VendorSerialNumber,
    });
    shared = sim.state.addAgent({ CustomerID: original.CustomerID!, OSType: 'Server', VendorSerialNumber: 'SHARED-1' });
    const type = (await t.call('POST', '/api/AssetType', [{ name: 'Server', assetgroup_id: 1 }])).body;
    const client = await t.ctx.db
      .selectFrom('client')
      .select('main_site_id')
      .where('ateraid', '=', original.CustomerID!)
      .executeTakeFirstOrThrow();
    sharedAssets = [];
    for (const inventory_number of ['HAND-1', 'HAND-2']) {
      const res = await t.call('POST', '/api/Asset', [
        {
          inventory_number,
          site_id: client.main_site_id,
          assettype_id: type.id,
          fields: [{ id: serialField, value: 'shared-1 ' }],
        },
      ]);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      sharedAssets.push(res.body.id);
    }
  });

  const run = async (path: string, body: object = {}) => {
    const res = await t.call('POST', `/api/Integration/Atera/${path}?wait=true`, body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.status).toBe('succeeded');
    return res.body;
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
  const readsIndex = () => statements.some((s) => /from "asset" where "id" > /i.test(s));
  const remembered = async () =>
    (await t.ctx.db.selectFrom('sync_conflict').select('external_id').execute()).map((r) => r.external_id).sort();

  it('an unchanged run reports remembered conflicts as a fresh plan does, without reading the matching index', async () => {
    const first = await run('ImportAssets');
    expect(await changeOf(first.id, reinstall)).toMatchObject({ action: 'conflict' });
    expect(await changeOf(first.id, shared)).toMatchObject({
      action: 'conflict',
      reason: '2 assets have the matching value "SHARED-1"',
    });
    expect(await remembered()).toEqual(expect.arrayContaining([String(reinstall.AgentID), String(shared.AgentID)]));

    statements.length = 0;
    const second = await run('ImportAssets');
    expect(readsIndex()).toBe(false);
    expect(second.counts).toMatchObject({ created: 0, updated: 0, conflicts: first.counts.conflicts });
    // Nothing is written but the run record.
    expect(
      statements.filter((s) => /^\s*(insert into|update|delete from)\s+"(asset|sync_link|sync_conflict)"/i.test(s)),
    ).toEqual([]);
    // The reinstall's candidate was planned under a provisional id; remembered, it names the real asset.
    const asset = await t.ctx.db
      .selectFrom('asset')
      .select('id')
      .where('atera_id', '=', String(original.AgentID))
      .executeTakeFirstOrThrow();
    expect(await changeOf(second.id, reinstall)).toMatchObject({
      action: 'conflict',
      reason: `asset ${asset.id} has the matching value "${original.VendorSerialNumber}" but is linked to Atera agent ${original.AgentID}`,
    });

    // Forgetting every remembered conflict makes the next run plan them afresh: it reports the same.
    await t.ctx.db.deleteFrom('sync_conflict').execute();
    statements.length = 0;
    const fresh = await run('ImportAssets');
    expect(readsIndex()).toBe(true);
    expect(fresh.counts).toEqual(second.counts);
    expect(await changes(fresh.id)).toEqual(await changes(second.id));
  });

  it('plans a conflict again once a candidate is edited, deleted or relinked', async () => {
    await run('ImportAssets');
    // The reinstall's only candidate gets another serial in Keel: nothing matches the reinstall any more.
    const candidate = await t.ctx.db
      .selectFrom('asset')
      .select('id')
      .where('atera_id', '=', String(original.AgentID))
      .executeTakeFirstOrThrow();
    const edit = await t.call('POST', '/api/Asset', [
      { id: candidate.id, fields: [{ id: serialField, value: 'EDITED-IN-KEEL' }] },
    ]);
    expect(edit.status).toBe(200);
    // One of the two assets sharing a serial is deleted: the other one is the shared device's match.
    expect((await t.call('DELETE', `/api/Asset/${sharedAssets[0]}`)).status).toBe(200);

    statements.length = 0;
    const next = await run('ImportAssets');
    expect(readsIndex()).toBe(true);
    expect(await changeOf(next.id, reinstall)).toMatchObject({ action: 'create' });
    expect(await changeOf(next.id, shared)).toMatchObject({
      action: 'update',
      reason: 'matched by asset matching field',
    });
    const linked = await t.ctx.db
      .selectFrom('asset')
      .select('atera_id')
      .where('id', '=', sharedAssets[1]!)
      .executeTakeFirstOrThrow();
    expect(linked.atera_id).toBe(String(shared.AgentID));
    // Both are linked now: nothing of theirs is remembered.
    expect(await remembered()).not.toContain(String(reinstall.AgentID));
    expect(await remembered()).not.toContain(String(shared.AgentID));
  });

  it('plans a conflict again once its candidate is linked to another agent, or to the device itself', async () => {
    await run('ImportAssets');
    const candidate = await t.ctx.db
      .selectFrom('asset')
      .select('id')
      .where('atera_id', '=', String(original.AgentID))
      .executeTakeFirstOrThrow();
    // Linked to another agent in Keel: still a conflict, now naming that agent.
    await t.ctx.db.updateTable('asset').set({ atera_id: '999999' }).where('id', '=', candidate.id).execute();
    const other = await run('ImportAssets');
    expect(await changeOf(other.id, reinstall)).toMatchObject({
      action: 'conflict',
      reason: `asset ${candidate.id} has the matching value "${original.VendorSerialNumber}" but is linked to Atera agent 999999`,
    });
    // Linked to the device itself: it is matched by its Atera id first, and nothing of it is remembered.
    await t.ctx.db
      .updateTable('asset')
      .set({ atera_id: String(reinstall.AgentID) })
      .where('id', '=', candidate.id)
      .execute();
    const own = await run('ImportAssets');
    const change = await changeOf(own.id, reinstall);
    expect(['update', 'unchanged']).toContain(change?.action ?? 'unchanged');
    if (change) expect(change.reason).toMatch(/^matched by Atera ID/);
    expect(await remembered()).not.toContain(String(reinstall.AgentID));
  });

  it('a preview reports what the import then does, remembered conflicts included', async () => {
    await run('ImportAssets');
    const preview = await run('ImportAssets', { preview: true });
    const imported = await run('ImportAssets');
    expect(imported.counts).toEqual(preview.counts);
    expect(await changes(imported.id)).toEqual(await changes(preview.id));

    // With a candidate gone, both plan the shared device again, and agree.
    expect((await t.call('DELETE', `/api/Asset/${sharedAssets[0]}`)).status).toBe(200);
    const preview2 = await run('ImportAssets', { preview: true });
    expect(await remembered()).toEqual(expect.arrayContaining([String(shared.AgentID)]));
    const imported2 = await run('ImportAssets');
    expect(imported2.counts).toEqual(preview2.counts);
    expect(await changes(imported2.id)).toEqual(await changes(preview2.id));
    expect(await changeOf(imported2.id, shared)).toMatchObject({ action: 'update' });
  });
});
