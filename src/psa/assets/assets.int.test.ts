import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/helpers/app.js';
import { describeEachDb } from '../../../test/helpers/db.js';

describeEachDb('Asset API', (ctx) => {
  let t: TestApp;
  let acme: { id: number; main_site_id: number };
  let beta: { id: number; main_site_id: number };
  let branch: { id: number };
  let workstation: { id: number; fields: { id: number; name: string }[] };
  let printer: { id: number };
  let serialId: number;
  let lastSeenId: number;
  let user: { id: number };
  beforeAll(async () => {
    t = await startTestApp(ctx.database);
    [acme, beta] = (await t.call('POST', '/api/Client', [{ name: 'Acme Assets' }, { name: 'Beta Assets' }])).body;
    branch = (await t.call('POST', '/api/Site', [{ name: 'Branch', client_id: acme.id }])).body;
    const fields = (await t.call('GET', '/api/Field')).body as { id: number; name: string }[];
    serialId = fields.find((f) => f.name === 'Serial Number')!.id;
    lastSeenId = fields.find((f) => f.name === 'Last Seen')!.id;
    workstation = (
      await t.call('POST', '/api/AssetType', [{ name: 'Workstation', assetgroup_id: 1, keyfield_id: serialId }])
    ).body;
    printer = (await t.call('POST', '/api/AssetType', [{ name: 'Printer', assetgroup_id: 1, fields: [serialId] }]))
      .body;
    user = (await t.call('POST', '/api/Users', [{ name: 'Ann Asset', client_id: acme.id }])).body;
  });
  afterAll(() => t.close());

  it('creates an asset with field values, derives key_field from the key field, and gets it', async () => {
    const res = await t.call('POST', '/api/Asset', [
      {
        inventory_number: 'TAG-001',
        client_id: acme.id,
        site_id: branch.id,
        assettype_id: workstation.id,
        user_id: user.id,
        notes: 'desk 4',
        fields: [
          { id: serialId, value: 'SN-1' },
          { name: 'last seen', value: '2026-01-02T03:04:05Z' },
        ],
      },
    ]);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      inventory_number: 'TAG-001',
      key_field: 'SN-1',
      client_id: acme.id,
      client_name: 'Acme Assets',
      site_id: branch.id,
      site_name: 'Branch',
      assettype_id: workstation.id,
      assettype_name: 'Workstation',
      assetgroup_name: 'Default Group',
      user_id: user.id,
      username: 'Ann Asset',
      inactive: false,
      atera_id: null,
      notes: 'desk 4',
      customfields: [],
    });
    expect(res.body.fields).toEqual([
      { id: serialId, name: 'Serial Number', type: 'text', value: 'SN-1' },
      { id: lastSeenId, name: 'Last Seen', type: 'date', value: '2026-01-02T03:04:05.000Z' },
    ]);
    expect(res.body.datecreated).toMatch(/^\d{4}-/);
    expect(res.body.dlastupdate).toMatch(/^\d{4}-/);
    const got = await t.call('GET', `/api/Asset/${res.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);
  });

  it('updates only the fields sent; key_field follows the key field unless sent', async () => {
    const a = (
      await t.call('POST', '/api/Asset', [
        { assettype_id: workstation.id, client_id: acme.id, notes: 'keep', fields: [{ id: serialId, value: 'OLD' }] },
      ])
    ).body;
    expect(a.site_id).toBe(acme.main_site_id); // a customer alone puts the asset on its main site
    const upd = await t.call('POST', '/api/Asset', [{ id: a.id, fields: [{ id: serialId, value: 'NEW' }] }]);
    expect(upd.status).toBe(200);
    expect(upd.body).toMatchObject({ notes: 'keep', key_field: 'NEW', client_id: acme.id });
    const explicit = await t.call('POST', '/api/Asset', [
      { id: a.id, key_field: 'my-name', fields: [{ id: serialId, value: 'NEWER' }] },
    ]);
    expect(explicit.body.key_field).toBe('my-name');
    const cleared = await t.call('POST', '/api/Asset', [
      { id: a.id, notes: null, fields: [{ id: serialId, value: '' }] },
    ]);
    expect(cleared.body.notes).toBeNull();
    expect(cleared.body.fields).toEqual([]);
  });

  it('derives the client from the site and refuses a site of another client', async () => {
    const a = await t.call('POST', '/api/Asset', [{ assettype_id: printer.id, site_id: branch.id }]);
    expect(a.status).toBe(200);
    expect(a.body.client_id).toBe(acme.id);
    const bad = await t.call('POST', '/api/Asset', [
      { assettype_id: printer.id, client_id: beta.id, site_id: branch.id },
    ]);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('body[0].site_id');
    const wrongUser = await t.call('POST', '/api/Asset', [
      { assettype_id: printer.id, client_id: beta.id, user_id: user.id },
    ]);
    expect(wrongUser.status).toBe(400);
    expect(wrongUser.body.error.details[0].path).toBe('body[0].user_id');
    // Moving to another customer without a site lands on that customer's main site.
    const moved = await t.call('POST', '/api/Asset', [{ id: a.body.id, client_id: beta.id }]);
    expect(moved.body).toMatchObject({ client_id: beta.id, site_id: beta.main_site_id });
  });

  it('round-trips custom fields and refuses values of the wrong type naming the element', async () => {
    const cf = (
      await t.call('POST', '/api/FieldInfo', [
        { name: 'CFwarranty', label: 'Warranty', type: 'boolean', usage: 'asset' },
        { name: 'CFcost', label: 'Cost', type: 'number', usage: 'asset' },
      ])
    ).body as { id: number }[];
    const res = await t.call('POST', '/api/Asset', [
      {
        assettype_id: workstation.id,
        customfields: [
          { id: cf[0]!.id, value: 'yes' },
          { name: 'CFcost', value: '1200.5' },
        ],
      },
    ]);
    expect(res.status).toBe(200);
    expect(res.body.customfields).toEqual([
      { id: cf[0]!.id, name: 'CFwarranty', label: 'Warranty', type: 'boolean', value: true },
      { id: cf[1]!.id, name: 'CFcost', label: 'Cost', type: 'number', value: 1200.5 },
    ]);
    const cases: [unknown, string][] = [
      [
        [{ assettype_id: workstation.id, fields: [{ id: lastSeenId, value: 'not a date' }] }],
        'body[0].fields[0].value',
      ],
      [
        [{ assettype_id: workstation.id }, { assettype_id: workstation.id, fields: [{ id: 999999, value: 'x' }] }],
        'body[1].fields[0]',
      ],
      [[{ assettype_id: printer.id, fields: [{ id: lastSeenId, value: '2026-01-01' }] }], 'body[0].fields[0]'], // not a Printer field
      [
        [{ assettype_id: workstation.id, customfields: [{ id: cf[1]!.id, value: 'lots' }] }],
        'body[0].customfields[0].value',
      ],
      [
        [{ assettype_id: workstation.id, fields: [{ id: serialId, value: { nested: true } }] }],
        'body[0].fields[0].value',
      ],
    ];
    for (const [body, path] of cases) {
      const r = await t.call('POST', '/api/Asset', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(r.body)).toContain(path);
    }
  });

  it('refuses bad input with a 4xx naming the field, never a 500', async () => {
    await t.call('POST', '/api/Asset', [{ assettype_id: printer.id, atera_id: 'dup-1' }]);
    const cases: [unknown, number, string][] = [
      [[{ inventory_number: 'no type' }], 400, 'body[0].assettype_id'],
      [[{ assettype_id: 999999 }], 400, 'body[0].assettype_id'],
      [[{ assettype_id: printer.id, client_id: 999999 }], 400, 'body[0].client_id'],
      [[{ assettype_id: printer.id, site_id: 999999 }], 400, 'body[0].site_id'],
      [[{ assettype_id: printer.id, user_id: 999999 }], 400, 'body[0].user_id'],
      [[{ assettype_id: 'printer' }], 400, 'assettype_id'],
      [[{ assettype_id: printer.id, inactive: 'no' }], 400, 'inactive'],
      [[{ assettype_id: printer.id, inventory_number: 'x'.repeat(101) }], 400, 'inventory_number'],
      [[{ id: 999999, notes: 'x' }], 404, 'Asset 999999'],
      [[{ assettype_id: printer.id, atera_id: 'dup-1' }], 409, 'body[0].atera_id'],
      [
        [
          { assettype_id: printer.id, atera_id: 'dup-2' },
          { assettype_id: printer.id, atera_id: 'dup-2' },
        ],
        409,
        'body[1].atera_id',
      ],
      [[{ assettype_id: printer.id, atera_id: 'a', ateraid: 'b' }], 400, 'body[0].ateraid'],
      [Array.from({ length: 1001 }, () => ({ assettype_id: printer.id })), 400, 'at most 1000'],
    ];
    for (const [body, status, mention] of cases) {
      const res = await t.call('POST', '/api/Asset', body);
      expect(res.status, JSON.stringify(body).slice(0, 200)).toBe(status);
      expect(JSON.stringify(res.body)).toContain(mention);
    }
    // Nothing of a refused batch was written.
    const dup2 = await t.call('GET', '/api/Asset?atera_id=dup-2');
    expect(dup2.body.record_count).toBe(0);
    expect((await t.call('GET', '/api/Asset?client_id=x')).status).toBe(400);
    for (const order of ['constructor', '__proto__', 'nonsense', 'CLIENT_NAME']) {
      expect((await t.call('GET', `/api/Asset?order=${order}`)).status, order).toBe(200);
    }
    expect((await t.call('GET', '/api/Asset?page_size=0&pageinate=true')).status).toBe(400);
  });

  it('creates 500 assets in one request with one INSERT, all or nothing', async () => {
    const body = Array.from({ length: 500 }, (_, i) => ({
      inventory_number: `BULK-${i}`,
      site_id: branch.id,
      assettype_id: workstation.id,
      atera_id: `bulk-${i}`,
      fields: [{ id: serialId, value: `BSN-${i}` }],
    }));
    const res = await t.call('POST', '/api/Asset', body);
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(500);
    expect(res.body[499]).toMatchObject({ inventory_number: 'BULK-499', key_field: 'BSN-499', client_id: acme.id });
    const ids = res.body.map((a: { id: number }) => a.id);
    expect(ids).toEqual([...ids].sort((x: number, y: number) => x - y));
    const list = await t.call('GET', '/api/Asset?search=BULK-&pageinate=true&page_size=100&page_no=5');
    expect(list.body.record_count).toBe(500);
    expect(list.body.assets).toHaveLength(100);
    expect(list.body.assets[0].inventory_number).toBe('BULK-400');

    // A bad element anywhere refuses the whole batch.
    const bad = body.map((b, i) => ({ ...b, atera_id: `bulk2-${i}`, inventory_number: `BULK2-${i}` }));
    bad[321] = { ...bad[321]!, site_id: 999999 };
    const refused = await t.call('POST', '/api/Asset', bad);
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('body[321].site_id');
    expect((await t.call('GET', '/api/Asset?search=BULK2-')).body.record_count).toBe(0);

    // Bulk updates mixed with creates.
    const mixed = await t.call('POST', '/api/Asset', [
      { id: ids[0], notes: 'first' },
      { assettype_id: printer.id, inventory_number: 'MIXED-NEW' },
      { id: ids[1], inactive: true },
      { id: ids[0], key_field: 'twice' },
    ]);
    expect(mixed.status).toBe(200);
    expect(mixed.body[0]).toMatchObject({ id: ids[0], notes: 'first', key_field: 'twice' });
    expect(mixed.body[1]).toMatchObject({ inventory_number: 'MIXED-NEW', assettype_name: 'Printer' });
    expect(mixed.body[2]).toMatchObject({ id: ids[1], inactive: true });
  });

  it('lists with the assets envelope and every filter', async () => {
    const grp = (await t.call('POST', '/api/AssetGroup', [{ name: 'Network' }])).body;
    const router = (await t.call('POST', '/api/AssetType', [{ name: 'Router', assetgroup_id: grp.id }])).body;
    const made = (
      await t.call('POST', '/api/Asset', [
        { assettype_id: router.id, client_id: beta.id, inventory_number: 'RT-1', atera_id: 'atera-rt-1' },
        { assettype_id: router.id, client_id: beta.id, inventory_number: 'RT-2', key_field: 'core-router' },
        { assettype_id: router.id, client_id: beta.id, inventory_number: 'RT-3', inactive: true },
        { assettype_id: printer.id, client_id: beta.id, inventory_number: 'PR-1', user_id: null },
      ])
    ).body as { id: number }[];
    const ids = (res: { body: { assets: { id: number }[] } }) => res.body.assets.map((a) => a.id);
    const get = (qs: string) => t.call('GET', `/api/Asset?${qs}`);
    expect((await get(`assettype_id=${router.id}`)).body.record_count).toBe(2);
    expect((await get(`assettype_id=${router.id}&includeinactive=true`)).body.record_count).toBe(3);
    expect(ids(await get(`assetgroup_id=${grp.id}&includeinactive=true&includeactive=false`))).toEqual([made[2]!.id]);
    expect(ids(await get('inventory_number=RT-2'))).toEqual([made[1]!.id]);
    expect(ids(await get('inventory_number=RT'))).toEqual([]);
    expect(ids(await get('search=core-rout'))).toEqual([made[1]!.id]);
    expect(ids(await get('atera_id=atera-rt-1'))).toEqual([made[0]!.id]);
    const atera = await get(`integration_type=aterarmm&client_id=${beta.id}`);
    expect(ids(atera)).toEqual([made[0]!.id]);
    expect((await get('integration_type=ninjarmm')).body.record_count).toBe(0);
    expect((await get(`site_id=${branch.id}&pageinate=true&page_size=1`)).body.record_count).toBe(500);
    expect((await get(`user_id=${user.id}`)).body.record_count).toBe(1);
    const ordered = await get(`client_id=${beta.id}&search=-&order=inventory_number&orderdesc=true`);
    expect(ordered.body.assets.map((a: { inventory_number: string }) => a.inventory_number)).toEqual([
      'RT-2',
      'RT-1',
      'PR-1',
    ]);
    const byType = await get(`client_id=${beta.id}&order=assettype_name`);
    expect(byType.body.assets[0].assettype_name).toBe('Printer');
    // Paging: page 2 of size 1 in id order.
    const page = await get(`assettype_id=${router.id}&pageinate=true&page_size=1&page_no=2`);
    expect(page.body).toMatchObject({ page_no: 2, page_size: 1, record_count: 2 });
    expect(ids(page)).toEqual([made[1]!.id]);
    // The user linked to an asset.
    const a = (await t.call('POST', '/api/Asset', [{ assettype_id: printer.id, client_id: acme.id, user_id: user.id }]))
      .body;
    const users = await t.call('GET', `/api/Users?asset_id=${a.id}`);
    expect(users.body.users.map((u: { id: number }) => u.id)).toEqual([user.id]);
  });

  it('lets technicians write assets, and deletes an asset', async () => {
    const res = await t.call(
      'POST',
      '/api/Asset',
      [{ assettype_id: printer.id, inventory_number: 'TECH-1' }],
      t.techToken,
    );
    expect(res.status).toBe(200);
    const upd = await t.call('POST', '/api/Asset', [{ id: res.body.id, inactive: true }], t.techToken);
    expect(upd.body.inactive).toBe(true);
    expect((await t.call('DELETE', `/api/Asset/${res.body.id}`, undefined, t.techToken)).status).toBe(200);
    expect((await t.call('GET', `/api/Asset/${res.body.id}`)).status).toBe(404);
    expect((await t.call('DELETE', `/api/Asset/${res.body.id}`)).status).toBe(404);
    expect(
      (await t.call('POST', '/api/AssetType', [{ name: 'Tech Type', assetgroup_id: 1 }], t.techToken)).status,
    ).toBe(403);
  });

  it('refuses deleting an asset linked to a ticket (deactivate instead)', async () => {
    const a = (await t.call('POST', '/api/Asset', [{ assettype_id: printer.id }])).body;
    const ticket = await t.ctx.db
      .insertInto('ticket')
      .values({ summary: 'Printer jam', tickettype_id: 1, status_id: 1 })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.ctx.db.insertInto('ticket_asset').values({ ticket_id: ticket.id, asset_id: a.id }).execute();
    const res = await t.call('DELETE', `/api/Asset/${a.id}`);
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain('deactivate');
  });

  it('record_count follows every change that moves an asset in or out of a list, at once', async () => {
    const count = async (query: string) => (await t.call('GET', `/api/Asset?${query}`)).body.record_count as number;
    const c = (await t.call('POST', '/api/Client', [{ name: 'Count Co' }])).body as { id: number };
    const byClient = `client_id=${c.id}`;
    expect(await count(byClient)).toBe(0);
    const all = await count('');
    const created = (
      await t.call('POST', '/api/Asset', [
        { client_id: c.id, assettype_id: printer.id, inventory_number: 'CNT-1' },
        { client_id: c.id, assettype_id: printer.id, inventory_number: 'CNT-2' },
      ])
    ).body as { id: number }[];
    expect(await count(byClient)).toBe(2);
    expect(await count('')).toBe(all + 2);
    // An edit of a column no filter reads keeps the count (and the cached count stays right).
    await t.call('POST', '/api/Asset', [{ id: created[0]!.id, notes: 'moved desks' }]);
    expect(await count(byClient)).toBe(2);
    await t.call('POST', '/api/Asset', [{ id: created[0]!.id, inactive: true }]);
    expect(await count(byClient)).toBe(1);
    expect(await count(`${byClient}&includeinactive=true`)).toBe(2);
    expect(await count('search=CNT-')).toBe(1);
    await t.call('POST', '/api/Asset', [{ id: created[1]!.id, client_id: acme.id }]);
    expect(await count(byClient)).toBe(0);
    expect((await t.call('DELETE', `/api/Asset/${created[0]!.id}`)).status).toBe(200);
    expect(await count(`${byClient}&includeinactive=true`)).toBe(0);
    expect(await count('')).toBe(all + 1);
  });
});
