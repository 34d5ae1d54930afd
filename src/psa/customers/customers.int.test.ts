import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/helpers/app.js';
import { describeEachDb } from '../../../test/helpers/db.js';

describeEachDb('Client API', (ctx) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(ctx.database);
  });
  afterAll(() => t.close());

  it('creates a client with its main site, as Halo does, and returns the saved record', async () => {
    const res = await t.call('POST', '/api/Client', [{ name: 'Acme Ltd', toplevel_id: 1 }]);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: 'Acme Ltd',
      toplevel_id: 1,
      toplevel_name: 'Customers',
      main_site_name: 'Main',
      inactive: false,
    });
    const site = await t.ctx.db
      .selectFrom('site')
      .selectAll()
      .where('id', '=', res.body.main_site_id)
      .executeTakeFirstOrThrow();
    expect(site.client_id).toBe(res.body.id);
  });

  it('updates only the fields sent', async () => {
    const created = (await t.call('POST', '/api/Client', [{ name: 'Partial Co', notes: 'keep me' }])).body;
    const res = await t.call('POST', '/api/client', [{ id: created.id, website: 'https://partial.example' }]);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'Partial Co', notes: 'keep me', website: 'https://partial.example' });
  });

  it('lists with Halo envelope, paging, search and inactive filtering', async () => {
    await t.call('POST', '/api/Client', [
      { name: 'Zeta One' },
      { name: 'Zeta Two' },
      { name: 'Zeta Three', inactive: true },
    ]);
    const page = await t.call('GET', '/api/Client?search=zeta&pageinate=true&page_size=1&page_no=2&order=name');
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ page_no: 2, page_size: 1, record_count: 2 });
    expect(page.body.clients.map((c: { name: string }) => c.name)).toEqual(['Zeta Two']);
    const all = await t.call('GET', '/api/Client?search=zeta&includeinactive=true');
    expect(all.body.record_count).toBe(3);
  });

  it('refuses bad input with a 4xx that names the field, never a 500', async () => {
    const cases: [unknown, number, string][] = [
      [[{ name: '' }], 400, 'name'],
      [[{ name: 'X', toplevel_id: 999999 }], 400, 'toplevel_id'],
      [[{ id: 999999, name: 'X' }], 404, 'Client 999999'],
      [[{ name: 123 }], 400, 'name'],
      [[], 400, 'at least one'],
      ['not json at all', 400, ''],
    ];
    for (const [body, status, mention] of cases) {
      const res = await t.call('POST', '/api/Client', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(JSON.stringify(res.body)).toContain(mention);
    }
  });

  it('requires a token and lets technicians read but not write clients', async () => {
    expect((await t.call('GET', '/api/Client', undefined, null)).status).toBe(401);
    expect((await t.call('GET', '/api/Client', undefined, t.techToken)).status).toBe(200);
  });

  it('deletes a client without dependants and refuses one still in use', async () => {
    const c = (await t.call('POST', '/api/Client', [{ name: 'Short Lived' }])).body;
    expect((await t.call('DELETE', `/api/Client/${c.id}`)).status).toBe(200);
    expect((await t.call('GET', `/api/Client/${c.id}`)).status).toBe(404);
  });
});
