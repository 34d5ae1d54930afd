import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/helpers/app.js';
import { describeEachDb } from '../../../test/helpers/db.js';

describeEachDb('FieldInfo API (custom fields)', (ctx) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(ctx.database);
  });
  afterAll(() => t.close());

  it('creates, updates only the fields sent, gets and lists by usage as a bare array', async () => {
    const res = await t.call('POST', '/api/FieldInfo', [
      { name: 'CFcontract', label: 'Contract ref', usage: 'client' },
      { name: 'CFwarranty', type: 'date', usage: 'asset' },
    ]);
    expect(res.status).toBe(200);
    expect(res.body[0]).toEqual({
      id: res.body[0].id,
      name: 'CFcontract',
      label: 'Contract ref',
      type: 'text',
      usage: 'client',
    });
    expect(res.body[1]).toMatchObject({ label: 'CFwarranty', type: 'date', usage: 'asset' });
    const upd = await t.call('POST', '/api/FieldInfo', [{ id: res.body[0].id, label: 'Contract' }]);
    expect(upd.body).toMatchObject({ name: 'CFcontract', label: 'Contract' });
    expect((await t.call('GET', `/api/FieldInfo/${res.body[0].id}`)).body).toEqual(upd.body);
    const assets = await t.call('GET', '/api/FieldInfo?usage=asset');
    expect(assets.body.map((f: { name: string }) => f.name)).toEqual(['CFwarranty']);
    expect((await t.call('GET', '/api/FieldInfo')).body).toHaveLength(2);
    expect((await t.call('GET', '/api/FieldInfo?usage=bogus')).status).toBe(400);
    const paged = await t.call('GET', '/api/FieldInfo?pageinate=true&page_size=1&page_no=2');
    expect(paged.body).toMatchObject({ record_count: 2, fieldinfo: [{ name: 'CFwarranty' }] });
  });

  it('values appear on records of that usage; the same name may exist for another usage', async () => {
    const f = (await t.call('POST', '/api/FieldInfo', [{ name: 'CFcode', usage: 'client' }])).body;
    expect((await t.call('POST', '/api/FieldInfo', [{ name: 'CFcode', usage: 'site' }])).status).toBe(200);
    const c = await t.call('POST', '/api/Client', [{ name: 'Coded', customfields: [{ id: f.id, value: 'C-1' }] }]);
    expect(c.body.customfields).toEqual([{ id: f.id, name: 'CFcode', label: 'CFcode', type: 'text', value: 'C-1' }]);
  });

  it('refuses duplicates per usage (409), usage changes and bad input', async () => {
    const f = (await t.call('POST', '/api/FieldInfo', [{ name: 'CFunique', usage: 'users' }])).body;
    const cases: [unknown, number, string][] = [
      [[{ name: 'cfUNIQUE', usage: 'users' }], 409, 'body[0].name'],
      [[{ id: f.id, usage: 'asset' }], 400, 'body[0].usage'],
      [[{ name: 'NoUsage' }], 400, 'body[0].usage'],
      [[{ name: 'BadUsage', usage: 'everything' }], 400, 'usage'],
      [[{ name: 'BadType', usage: 'site', type: 'json' }], 400, 'type'],
      [[{ usage: 'site' }], 400, 'body[0].name'],
      [[{ id: 999999, label: 'X' }], 404, 'FieldInfo 999999'],
    ];
    for (const [body, status, mention] of cases) {
      const res = await t.call('POST', '/api/FieldInfo', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(JSON.stringify(res.body)).toContain(mention);
    }
  });

  it('refuses a type change while records hold values; deletes a field with its values', async () => {
    const f = (await t.call('POST', '/api/FieldInfo', [{ name: 'CFsize', usage: 'site', type: 'text' }])).body;
    const client = (await t.call('POST', '/api/Client', [{ name: 'Sized' }])).body;
    await t.call('POST', '/api/Site', [{ id: client.main_site_id, customfields: [{ id: f.id, value: 'big' }] }]);
    const refused = await t.call('POST', '/api/FieldInfo', [{ id: f.id, type: 'number' }]);
    expect(refused.status).toBe(409);
    expect((await t.call('DELETE', `/api/FieldInfo/${f.id}`)).status).toBe(200);
    const site = await t.ctx.db
      .selectFrom('site')
      .select('customfields')
      .where('id', '=', client.main_site_id)
      .executeTakeFirstOrThrow();
    expect(site.customfields).toEqual({});
    expect((await t.call('DELETE', `/api/FieldInfo/${f.id}`)).status).toBe(404);
  });

  it('is admin-only to write', async () => {
    expect((await t.call('GET', '/api/FieldInfo', undefined, t.techToken)).status).toBe(200);
    expect((await t.call('POST', '/api/FieldInfo', [{ name: 'T', usage: 'site' }], t.techToken)).status).toBe(403);
  });
});
