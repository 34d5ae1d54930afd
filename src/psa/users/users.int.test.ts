import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/helpers/app.js';
import { describeEachDb } from '../../../test/helpers/db.js';

describeEachDb('Users API', (ctx) => {
  let t: TestApp;
  let acme: { id: number; main_site_id: number };
  let beta: { id: number; main_site_id: number };
  let annex: { id: number };
  beforeAll(async () => {
    t = await startTestApp(ctx.database);
    [acme, beta] = (await t.call('POST', '/api/Client', [{ name: 'Acme Users' }, { name: 'Beta Users' }])).body;
    annex = (await t.call('POST', '/api/Site', [{ name: 'Annex', client_id: acme.id }])).body;
  });
  afterAll(() => t.close());

  it('creates a user on a site (the client comes with it) and gets it', async () => {
    const res = await t.call('POST', '/api/Users', [
      {
        firstname: 'Ada',
        surname: 'Lovelace',
        emailaddress: 'ada@acme.example',
        login: 'ada',
        phonenumber: '+44 2',
        site_id: annex.id,
      },
    ]);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: 'Ada Lovelace',
      firstname: 'Ada',
      surname: 'Lovelace',
      emailaddress: 'ada@acme.example',
      login: 'ada',
      phonenumber: '+44 2',
      client_id: acme.id,
      client_name: 'Acme Users',
      site_id: annex.id,
      site_name: 'Annex',
      inactive: false,
      customfields: [],
    });
    expect(res.body.datecreated).toMatch(/^\d{4}-/);
    expect((await t.call('GET', `/api/Users/${res.body.id}`)).body).toEqual(res.body);
  });

  it('puts a user sent with only a client on its main site; updates only the fields sent', async () => {
    const u = (await t.call('POST', '/api/Users', [{ name: 'Bob', client_id: acme.id, notes: 'keep' }])).body;
    expect(u.site_id).toBe(acme.main_site_id);
    const upd = await t.call('POST', '/api/Users', [{ id: u.id, emailaddress: 'bob@acme.example' }]);
    expect(upd.status).toBe(200);
    expect(upd.body).toMatchObject({
      name: 'Bob',
      notes: 'keep',
      emailaddress: 'bob@acme.example',
      site_id: acme.main_site_id,
    });
    const moved = await t.call('POST', '/api/Users', [{ id: u.id, client_id: beta.id }]);
    expect(moved.body).toMatchObject({ client_id: beta.id, site_id: beta.main_site_id });
  });

  it('refuses a site of another client, naming site_id, and other bad input', async () => {
    const cases: [unknown, number, string][] = [
      [[{ name: 'X', client_id: beta.id, site_id: annex.id }], 400, 'body[0].site_id'],
      [[{ name: 'X', site_id: 999999 }], 400, 'body[0].site_id'],
      [[{ name: 'X', client_id: 999999 }], 400, 'body[0].client_id'],
      [[{ emailaddress: 'nobody@x' }], 400, 'body[0].name'],
      [[{ name: 7 }], 400, 'name'],
      [[{ name: 'X', inactive: 'no' }], 400, 'inactive'],
      [[{ name: 'X', emailaddress: 'e'.repeat(400) }], 400, 'emailaddress'],
      [[{ id: 999999, name: 'X' }], 404, 'Users 999999'],
    ];
    for (const [body, status, mention] of cases) {
      const res = await t.call('POST', '/api/Users', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(JSON.stringify(res.body)).toContain(mention);
    }
    expect((await t.call('GET', '/api/Users?site_id=x')).status).toBe(400);
  });

  it('round-trips user custom fields', async () => {
    const def = (await t.call('POST', '/api/FieldInfo', [{ name: 'CFvip', type: 'boolean', usage: 'users' }])).body;
    const res = await t.call('POST', '/api/Users', [{ name: 'Vic', customfields: [{ name: 'cfvip', value: 'true' }] }]);
    expect(res.status).toBe(200);
    expect(res.body.customfields).toEqual([
      { id: def.id, name: 'CFvip', label: 'CFvip', type: 'boolean', value: true },
    ]);
  });

  it('lists with the users envelope and filters by client, site, search, asset and inactive', async () => {
    const made = (
      await t.call('POST', '/api/Users', [
        { name: 'Filter One', client_id: beta.id, emailaddress: 'one@beta.example' },
        { name: 'Filter Two', client_id: beta.id, login: 'f2' },
        { name: 'Filter Gone', client_id: beta.id, inactive: true },
      ])
    ).body as { id: number }[];
    const names = (r: { body: { users: { name: string }[] } }) => r.body.users.map((u) => u.name);
    const byClient = await t.call('GET', `/api/Users?client_id=${beta.id}&search=filter`);
    expect(byClient.body).toMatchObject({ record_count: 2 });
    expect(names(byClient)).toEqual(['Filter One', 'Filter Two']);
    expect(
      (await t.call('GET', `/api/Users?client_id=${beta.id}&search=filter&includeinactive=true`)).body.record_count,
    ).toBe(3);
    expect(names(await t.call('GET', '/api/Users?search=one@beta'))).toEqual(['Filter One']);
    expect(names(await t.call('GET', '/api/Users?search=F2'))).toEqual(['Filter Two']);
    expect((await t.call('GET', `/api/Users?site_id=${annex.id}`)).body.record_count).toBe(1);
    const paged = await t.call(
      'GET',
      `/api/Users?client_id=${beta.id}&search=filter&pageinate=true&page_size=1&page_no=2`,
    );
    expect(paged.body).toMatchObject({ page_no: 2, page_size: 1, record_count: 2 });
    expect(names(paged)).toEqual(['Filter Two']);
    const asset = (
      await t.call('POST', '/api/Asset', [
        { assettype_id: await anyAssetType(), client_id: beta.id, user_id: made[1]!.id },
      ])
    ).body;
    expect(names(await t.call('GET', `/api/Users?asset_id=${asset.id}`))).toEqual(['Filter Two']);
  });

  it('is admin-only to write: technicians read (200) but cannot write (403)', async () => {
    expect((await t.call('GET', '/api/Users', undefined, t.techToken)).status).toBe(200);
    const res = await t.call('POST', '/api/Users', [{ name: 'Nope' }], t.techToken);
    expect(res.status).toBe(403);
    const u = (await t.call('POST', '/api/Users', [{ name: 'Keep' }])).body;
    expect((await t.call('DELETE', `/api/Users/${u.id}`, undefined, t.techToken)).status).toBe(403);
  });

  it('deletes a user and refuses one named on tickets (409)', async () => {
    const u = (await t.call('POST', '/api/Users', [{ name: 'Temp' }])).body;
    expect((await t.call('DELETE', `/api/Users/${u.id}`)).status).toBe(200);
    expect((await t.call('GET', `/api/Users/${u.id}`)).status).toBe(404);
    const v = (await t.call('POST', '/api/Users', [{ name: 'Reporter' }])).body;
    await t.ctx.db
      .insertInto('ticket')
      .values({ summary: 'Help', tickettype_id: 1, status_id: 1, user_id: v.id })
      .execute();
    const res = await t.call('DELETE', `/api/Users/${v.id}`);
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain('deactivate');
  });

  async function anyAssetType(): Promise<number> {
    const types = (await t.call('GET', '/api/AssetType')).body as { id: number }[];
    if (types[0]) return types[0].id;
    return (await t.call('POST', '/api/AssetType', [{ name: 'Any', assetgroup_id: 1 }])).body.id;
  }
});
