import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/helpers/app.js';
import { describeEachDb } from '../../../test/helpers/db.js';

describeEachDb('TopLevel API', (ctx) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(ctx.database);
  });
  afterAll(() => t.close());

  it('creates, updates only the fields sent, and gets a top level', async () => {
    const res = await t.call('POST', '/api/TopLevel', [{ name: 'North' }]);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: res.body.id, name: 'North', inactive: false });
    const upd = await t.call('POST', '/api/toplevel', [{ id: res.body.id, inactive: true }]);
    expect(upd.body).toEqual({ id: res.body.id, name: 'North', inactive: true });
    expect((await t.call('GET', `/api/TopLevel/${res.body.id}`)).body).toEqual(upd.body);
  });

  it('lists as a bare array, or the `tree` envelope with pageinate; hides inactive unless asked', async () => {
    await t.call('POST', '/api/TopLevel', [
      { name: 'Region A' },
      { name: 'Region B' },
      { name: 'Region C', inactive: true },
    ]);
    const bare = await t.call('GET', '/api/TopLevel?search=region');
    expect(bare.body.map((x: { name: string }) => x.name)).toEqual(['Region A', 'Region B']);
    const all = await t.call('GET', '/api/TopLevel?search=region&includeinactive=true');
    expect(all.body).toHaveLength(3);
    const paged = await t.call('GET', '/api/TopLevel?search=region&pageinate=true&page_size=1&page_no=2');
    expect(paged.body).toEqual({
      page_no: 2,
      page_size: 1,
      record_count: 2,
      tree: [expect.objectContaining({ name: 'Region B' })],
    });
  });

  it('refuses bad input naming the field', async () => {
    const cases: [unknown, number, string][] = [
      [[{}], 400, 'body[0].name'],
      [[{ name: '' }], 400, 'name'],
      [[{ name: 5 }], 400, 'name'],
      [[{ name: 'x'.repeat(256) }], 400, 'name'],
      [[{ id: 999999, name: 'X' }], 404, 'TopLevel 999999'],
      [[{ id: -1, name: 'X' }], 400, 'id'],
    ];
    for (const [body, status, mention] of cases) {
      const res = await t.call('POST', '/api/TopLevel', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(JSON.stringify(res.body)).toContain(mention);
    }
  });

  it('deletes an unused top level and refuses one with customers (409)', async () => {
    const tl = (await t.call('POST', '/api/TopLevel', [{ name: 'Short' }])).body;
    expect((await t.call('DELETE', `/api/TopLevel/${tl.id}`)).status).toBe(200);
    expect((await t.call('GET', `/api/TopLevel/${tl.id}`)).status).toBe(404);
    const used = (await t.call('POST', '/api/TopLevel', [{ name: 'Used' }])).body;
    await t.call('POST', '/api/Client', [{ name: 'Under Used', toplevel_id: used.id }]);
    const res = await t.call('DELETE', `/api/TopLevel/${used.id}`);
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain('deactivate');
  });

  it('is admin-only to write', async () => {
    expect((await t.call('GET', '/api/TopLevel', undefined, t.techToken)).status).toBe(200);
    expect((await t.call('POST', '/api/TopLevel', [{ name: 'Tech' }], t.techToken)).status).toBe(403);
    expect((await t.call('DELETE', '/api/TopLevel/1', undefined, t.techToken)).status).toBe(403);
  });
});
