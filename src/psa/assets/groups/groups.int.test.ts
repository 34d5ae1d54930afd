import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../../test/helpers/app.js';
import { describeEachDb } from '../../../../test/helpers/db.js';

describeEachDb('AssetGroup API', (ctx) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(ctx.database);
  });
  afterAll(() => t.close());

  it('creates, updates only the fields sent, gets and lists asset groups as a bare array', async () => {
    const res = await t.call('POST', '/api/AssetGroup', [{ name: 'Servers' }]);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: res.body.id, name: 'Servers', inactive: false });
    const upd = await t.call('POST', '/api/AssetGroup', [{ id: res.body.id, name: 'Server Room' }]);
    expect(upd.body).toEqual({ id: res.body.id, name: 'Server Room', inactive: false });
    expect((await t.call('GET', `/api/AssetGroup/${res.body.id}`)).body).toEqual(upd.body);
    const list = await t.call('GET', '/api/AssetGroup');
    expect(list.body.map((g: { name: string }) => g.name)).toEqual(['Default Group', 'Server Room']);
    await t.call('POST', '/api/AssetGroup', [{ id: res.body.id, inactive: true }]);
    expect((await t.call('GET', '/api/AssetGroup')).body).toHaveLength(1);
    expect((await t.call('GET', '/api/AssetGroup?includeinactive=true')).body).toHaveLength(2);
    const paged = await t.call('GET', '/api/AssetGroup?includeinactive=true&pageinate=true&page_size=1&page_no=2');
    expect(paged.body).toMatchObject({ page_no: 2, record_count: 2, assetgroups: [{ name: 'Server Room' }] });
  });

  it('refuses duplicates (409, any case) and bad input', async () => {
    const cases: [unknown, number, string][] = [
      [[{ name: 'default group' }], 409, 'body[0].name'],
      [[{ name: 'Twice' }, { name: 'TWICE' }], 409, 'body[1].name'],
      [[{}], 400, 'body[0].name'],
      [[{ name: ['x'] }], 400, 'name'],
      [[{ id: 999999, name: 'X' }], 404, 'AssetGroup 999999'],
    ];
    for (const [body, status, mention] of cases) {
      const res = await t.call('POST', '/api/AssetGroup', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(JSON.stringify(res.body)).toContain(mention);
    }
    expect((await t.call('GET', '/api/AssetGroup?search=twice')).body).toEqual([]);
  });

  it('deletes an unused group and refuses one with asset types (409)', async () => {
    const g = (await t.call('POST', '/api/AssetGroup', [{ name: 'Temp Group' }])).body;
    expect((await t.call('DELETE', `/api/AssetGroup/${g.id}`)).status).toBe(200);
    expect((await t.call('DELETE', `/api/AssetGroup/${g.id}`)).status).toBe(404);
    const res = await t.call('DELETE', '/api/AssetGroup/1');
    expect(res.status).toBe(200); // the default group has no types yet
    const h = (await t.call('POST', '/api/AssetGroup', [{ name: 'With Types' }])).body;
    await t.call('POST', '/api/AssetType', [{ name: 'Some Type', assetgroup_id: h.id }]);
    const refused = await t.call('DELETE', `/api/AssetGroup/${h.id}`);
    expect(refused.status).toBe(409);
  });

  it('is admin-only to write', async () => {
    expect((await t.call('GET', '/api/AssetGroup', undefined, t.techToken)).status).toBe(200);
    expect((await t.call('POST', '/api/AssetGroup', [{ name: 'Tech' }], t.techToken)).status).toBe(403);
  });
});
