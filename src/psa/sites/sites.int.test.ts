import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/helpers/app.js';
import { describeEachDb } from '../../../test/helpers/db.js';

describeEachDb('Site API', (ctx) => {
  let t: TestApp;
  let acme: { id: number; main_site_id: number };
  let other: { id: number; main_site_id: number };
  beforeAll(async () => {
    t = await startTestApp(ctx.database);
    acme = (await t.call('POST', '/api/Client', [{ name: 'Acme Sites' }])).body;
    other = (await t.call('POST', '/api/Client', [{ name: 'Other Sites', toplevel_id: 1 }])).body;
  });
  afterAll(() => t.close());

  it('creates a site, returning phone under both names, and gets it', async () => {
    const res = await t.call('POST', '/api/Site', [
      { name: 'Head Office', client_id: acme.id, phonenumber: '+44 1', city: 'Leeds', ateraid: 77 },
    ]);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: 'Head Office',
      client_id: acme.id,
      client_name: 'Acme Sites',
      phonenumber: '+44 1',
      phone: '+44 1',
      city: 'Leeds',
      ateraid: 77,
      inactive: false,
      customfields: [],
    });
    expect(res.body.datecreated).toMatch(/^\d{4}-/);
    expect(res.body.slastupdate).toMatch(/^\d{4}-/);
    const got = await t.call('GET', `/api/Site/${res.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);
  });

  it('accepts `phone` as the phone number and updates only the fields sent', async () => {
    const created = (await t.call('POST', '/api/Site', [{ name: 'Depot', client_id: acme.id, notes: 'keep' }])).body;
    const res = await t.call('POST', '/api/site', [{ id: created.id, phone: '0113 555' }]);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'Depot', notes: 'keep', phonenumber: '0113 555', phone: '0113 555' });
    const both = await t.call('POST', '/api/Site', [{ id: created.id, phone: 'a', phonenumber: 'b' }]);
    expect(both.status).toBe(400);
    expect(JSON.stringify(both.body)).toContain('body[0].phone');
  });

  it('round-trips site custom fields', async () => {
    const def = await t.call('POST', '/api/FieldInfo', [
      { name: 'CFrack', label: 'Racks', type: 'number', usage: 'site' },
    ]);
    expect(def.status).toBe(200);
    const res = await t.call('POST', '/api/Site', [
      { name: 'Data Centre', client_id: acme.id, customfields: [{ id: def.body.id, value: '12' }] },
    ]);
    expect(res.status).toBe(200);
    expect(res.body.customfields).toEqual([
      { id: def.body.id, name: 'CFrack', label: 'Racks', type: 'number', value: 12 },
    ]);
    const bad = await t.call('POST', '/api/Site', [
      { name: 'Bad', client_id: acme.id, customfields: [{ id: def.body.id, value: 'many' }] },
    ]);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('body[0].customfields[0].value');
  });

  it('lists with the sites envelope and filters by client, site, top level, ateraid, search and inactive', async () => {
    const [a, b, c] = (
      await t.call('POST', '/api/Site', [
        { name: 'Filter North', client_id: other.id, ateraid: 9001 },
        { name: 'Filter South', client_id: other.id },
        { name: 'Filter Closed', client_id: other.id, inactive: true },
      ])
    ).body;
    const byClient = await t.call('GET', `/api/Site?client_id=${other.id}`);
    expect(byClient.status).toBe(200);
    expect(byClient.body.record_count).toBe(3); // main site + North + South
    expect(byClient.body.sites.map((s: { name: string }) => s.name)).toEqual(['Filter North', 'Filter South', 'Main']);
    const withInactive = await t.call('GET', `/api/Site?client_id=${other.id}&includeinactive=true`);
    expect(withInactive.body.record_count).toBe(4);
    const onlyInactive = await t.call(
      'GET',
      `/api/Site?client_id=${other.id}&includeinactive=true&includeactive=false`,
    );
    expect(onlyInactive.body.sites.map((s: { id: number }) => s.id)).toEqual([c.id]);
    expect((await t.call('GET', `/api/Site?site_id=${b.id}`)).body.sites.map((s: { id: number }) => s.id)).toEqual([
      b.id,
    ]);
    expect((await t.call('GET', '/api/Site?ateraid=9001')).body.sites.map((s: { id: number }) => s.id)).toEqual([a.id]);
    const top = await t.call('GET', '/api/Site?toplevel_id=1&search=filter');
    expect(top.body.record_count).toBe(2);
    const paged = await t.call(
      'GET',
      '/api/Site?search=filter&pageinate=true&page_size=1&page_no=2&order=name&orderdesc=true',
    );
    expect(paged.body).toMatchObject({ page_no: 2, page_size: 1, record_count: 2 });
    expect(paged.body.sites[0].name).toBe('Filter North');
  });

  it('refuses bad input with a 4xx naming the field', async () => {
    const cases: [unknown, number, string][] = [
      [[{ name: 'No client' }], 400, 'body[0].client_id'],
      [[{ client_id: acme.id }], 400, 'body[0].name'],
      [[{ name: 'X', client_id: 999999 }], 400, 'body[0].client_id'],
      [[{ name: 'X', client_id: 'one' }], 400, 'client_id'],
      [[{ name: 'X', client_id: acme.id, inactive: 'yes' }], 400, 'inactive'],
      [[{ name: 'x'.repeat(300), client_id: acme.id }], 400, 'name'],
      [[{ id: 999999, name: 'X' }], 404, 'Site 999999'],
    ];
    for (const [body, status, mention] of cases) {
      const res = await t.call('POST', '/api/Site', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(JSON.stringify(res.body)).toContain(mention);
    }
    expect((await t.call('GET', '/api/Site/abc')).status).toBe(400);
    expect((await t.call('GET', '/api/Site?client_id=abc')).status).toBe(400);
    expect((await t.call('GET', '/api/Site?order=constructor')).status).toBe(200);
    expect((await t.call('GET', '/api/Site/999999')).status).toBe(404);
  });

  it('moves a site to another client with its users and assets, but never a main site', async () => {
    const site = (await t.call('POST', '/api/Site', [{ name: 'Moving', client_id: acme.id }])).body;
    const user = (await t.call('POST', '/api/Users', [{ name: 'Mover', site_id: site.id }])).body;
    expect(user.client_id).toBe(acme.id);
    const moved = await t.call('POST', '/api/Site', [{ id: site.id, client_id: other.id }]);
    expect(moved.status).toBe(200);
    expect(moved.body.client_id).toBe(other.id);
    expect((await t.call('GET', `/api/Users/${user.id}`)).body).toMatchObject({
      client_id: other.id,
      site_id: site.id,
    });
    const main = await t.call('POST', '/api/Site', [{ id: acme.main_site_id, client_id: other.id }]);
    expect(main.status).toBe(409);
    expect(JSON.stringify(main.body)).toContain('main site');
  });

  it('deletes an unused site and refuses one in use or a main site (409, deactivate instead)', async () => {
    const unused = (await t.call('POST', '/api/Site', [{ name: 'Unused', client_id: acme.id }])).body;
    expect((await t.call('DELETE', `/api/Site/${unused.id}`)).status).toBe(200);
    expect((await t.call('GET', `/api/Site/${unused.id}`)).status).toBe(404);
    expect((await t.call('DELETE', `/api/Site/${unused.id}`)).status).toBe(404);

    const main = await t.call('DELETE', `/api/Site/${acme.main_site_id}`);
    expect(main.status).toBe(409);
    expect(main.body.error.message).toContain('main site');

    const used = (await t.call('POST', '/api/Site', [{ name: 'Used', client_id: acme.id }])).body;
    await t.call('POST', '/api/Users', [{ name: 'Somebody', site_id: used.id }]);
    const refused = await t.call('DELETE', `/api/Site/${used.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('deactivate');
    const deactivated = await t.call('POST', '/api/Site', [{ id: used.id, inactive: true }]);
    expect(deactivated.body.inactive).toBe(true);
    const list = await t.call('GET', `/api/Site?client_id=${acme.id}`);
    expect(list.body.sites.map((s: { id: number }) => s.id)).not.toContain(used.id);
  });

  it('lets technicians read and write sites', async () => {
    expect((await t.call('GET', '/api/Site', undefined, t.techToken)).status).toBe(200);
    const res = await t.call('POST', '/api/Site', [{ name: 'Tech Site', client_id: acme.id }], t.techToken);
    expect(res.status).toBe(200);
    expect((await t.call('GET', '/api/Site', undefined, null)).status).toBe(401);
  });
});
