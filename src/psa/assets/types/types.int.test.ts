import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../../test/helpers/app.js';
import { describeEachDb } from '../../../../test/helpers/db.js';

describeEachDb('AssetType API', (ctx) => {
  let t: TestApp;
  let fieldIds: number[];
  let serial: number;
  let model: number;
  beforeAll(async () => {
    t = await startTestApp(ctx.database);
    const fields = (await t.call('GET', '/api/Field')).body as { id: number; name: string }[];
    fieldIds = fields.map((f) => f.id);
    serial = fields.find((f) => f.name === 'Serial Number')!.id;
    model = fields.find((f) => f.name === 'Model')!.id;
  });
  afterAll(() => t.close());

  it('creates a type with every asset field by default, its group and key field named', async () => {
    const res = await t.call('POST', '/api/AssetType', [{ name: 'Laptop', assetgroup_id: 1, keyfield_id: serial }]);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: 'Laptop',
      assetgroup_id: 1,
      assetgroup_name: 'Default Group',
      keyfield_id: serial,
      keyfield_name: 'Serial Number',
      inactive: false,
    });
    expect(res.body.fields.map((f: { id: number }) => f.id)).toEqual(fieldIds);
    expect(res.body.fields[0]).toEqual({ id: fieldIds[0], name: 'Serial Number', type: 'text' });
    expect((await t.call('GET', `/api/AssetType/${res.body.id}`)).body).toEqual(res.body);
  });

  it('takes a field list (ids or {id}) and replaces it on update; other fields stay', async () => {
    const res = await t.call('POST', '/api/AssetType', [
      { name: 'Switch', assetgroup_id: 1, fields: [model, { id: serial }] },
    ]);
    expect(res.body.fields.map((f: { id: number }) => f.id)).toEqual([model, serial]);
    const upd = await t.call('POST', '/api/AssetType', [{ id: res.body.id, fields: [serial], keyfield_id: serial }]);
    expect(upd.status).toBe(200);
    expect(upd.body).toMatchObject({ name: 'Switch', keyfield_id: serial, fields: [{ id: serial }] });
    const notMember = await t.call('POST', '/api/AssetType', [{ id: res.body.id, keyfield_id: model }]);
    expect(notMember.status).toBe(400);
    expect(JSON.stringify(notMember.body)).toContain('body[0].keyfield_id');
  });

  it('re-derives key_field of its assets when the key field changes', async () => {
    const type = (await t.call('POST', '/api/AssetType', [{ name: 'Phone', assetgroup_id: 1 }])).body;
    const asset = (
      await t.call('POST', '/api/Asset', [
        {
          assettype_id: type.id,
          fields: [
            { id: serial, value: 'IMEI-1' },
            { id: model, value: 'Pixel' },
          ],
        },
      ])
    ).body;
    expect(asset.key_field).toBeNull();
    await t.call('POST', '/api/AssetType', [{ id: type.id, keyfield_id: model }]);
    expect((await t.call('GET', `/api/Asset/${asset.id}`)).body.key_field).toBe('Pixel');
  });

  it('lists as a bare array, filtered by group, hiding inactive unless asked', async () => {
    const g = (await t.call('POST', '/api/AssetGroup', [{ name: 'Printers' }])).body;
    await t.call('POST', '/api/AssetType', [
      { name: 'Laser', assetgroup_id: g.id },
      { name: 'Inkjet', assetgroup_id: g.id, inactive: true },
    ]);
    const list = await t.call('GET', `/api/AssetType?assetgroup_id=${g.id}`);
    expect(Array.isArray(list.body)).toBe(true);
    expect(list.body.map((x: { name: string }) => x.name)).toEqual(['Laser']);
    expect((await t.call('GET', `/api/AssetType?assetgroup_id=${g.id}&includeinactive=true`)).body).toHaveLength(2);
    const paged = await t.call(
      'GET',
      `/api/AssetType?assetgroup_id=${g.id}&includeinactive=true&pageinate=true&page_size=1`,
    );
    expect(paged.body).toMatchObject({ record_count: 2, assettypes: [{ name: 'Inkjet' }] });
  });

  it('refuses duplicates ignoring case (409), unknown ids (400) and bad input', async () => {
    const cases: [unknown, number, string][] = [
      [[{ name: 'LAPTOP', assetgroup_id: 1 }], 409, 'body[0].name'],
      [[{ name: 'NoGroup' }], 400, 'body[0].assetgroup_id'],
      [[{ name: 'BadGroup', assetgroup_id: 999999 }], 400, 'body[0].assetgroup_id'],
      [[{ name: 'BadKey', assetgroup_id: 1, keyfield_id: 999999 }], 400, 'body[0].keyfield_id'],
      [[{ name: 'BadFields', assetgroup_id: 1, fields: [serial, 999999] }], 400, 'body[0].fields[1]'],
      [[{ name: 'WrongShape', assetgroup_id: 1, fields: ['serial'] }], 400, 'fields'],
      [[{ name: 'KeyNotIn', assetgroup_id: 1, fields: [model], keyfield_id: serial }], 400, 'body[0].keyfield_id'],
      [[{ id: 999999, name: 'X' }], 404, 'AssetType 999999'],
    ];
    for (const [body, status, mention] of cases) {
      const res = await t.call('POST', '/api/AssetType', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(JSON.stringify(res.body)).toContain(mention);
    }
  });

  it('deletes an unused type and refuses one with assets (409)', async () => {
    const unused = (await t.call('POST', '/api/AssetType', [{ name: 'Unused', assetgroup_id: 1 }])).body;
    expect((await t.call('DELETE', `/api/AssetType/${unused.id}`)).status).toBe(200);
    expect((await t.call('GET', `/api/AssetType/${unused.id}`)).status).toBe(404);
    const used = (await t.call('POST', '/api/AssetType', [{ name: 'Used', assetgroup_id: 1 }])).body;
    await t.call('POST', '/api/Asset', [{ assettype_id: used.id }]);
    const res = await t.call('DELETE', `/api/AssetType/${used.id}`);
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain('deactivate');
  });

  it('is admin-only to write', async () => {
    expect((await t.call('GET', '/api/AssetType', undefined, t.techToken)).status).toBe(200);
    expect((await t.call('POST', '/api/AssetType', [{ name: 'T', assetgroup_id: 1 }], t.techToken)).status).toBe(403);
  });
});
