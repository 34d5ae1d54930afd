import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/helpers/app.js';
import { startSimFor } from '../../../test/helpers/atera.js';
import { describeEachDb, resetDatabase } from '../../../test/helpers/db.js';
import type { AteraSim } from '../../atera-sim/index.js';

describeEachDb('Atera customer and asset import', (ctx) => {
  let t: TestApp;
  let sim: AteraSim;
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
  });

  const run = async (path: string, body: object = {}) => {
    const res = await t.call('POST', `/api/Integration/Atera/${path}?wait=true`, body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };
  const changes = async (runId: number, action?: string) =>
    (
      await t.call(
        'GET',
        `/api/Integration/Atera/Runs/${runId}/Changes?page_size=500${action ? `&action=${action}` : ''}`,
      )
    ).body.changes;

  it('imports every Atera customer as a customer with a main site, and a second run changes nothing', async () => {
    const first = await run('ImportCustomers');
    expect(first.status).toBe('succeeded');
    const ateraCount = sim.state.counts().customers;
    expect(first.counts.created).toBe(ateraCount);
    const clients = await t.ctx.db.selectFrom('client').select(['name', 'ateraid', 'main_site_id']).execute();
    expect(clients).toHaveLength(ateraCount);
    expect(clients.every((c) => c.ateraid !== null && c.main_site_id !== null)).toBe(true);
    const second = await run('ImportCustomers');
    expect(second.counts).toMatchObject({ created: 0, updated: 0, unchanged: ateraCount });
    expect(await t.ctx.db.selectFrom('client').select('id').execute()).toHaveLength(ateraCount);
  });

  it('maps, name-matches, reports conflicts and suggestions, and never guesses', async () => {
    const [a, b, c] = sim.state.listCustomers({}).slice(0, 3);
    // Mapping: a Keel site mapped to Atera customer a keeps its name.
    const mapped = (await t.call('POST', '/api/Client', [{ name: 'Mapped Keel Name' }])).body;
    // Exact name: one Keel customer named like b.
    const named = (await t.call('POST', '/api/Client', [{ name: b!.CustomerName }])).body;
    // Conflict: two Keel customers named like c.
    await t.call('POST', '/api/Client', [{ name: c!.CustomerName }, { name: c!.CustomerName }]);
    // Suggestion: an extra Atera customer whose name differs only by case and spaces from a Keel customer.
    await t.call('POST', '/api/Client', [{ name: 'Folded Name Ltd' }]);
    const folded = sim.state.addCustomer({ CustomerName: '  FOLDED name ltd ' });
    await t.call('POST', '/api/Integration/Atera', {
      atera_sitemappings: [{ site_id: mapped.main_site_id, atera_customer_id: a!.CustomerID }],
    });

    const preview = await run('ImportCustomers', { preview: true });
    const importRun = await run('ImportCustomers');
    expect(importRun.counts).toEqual(preview.counts);
    const byExt = new Map((await changes(importRun.id)).map((ch: any) => [ch.external_id, ch]));
    expect(byExt.get(String(a!.CustomerID))).toMatchObject({
      action: 'update',
      local_id: mapped.id,
      reason: 'mapped to a Keel site',
    });
    expect(byExt.get(String(b!.CustomerID))).toMatchObject({ action: 'update', local_id: named.id });
    expect(byExt.get(String(c!.CustomerID))).toMatchObject({ action: 'conflict' });
    expect(byExt.get(String(folded.CustomerID))).toMatchObject({ action: 'suggestion' });
    const mappedNow = (await t.call('GET', `/api/Client/${mapped.id}`)).body;
    expect(mappedNow).toMatchObject({ name: 'Mapped Keel Name', ateraid: a!.CustomerID });
    expect((await t.call('GET', `/api/Client?search=${encodeURIComponent(c!.CustomerName!)}`)).body.record_count).toBe(
      2,
    );
  });

  it('customers Keel created follow renames in Atera; matched ones keep their Keel name', async () => {
    await run('ImportCustomers');
    const [first] = sim.state.listCustomers({});
    sim.state.changeCustomer(first!.CustomerID, { CustomerName: 'Renamed In Atera' });
    const r = await run('ImportCustomers');
    expect(r.counts.updated).toBe(1);
    const c = await t.ctx.db
      .selectFrom('client')
      .select('name')
      .where('ateraid', '=', first!.CustomerID)
      .executeTakeFirstOrThrow();
    expect(c.name).toBe('Renamed In Atera');
  });

  it('previews assets without writing, then imports exactly the preview, and re-running changes nothing', async () => {
    await run('ImportCustomers');
    const preview = await run('ImportAssets', { preview: true });
    expect(preview.dry_run).toBe(true);
    expect(await t.ctx.db.selectFrom('asset').select('id').execute()).toHaveLength(0);
    const imported = await run('ImportAssets');
    expect(imported.counts).toEqual(preview.counts);
    const previewChanges = (await changes(preview.id)).map((c: any) => [c.external_id, c.action, c.fields]);
    const importChanges = (await changes(imported.id)).map((c: any) => [c.external_id, c.action, c.fields]);
    expect(importChanges).toEqual(previewChanges);
    const assets = await t.ctx.db.selectFrom('asset').select(['id', 'atera_id']).execute();
    expect(assets.length).toBe(imported.counts.created);
    expect(new Set(assets.map((a) => a.atera_id)).size).toBe(assets.length);
    const again = await run('ImportAssets');
    expect(again.counts).toMatchObject({ created: 0, updated: 0, conflicts: 0 });
    expect(await t.ctx.db.selectFrom('asset').select('id').execute()).toHaveLength(assets.length);
  });

  it('re-plans exactly the devices whose link is no longer sound or whose Atera data changed, and no other', async () => {
    await run('ImportCustomers');
    const imported = await run('ImportAssets');
    const assets = await t.ctx.db
      .selectFrom('asset')
      .select(['id', 'atera_id'])
      .where('atera_id', 'is not', null)
      .orderBy('id')
      .execute();
    expect(assets.length).toBeGreaterThan(4);
    const [deactivated, unlinked, staleHash, edited] = assets as [
      (typeof assets)[0],
      (typeof assets)[0],
      (typeof assets)[0],
      (typeof assets)[0],
    ];
    // Four ways a device stops being unchanged: its asset deactivated in Keel, its asset no longer carrying its
    // Atera id, its link's hash not matching, and its own data changed in Atera.
    await t.ctx.db.updateTable('asset').set({ inactive: true }).where('id', '=', deactivated.id).execute();
    await t.ctx.db.updateTable('asset').set({ atera_id: null }).where('id', '=', unlinked.id).execute();
    await t.ctx.db
      .updateTable('sync_link')
      .set({ hash: 'stale' })
      .where('integration', '=', 'atera')
      .where('entity', '=', 'asset')
      .where('external_id', '=', staleHash.atera_id!)
      .execute();
    sim.state.changeAgent(Number(edited.atera_id), { MachineName: 'RENAMED-IN-ATERA' });
    const again = await run('ImportAssets');
    const notUnchanged = (await changes(again.id))
      .filter((c: any) => c.action !== 'unchanged' && c.action !== 'conflict' && c.action !== 'skip')
      .map((c: any) => c.external_id)
      .sort();
    expect(notUnchanged).toEqual([deactivated.atera_id, unlinked.atera_id, edited.atera_id].sort());
    expect(again.counts.unchanged).toBe(imported.counts.created - 3);
    // The device with the stale link hash was planned too: its asset needed nothing, its link hash was refreshed.
    const link = await t.ctx.db
      .selectFrom('sync_link')
      .select('hash')
      .where('integration', '=', 'atera')
      .where('entity', '=', 'asset')
      .where('external_id', '=', staleHash.atera_id!)
      .executeTakeFirstOrThrow();
    expect(link.hash).not.toBe('stale');
  });

  it('creates asset types named like the OSType under the default group and skips device types not chosen', async () => {
    await run('ImportCustomers');
    await t.call('POST', '/api/Integration/Atera', { atera_devicetypes: ['Server'] });
    const r = await run('ImportAssets');
    const types = await t.ctx.db.selectFrom('asset_type').select(['name', 'assetgroup_id']).execute();
    expect(types.map((x) => x.name)).toEqual(['Server']);
    const servers = sim.state.listAgents({}).filter((a) => a.OSType === 'Server').length;
    expect(r.counts.created).toBe(servers);
    const skipped = await changes(r.id, 'skip');
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped[0].reason).toMatch(/device type ".*" is not imported|no OSType/);
  });

  it('matches an existing asset by the matching field, stores the Atera ID, and honours only-new-or-empty', async () => {
    await run('ImportCustomers');
    const agent = sim.state
      .listAgents({})
      .find((a) => a.VendorSerialNumber && /^[A-Z0-9]{6,}$/.test(a.VendorSerialNumber) && a.OSType)!;
    const client = await t.ctx.db
      .selectFrom('client')
      .select(['id', 'main_site_id'])
      .where('ateraid', '=', agent.CustomerID!)
      .executeTakeFirstOrThrow();
    const type = (await t.call('POST', '/api/AssetType', [{ name: agent.OSType, assetgroup_id: 1 }])).body;
    const fields = await t.ctx.db.selectFrom('asset_field').select(['id', 'name']).execute();
    const f = (n: string) => fields.find((x) => x.name === n)!.id;
    const pre = (
      await t.call('POST', '/api/Asset', [
        {
          inventory_number: 'PRE-EXISTING',
          site_id: client.main_site_id,
          assettype_id: type.id,
          fields: [
            { id: f('Serial Number'), value: agent.VendorSerialNumber },
            { id: f('Model'), value: 'Typed by hand' },
          ],
        },
      ])
    ).body;
    const settings = (await t.call('GET', '/api/Integration/Atera')).body;
    const mappings = settings.atera_fieldmappings.map((m: any) =>
      m.field_id === f('Model') ? { ...m, only_new_or_empty: true } : m,
    );
    await t.call('POST', '/api/Integration/Atera', { atera_fieldmappings: mappings });
    const r = await run('ImportAssets');
    const ch = (await changes(r.id)).find((c: any) => c.external_id === String(agent.AgentID));
    expect(ch).toMatchObject({ action: 'update', local_id: pre.id });
    const after = await t.ctx.db.selectFrom('asset').selectAll().where('id', '=', pre.id).executeTakeFirstOrThrow();
    expect(after.atera_id).toBe(String(agent.AgentID));
    expect(after.fields[String(f('Model'))]).toBe('Typed by hand');
    expect(after.inventory_number).toBe(agent.MachineName);
  });

  it('refuses settings that name missing things, and keeps the previous settings', async () => {
    const before = (await t.call('GET', '/api/Integration/Atera')).body;
    const cases: [object, string][] = [
      [{ atera_defaultsite: 999999 }, 'atera_defaultsite'],
      [{ atera_toplevel: 999999 }, 'atera_toplevel'],
      [{ atera_devicetypes: ['Toaster'] }, 'atera_devicetypes[0]'],
      [
        { atera_fieldmappings: [{ atera_field: 'VendorSerialNumber', field_type: 'asset_field', field_id: 999999 }] },
        'atera_fieldmappings[0].field_id',
      ],
      [
        { atera_fieldmappings: [{ atera_field: 'NoSuchField', field_type: 'asset_field', field_id: 1 }] },
        'atera_field',
      ],
      [{ atera_sitemappings: [{ site_id: 999999, atera_customer_id: 1 }] }, 'atera_sitemappings[0].site_id'],
      [{ atera_unknown_key: true }, 'atera_unknown_key'],
    ];
    for (const [body, path] of cases) {
      const res = await t.call('POST', '/api/Integration/Atera', { atera_enabled: false, ...body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(res.body)).toContain(path);
    }
    expect((await t.call('GET', '/api/Integration/Atera')).body).toEqual(before);
  });

  it('never returns the API key and says whether one is set', async () => {
    const res = await t.call('GET', '/api/Integration/Atera');
    expect(res.body.atera_apikey_set).toBe(true);
    expect(JSON.stringify(res.body)).not.toContain(sim.apiKey);
    const row = await t.ctx.db.selectFrom('integration_secret').select('sealed').executeTakeFirstOrThrow();
    expect(row.sealed).not.toContain(sim.apiKey);
  });

  it('Test Configuration reports success, and a wrong key with what to do', async () => {
    const ok = await t.call('POST', '/api/Integration/Atera/Test');
    expect(ok.body.success).toBe(true);
    await t.call('POST', '/api/Integration/Atera', { atera_apikey: 'wrong-key-0000' });
    const bad = await t.call('POST', '/api/Integration/Atera/Test');
    expect(bad.body.success).toBe(false);
    expect(bad.body.message).toMatch(/Admin > API/);
    expect(bad.body.message).not.toContain('wrong-key-0000');
  });

  it('imports contacts as users of their linked customer, matching by email then name, and re-running changes nothing', async () => {
    await run('ImportCustomers');
    const contacts = sim.state.listContacts({}).filter((c) => !c.Archived && c.Email && c.CustomerID);
    const target = contacts[0]!;
    const client = await t.ctx.db
      .selectFrom('client')
      .select(['id', 'main_site_id'])
      .where('ateraid', '=', target.CustomerID!)
      .executeTakeFirstOrThrow();
    const existing = (
      await t.call('POST', '/api/Users', [
        {
          name: 'Typed By Hand',
          emailaddress: target.Email!.toUpperCase(),
          client_id: client.id,
          phonenumber: '+1 555 0100',
        },
      ])
    ).body;
    const preview = await run('ImportContacts', { preview: true });
    expect(await t.ctx.db.selectFrom('users').select('id').execute()).toHaveLength(1);
    const imported = await run('ImportContacts');
    expect(imported.counts).toEqual(preview.counts);
    const ch = (await changes(imported.id)).find((c: any) => c.external_id === String(target.EndUserID));
    expect(ch).toMatchObject({ action: 'update', local_id: existing.id, reason: 'same email' });
    const user = await t.ctx.db.selectFrom('users').selectAll().where('id', '=', existing.id).executeTakeFirstOrThrow();
    expect(user).toMatchObject({
      name: 'Typed By Hand',
      phonenumber: '+1 555 0100',
      atera_contact_id: target.EndUserID,
    });
    expect(imported.counts.created).toBeGreaterThan(0);
    const again = await run('ImportContacts');
    expect(again.counts).toMatchObject({ created: 0, updated: 0 });
  });

  it('malformed Atera records become errors in the run and in IntegrationError; the rest import', async () => {
    await run('ImportCustomers');
    sim.state.faults.add({ kind: 'malformed-records', path: '/api/v3/agents', every: 7 });
    const r = await run('ImportAssets');
    expect(r.status).toBe('succeeded');
    expect(r.counts.errors).toBeGreaterThan(0);
    const errs = await changes(r.id, 'error');
    expect(errs[0].reason).toMatch(/:/);
    const logged = (await t.call('GET', `/api/IntegrationError?run_id=${r.id}`)).body;
    expect(logged.record_count).toBe(r.counts.errors);
    expect(r.counts.created + r.counts.skipped + r.counts.conflicts + r.counts.errors).toBe(sim.state.counts().agents);
  });
});
