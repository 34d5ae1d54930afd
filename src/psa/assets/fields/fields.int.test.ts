import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../../test/helpers/app.js';
import { describeEachDb } from '../../../../test/helpers/db.js';

describeEachDb('Field API (asset fields)', (ctx) => {
  let t: TestApp;
  let type: { id: number };
  beforeAll(async () => {
    t = await startTestApp(ctx.database);
    type = (await t.call('POST', '/api/AssetType', [{ name: 'Desktop', assetgroup_id: 1 }])).body;
  });
  afterAll(() => t.close());

  it('lists the seeded fields as a bare array in sequence order', async () => {
    const res = await t.call('GET', '/api/Field');
    expect(res.status).toBe(200);
    expect(res.body[0]).toEqual({ id: res.body[0].id, name: 'Serial Number', type: 'text', sequence: 1 });
    expect(res.body.map((f: { name: string }) => f.name)).toContain('Last Seen');
  });

  it('adds a new field to every asset type (AddFieldToAll) and takes its values on assets', async () => {
    const res = await t.call('POST', '/api/Field', [{ name: 'RAM (GB)', type: 'number' }]);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'RAM (GB)', type: 'number', sequence: 9 });
    const typeNow = (await t.call('GET', `/api/AssetType/${type.id}`)).body;
    expect(typeNow.fields.map((f: { id: number }) => f.id)).toContain(res.body.id);
    expect((await t.call('GET', `/api/Field?type_id=${type.id}`)).body.map((f: { id: number }) => f.id)).toContain(
      res.body.id,
    );
    const asset = await t.call('POST', '/api/Asset', [
      { assettype_id: type.id, fields: [{ id: res.body.id, value: '16' }] },
    ]);
    expect(asset.body.fields).toEqual([{ id: res.body.id, name: 'RAM (GB)', type: 'number', value: 16 }]);
  });

  it('updates only the fields sent; refuses a type change while assets hold values (409)', async () => {
    const f = (await t.call('POST', '/api/Field', [{ name: 'Rack Unit', type: 'text', sequence: 50 }])).body;
    const upd = await t.call('POST', '/api/Field', [{ id: f.id, name: 'Rack U' }]);
    expect(upd.body).toEqual({ id: f.id, name: 'Rack U', type: 'text', sequence: 50 });
    expect((await t.call('POST', '/api/Field', [{ id: f.id, type: 'number' }])).body.type).toBe('number');
    await t.call('POST', '/api/Asset', [{ assettype_id: type.id, fields: [{ id: f.id, value: 4 }] }]);
    const refused = await t.call('POST', '/api/Field', [{ id: f.id, type: 'date' }]);
    expect(refused.status).toBe(409);
    expect(JSON.stringify(refused.body)).toContain('body[0].type');
  });

  it('refuses duplicates and bad input', async () => {
    const cases: [unknown, number, string][] = [
      [[{ name: 'serial number' }], 409, 'body[0].name'],
      [[{ name: 'X', type: 'money' }], 400, 'type'],
      [[{ type: 'text' }], 400, 'body[0].name'],
      [[{ name: 'Y', sequence: -1 }], 400, 'sequence'],
      [[{ id: 999999, name: 'Z' }], 404, 'Field 999999'],
    ];
    for (const [body, status, mention] of cases) {
      const res = await t.call('POST', '/api/Field', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(JSON.stringify(res.body)).toContain(mention);
    }
  });

  it('deletes a field and the values assets held for it', async () => {
    const f = (await t.call('POST', '/api/Field', [{ name: 'Temporary' }])).body;
    const asset = (await t.call('POST', '/api/Asset', [{ assettype_id: type.id, fields: [{ id: f.id, value: 'x' }] }]))
      .body;
    expect((await t.call('DELETE', `/api/Field/${f.id}`)).status).toBe(200);
    expect((await t.call('GET', `/api/Field/${f.id}`)).status).toBe(404);
    const row = await t.ctx.db
      .selectFrom('asset')
      .select('fields')
      .where('id', '=', asset.id)
      .executeTakeFirstOrThrow();
    expect(row.fields[String(f.id)]).toBeUndefined();
  });

  it('is admin-only to write', async () => {
    expect((await t.call('GET', '/api/Field', undefined, t.techToken)).status).toBe(200);
    expect((await t.call('POST', '/api/Field', [{ name: 'Tech' }], t.techToken)).status).toBe(403);
  });
});
