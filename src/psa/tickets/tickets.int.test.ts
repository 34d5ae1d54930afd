import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/helpers/app.js';
import { describeEachDb } from '../../../test/helpers/db.js';

describeEachDb('Tickets API', (ctx) => {
  let t: TestApp;
  // Fixtures: two clients with their main sites, a second site, users, an agent, two assets.
  let acme: { id: number; main_site_id: number };
  let other: { id: number; main_site_id: number };
  let acmeBranch: number;
  let acmeUser: number;
  let otherUser: number;
  let agent: number;
  let assets: number[];
  let closedStatus: number;
  let inProgress: number;
  let alertType: number;

  beforeAll(async () => {
    t = await startTestApp(ctx.database);
    acme = (await t.call('POST', '/api/Client', [{ name: 'Acme' }])).body;
    other = (await t.call('POST', '/api/Client', [{ name: 'Other Co' }])).body;
    const db = t.ctx.db;
    acmeBranch = (
      await db
        .insertInto('site')
        .values({ client_id: acme.id, name: 'Branch', customfields: '{}' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    acmeUser = (
      await db
        .insertInto('users')
        .values({ name: 'Ann Acme', client_id: acme.id, site_id: acmeBranch, customfields: '{}' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    otherUser = (
      await db
        .insertInto('users')
        .values({ name: 'Olaf Other', client_id: other.id, site_id: other.main_site_id, customfields: '{}' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    agent = (
      await db
        .insertInto('agent')
        .values({ name: 'Tess Tech', login: 'tess', role: 'technician' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    // The Asset API is someone else's work in progress: insert assets directly.
    const group = await db.selectFrom('asset_group').select('id').executeTakeFirstOrThrow();
    const type = await db
      .insertInto('asset_type')
      .values({ name: 'Workstation', assetgroup_id: group.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    assets = (
      await db
        .insertInto('asset')
        .values([
          { inventory_number: 'PC-001', assettype_id: type.id, client_id: acme.id, fields: '{}', customfields: '{}' },
          { inventory_number: 'PC-002', assettype_id: type.id, client_id: acme.id, fields: '{}', customfields: '{}' },
        ])
        .returning('id')
        .execute()
    ).map((r) => r.id);
    const statuses = await db.selectFrom('status').select(['id', 'name']).execute();
    closedStatus = statuses.find((s) => s.name === 'Closed')!.id;
    inProgress = statuses.find((s) => s.name === 'In Progress')!.id;
    alertType = (await db.selectFrom('ticket_type').select('id').where('name', '=', 'Alert').executeTakeFirstOrThrow())
      .id;
  });
  afterAll(() => t.close());

  describe('create and update', () => {
    it('creates a ticket with Halo defaults: Incident, New, the type default priority', async () => {
      const res = await t.call('POST', '/api/Tickets', [{ summary: 'Printer on fire', details: 'smoke' }]);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        summary: 'Printer on fire',
        details: 'smoke',
        tickettype_name: 'Incident',
        status_name: 'New',
        priority_id: 3,
        priority_name: 'Medium',
        client_id: null,
        site_id: null,
        user_id: null,
        agent_id: null,
        assets: [],
        dateclosed: null,
        hasbeenclosed: false,
        _isalert: false,
        atera_alert_id: null,
        customfields: [],
      });
      expect(Date.parse(res.body.dateoccurred)).not.toBeNaN();
      expect(res.body.last_update).toBeTruthy();
      const type = await t.call('POST', '/api/Tickets', [{ summary: 'Disk alert', tickettype_id: alertType }]);
      expect(type.body).toMatchObject({ tickettype_name: 'Alert', priority_id: 2, priority_name: 'High' });
    });

    it('fills names and derives the client from a site or a user', async () => {
      const full = await t.call('POST', '/api/Tickets', [
        { summary: 'Full', client_id: acme.id, site_id: acmeBranch, user_id: acmeUser, agent_id: agent },
      ]);
      expect(full.body).toMatchObject({
        client_name: 'Acme',
        site_name: 'Branch',
        user_name: 'Ann Acme',
        agent_id: agent,
        agent_name: 'Tess Tech',
      });
      const bySite = await t.call('POST', '/api/Tickets', [{ summary: 'By site', site_id: acmeBranch }]);
      expect(bySite.body).toMatchObject({ client_id: acme.id, site_id: acmeBranch });
      const byUser = await t.call('POST', '/api/Tickets', [{ summary: 'By user', user_id: otherUser }]);
      expect(byUser.body).toMatchObject({ client_id: other.id, site_id: other.main_site_id, user_id: otherUser });
    });

    it('refuses a site or user of another client, naming the field', async () => {
      const site = await t.call('POST', '/api/Tickets', [{ summary: 'x', client_id: other.id, site_id: acmeBranch }]);
      expect(site.status).toBe(400);
      expect(site.body.error.details[0].path).toBe('body[0].site_id');
      const user = await t.call('POST', '/api/Tickets', [{ summary: 'x', client_id: acme.id, user_id: otherUser }]);
      expect(user.status).toBe(400);
      expect(user.body.error.details[0].path).toBe('body[0].user_id');
      // Changing the client of a ticket drops the site and user it kept from the old client.
      const ticket = (
        await t.call('POST', '/api/Tickets', [{ summary: 'moving', site_id: acmeBranch, user_id: acmeUser }])
      ).body;
      const moved = await t.call('POST', '/api/Tickets', [{ id: ticket.id, client_id: other.id }]);
      expect(moved.body).toMatchObject({ client_id: other.id, site_id: null, user_id: null });
    });

    it('updates only the fields sent', async () => {
      const created = (
        await t.call('POST', '/api/Tickets', [{ summary: 'Partial', details: 'keep', agent_id: agent, _isalert: true }])
      ).body;
      const res = await t.call('POST', '/api/Tickets', [
        { id: created.id, summary: 'Partial (edited)', priority_id: 1 },
      ]);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        summary: 'Partial (edited)',
        details: 'keep',
        agent_id: agent,
        _isalert: true,
        priority_name: 'Critical',
        status_name: 'New',
      });
      const cleared = await t.call('POST', '/api/Tickets', [{ id: created.id, agent_id: 0, priority_id: null }]);
      expect(cleared.body).toMatchObject({ agent_id: null, priority_id: null, details: 'keep' });
    });

    it('links assets, replaces the set on update, and filters by asset_id', async () => {
      const created = await t.call('POST', '/api/Tickets', [
        { summary: 'Slow PCs', client_id: acme.id, assets: [{ id: assets[0] }, { id: assets[1] }, { id: assets[0] }] },
      ]);
      expect(created.status).toBe(200);
      expect(created.body.assets).toEqual([
        { id: assets[0], inventory_number: 'PC-001' },
        { id: assets[1], inventory_number: 'PC-002' },
      ]);
      const byAsset = await t.call('GET', `/api/Tickets?asset_id=${assets[1]}`);
      expect(byAsset.body.tickets.map((x: { id: number }) => x.id)).toEqual([created.body.id]);
      const replaced = await t.call('POST', '/api/Tickets', [{ id: created.body.id, assets: [{ id: assets[1] }] }]);
      expect(replaced.body.assets).toEqual([{ id: assets[1], inventory_number: 'PC-002' }]);
      const untouched = await t.call('POST', '/api/Tickets', [{ id: created.body.id, summary: 'Slow PC' }]);
      expect(untouched.body.assets).toHaveLength(1);
      const emptied = await t.call('POST', '/api/Tickets', [{ id: created.body.id, assets: [] }]);
      expect(emptied.body.assets).toEqual([]);
      const bad = await t.call('POST', '/api/Tickets', [{ summary: 'x', assets: [{ id: assets[0] }, { id: 999999 }] }]);
      expect(bad.status).toBe(400);
      expect(bad.body.error.details[0].path).toBe('body[0].assets[1].id');
    });

    it('stores ticket custom fields by id or name', async () => {
      const field = await t.ctx.db
        .insertInto('field_info')
        .values({ name: 'CFBillable', label: 'Billable', type: 'boolean', usage: 'ticket' })
        .returning('id')
        .executeTakeFirstOrThrow();
      const res = await t.call('POST', '/api/Tickets', [
        { summary: 'Custom', customfields: [{ name: 'CFBillable', value: 'yes' }] },
      ]);
      expect(res.body.customfields).toEqual([
        { id: field.id, name: 'CFBillable', label: 'Billable', type: 'boolean', value: true },
      ]);
      const bad = await t.call('POST', '/api/Tickets', [
        { id: res.body.id, customfields: [{ id: field.id, value: 'maybe' }] },
      ]);
      expect(bad.status).toBe(400);
      expect(JSON.stringify(bad.body)).toContain('customfields[0].value');
    });

    it('keeps atera_alert_id unique: 409, and nothing of the POST is written', async () => {
      const first = await t.call('POST', '/api/Tickets', [
        { summary: 'Alert 5001', atera_alert_id: 5001, _isalert: true },
      ]);
      expect(first.body).toMatchObject({ atera_alert_id: 5001, _isalert: true });
      const dup = await t.call('POST', '/api/Tickets', [
        { summary: 'Would be created', atera_alert_id: 6001 },
        { summary: 'Alert 5001 again', atera_alert_id: 5001 },
      ]);
      expect(dup.status).toBe(409);
      expect(JSON.stringify(dup.body)).toContain('atera_alert_id');
      expect((await t.call('GET', '/api/Tickets?atera_alert_id=6001')).body.record_count).toBe(0);
      const other = (await t.call('POST', '/api/Tickets', [{ summary: 'Plain' }])).body;
      const update = await t.call('POST', '/api/Tickets', [{ id: other.id, atera_alert_id: 5001 }]);
      expect(update.status).toBe(409);
      // The same ticket may be saved again with its own alert id.
      expect((await t.call('POST', '/api/Tickets', [{ id: first.body.id, atera_alert_id: 5001 }])).status).toBe(200);
      // Two POSTs racing for one alert: the unique index lets exactly one through.
      const race = await Promise.all([
        t.call('POST', '/api/Tickets', [{ summary: 'race a', atera_alert_id: 7001 }]),
        t.call('POST', '/api/Tickets', [{ summary: 'race b', atera_alert_id: 7001 }]),
      ]);
      expect(race.map((r) => r.status).sort()).toEqual([200, 409]);
    });

    it('refuses bad input with a 4xx naming the field, never a 500', async () => {
      const cases: [unknown, number, string][] = [
        [[{ details: 'no summary' }], 400, 'body[0].summary'],
        [[{ summary: '' }], 400, 'summary'],
        [[{ summary: 123 }], 400, 'summary'],
        [[{ summary: 'x', tickettype_id: 99999 }], 400, 'body[0].tickettype_id'],
        [[{ summary: 'x', status_id: 99999 }], 400, 'body[0].status_id'],
        [[{ summary: 'x', priority_id: 99999 }], 400, 'body[0].priority_id'],
        [[{ summary: 'x', client_id: 99999 }], 400, 'body[0].client_id'],
        [[{ summary: 'x', site_id: 99999 }], 400, 'body[0].site_id'],
        [[{ summary: 'x', user_id: 99999 }], 400, 'body[0].user_id'],
        [[{ summary: 'x', agent_id: 99999 }], 400, 'body[0].agent_id'],
        [[{ summary: 'x', client_id: -1 }], 400, 'client_id'],
        [[{ summary: 'x', client_id: 'acme' }], 400, 'client_id'],
        [[{ summary: 'x', dateoccurred: 'yesterday' }], 400, 'dateoccurred'],
        [[{ summary: 'x', atera_alert_id: 0 }], 400, 'atera_alert_id'],
        [[{ summary: 'x', _isalert: 'yes' }], 400, '_isalert'],
        [[{ summary: 'x', assets: [{ id: 'PC-001' }] }], 400, 'assets'],
        [[{ summary: 'x', customfields: [{ name: 'CFNope', value: 1 }] }], 400, 'customfields[0]'],
        [[{ summary: 'ok' }, { summary: 'x', status_id: 99999 }], 400, 'body[1].status_id'],
        [[{ id: 9999999, summary: 'x' }], 404, 'Ticket 9999999'],
        [[{ id: 1.5, summary: 'x' }], 400, 'id'],
        [[], 400, 'at least one'],
        ['not json', 400, ''],
      ];
      for (const [body, status, mention] of cases) {
        const res = await t.call('POST', '/api/Tickets', body);
        expect(res.status, JSON.stringify(body)).toBe(status);
        expect(JSON.stringify(res.body), JSON.stringify(body)).toContain(mention);
      }
      expect((await t.call('GET', '/api/Tickets/0')).status).toBe(400);
      expect((await t.call('GET', '/api/Tickets/abc')).status).toBe(400);
      expect((await t.call('GET', '/api/Tickets/9999999')).status).toBe(404);
      // A dateoccurred without a zone, as Halo sends it, is UTC.
      const utc = await t.call('POST', '/api/Tickets', [{ summary: 'tz', dateoccurred: '2026-03-01T10:00:00' }]);
      expect(utc.body.dateoccurred).toBe('2026-03-01T10:00:00.000Z');
    });
  });

  describe('list', () => {
    const ids = (r: { body: { tickets: { id: number }[] } }) => r.body.tickets.map((x) => x.id);
    let mine: { open: number; closed: number; progress: number; alert: number };

    beforeAll(async () => {
      const made = await t.call('POST', '/api/Tickets', [
        { summary: 'List open zebra', client_id: other.id, agent_id: agent, dateoccurred: '2026-01-03T00:00:00Z' },
        {
          summary: 'List closed zebra',
          client_id: other.id,
          status_id: closedStatus,
          dateoccurred: '2026-01-01T00:00:00Z',
        },
        {
          summary: 'List progress zebra',
          client_id: other.id,
          status_id: inProgress,
          user_id: otherUser,
          dateoccurred: '2026-01-02T00:00:00Z',
        },
        {
          summary: 'List alert',
          details: 'a zebra in details',
          client_id: other.id,
          tickettype_id: alertType,
          _isalert: true,
          atera_alert_id: 8001,
        },
      ]);
      expect(made.status).toBe(200);
      const [open, closed, progress, alert] = made.body.map((x: { id: number }) => x.id);
      mine = { open, closed, progress, alert };
    });

    it('always answers with the tickets envelope', async () => {
      const res = await t.call('GET', `/api/Tickets?client_id=${other.id}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ record_count: expect.any(Number), tickets: expect.any(Array) });
      expect(res.body.record_count).toBe(res.body.tickets.length);
      expect(res.body.tickets[0]).toHaveProperty('status_name');
    });

    it('filters open_only / closed_only, by status, type, people, alert and ids', async () => {
      const base = `/api/Tickets?client_id=${other.id}`;
      expect(ids(await t.call('GET', `${base}&closed_only=true`))).toEqual([mine.closed]);
      expect(ids(await t.call('GET', `${base}&open_only=true&search=zebra`))).toEqual([
        mine.open,
        mine.progress,
        mine.alert,
      ]);
      expect(ids(await t.call('GET', `${base}&status_id=${inProgress}`))).toEqual([mine.progress]);
      expect(ids(await t.call('GET', `${base}&status=${inProgress},${closedStatus}`))).toEqual([
        mine.closed,
        mine.progress,
      ]);
      expect(ids(await t.call('GET', `${base}&status=${inProgress}&status=${closedStatus}`))).toEqual([
        mine.closed,
        mine.progress,
      ]);
      expect(ids(await t.call('GET', `${base}&requesttype_id=${alertType}`))).toEqual([mine.alert]);
      expect(ids(await t.call('GET', `${base}&tickettype_id=${alertType}`))).toEqual([mine.alert]);
      expect(ids(await t.call('GET', `${base}&search=zebra&requesttype=${alertType},1`))).toHaveLength(4);
      expect(ids(await t.call('GET', `${base}&agent_id=${agent}`))).toEqual([mine.open]);
      expect(ids(await t.call('GET', `/api/Tickets?user_id=${otherUser}&site_id=${other.main_site_id}`))).toContain(
        mine.progress,
      );
      expect(ids(await t.call('GET', '/api/Tickets?atera_alert_id=8001'))).toEqual([mine.alert]);
      expect(ids(await t.call('GET', `${base}&isalert=true`))).toEqual([mine.alert]);
      expect(ids(await t.call('GET', `${base}&isalert=false`))).not.toContain(mine.alert);
      expect(ids(await t.call('GET', `/api/Tickets?ticketids=${mine.open},${mine.alert}`))).toEqual([
        mine.open,
        mine.alert,
      ]);
      expect(ids(await t.call('GET', `/api/Tickets?search=zebra&client_id=${other.id}`))).toHaveLength(4);
      expect(ids(await t.call('GET', `/api/Tickets?search=${mine.alert}`))).toContain(mine.alert);
      expect(ids(await t.call('GET', '/api/Tickets?search=50%25_off'))).toEqual([]);
    });

    it('pages with pageinate/page_size/page_no and orders by the allowed columns', async () => {
      const base = `/api/Tickets?client_id=${other.id}&search=zebra&pageinate=true&page_size=2`;
      const p1 = await t.call('GET', `${base}&page_no=1&order=dateoccurred`);
      expect(p1.body).toMatchObject({ page_no: 1, page_size: 2, record_count: 4 });
      const p2 = await t.call('GET', `${base}&page_no=2&order=dateoccurred`);
      expect(ids(p1)).toEqual([mine.closed, mine.progress]);
      expect(ids(p2)).toEqual([mine.open, mine.alert]);
      const desc = await t.call('GET', `${base}&order=summary&orderdesc=true`);
      expect(desc.body.tickets.map((x: { summary: string }) => x.summary)).toEqual([
        'List progress zebra',
        'List open zebra',
      ]);
      expect(ids(await t.call('GET', `${base}&order=id&orderdesc=true`))).toEqual([mine.alert, mine.progress]);
      expect(ids(await t.call('GET', `${base}&order=status_id`))[0]).not.toBe(mine.closed);
      expect((await t.call('GET', `/api/Tickets?client_id=${other.id}&count=1`)).body.tickets).toHaveLength(1);
    });

    it('refuses bad query parameters naming them', async () => {
      const cases: [string, string][] = [
        ['page_size=101&pageinate=true', 'page_size'],
        ['page_size=0', 'page_size'],
        ['page_no=0&pageinate=true', 'page_no'],
        ['status=1,abc', 'status'],
        ['ticketids=1;2', 'ticketids'],
        ['requesttype=-1', 'requesttype'],
        ['client_id=acme', 'client_id'],
        ['open_only=maybe', 'open_only'],
        ['open_only=true&closed_only=true', 'closed_only'],
        ['lastupdatefromdate=notadate', 'lastupdatefromdate'],
      ];
      for (const [qs, mention] of cases) {
        const res = await t.call('GET', `/api/Tickets?${qs}`);
        expect(res.status, qs).toBe(400);
        expect(JSON.stringify(res.body), qs).toContain(mention);
      }
    });

    it('filters by last update for incremental readers, tolerating lastupdatefromdate=true', async () => {
      const future = await t.call('GET', '/api/Tickets?lastupdatefromdate=2999-01-01T00:00:00');
      expect(future.body.record_count).toBe(0);
      const all = await t.call('GET', '/api/Tickets?lastupdatefromdate=true&pageinate=true&page_size=1');
      expect(all.body.record_count).toBeGreaterThan(4);
    });
  });

  describe('roles and delete', () => {
    it('lets technicians create and update tickets but not delete them; admins delete with actions and links', async () => {
      const created = await t.call(
        'POST',
        '/api/Tickets',
        [{ summary: 'Tech ticket', assets: [{ id: assets[0] }] }],
        t.techToken,
      );
      expect(created.status).toBe(200);
      const updated = await t.call(
        'POST',
        '/api/Tickets',
        [{ id: created.body.id, status_id: inProgress }],
        t.techToken,
      );
      expect(updated.body.status_name).toBe('In Progress');
      expect((await t.call('GET', `/api/Tickets/${created.body.id}`, undefined, t.techToken)).status).toBe(200);
      const forbidden = await t.call('DELETE', `/api/Tickets/${created.body.id}?reason=oops`, undefined, t.techToken);
      expect(forbidden.status).toBe(403);
      const deleted = await t.call('DELETE', `/api/Tickets/${created.body.id}?reason=duplicate`);
      expect(deleted.status).toBe(200);
      expect(deleted.body).toEqual({ id: created.body.id, deleted: true });
      expect((await t.call('GET', `/api/Tickets/${created.body.id}`)).status).toBe(404);
      const leftovers = await t.ctx.db
        .selectFrom('action')
        .select('id')
        .where('ticket_id', '=', created.body.id)
        .unionAll(t.ctx.db.selectFrom('ticket_asset').select('asset_id as id').where('ticket_id', '=', created.body.id))
        .execute();
      expect(leftovers).toEqual([]);
      expect((await t.call('DELETE', `/api/Tickets/${created.body.id}`)).status).toBe(404);
      expect((await t.call('GET', '/api/Tickets', undefined, null)).status).toBe(401);
    });
  });

  it('publishes the ticket routes in the OpenAPI document', async () => {
    const res = await t.call('GET', '/api/openapi.json');
    expect(res.status).toBe(200);
    for (const p of [
      '/api/Tickets',
      '/api/Actions',
      '/api/Status',
      '/api/Priority',
      '/api/TicketType',
      '/api/IntegrationError',
    ])
      expect(Object.keys(res.body.paths), p).toContain(p);
  });

  it('stays fast with 10,000+ tickets: one count and one page query, assets in one query', async () => {
    const bulk = (await t.call('POST', '/api/Client', [{ name: 'Bulk Co' }])).body;
    const typeId = (
      await t.ctx.db.selectFrom('ticket_type').select('id').where('name', '=', 'Incident').executeTakeFirstOrThrow()
    ).id;
    await sql`
      INSERT INTO ticket (summary, tickettype_id, status_id, priority_id, client_id, dateoccurred, dateclosed)
      SELECT 'Bulk ' || g, ${typeId}, CASE WHEN g % 4 = 0 THEN ${closedStatus} ELSE 1 END, 3, ${bulk.id},
             now() - (g || ' minutes')::interval, CASE WHEN g % 4 = 0 THEN now() ELSE NULL END
      FROM generate_series(1, 12000) g`.execute(t.ctx.db);
    await sql`INSERT INTO ticket_asset (ticket_id, asset_id)
      SELECT id, ${assets[0]} FROM ticket WHERE client_id = ${bulk.id}`.execute(t.ctx.db);
    await sql`ANALYZE ticket`.execute(t.ctx.db);
    await sql`ANALYZE ticket_asset`.execute(t.ctx.db);
    const started = performance.now();
    const page = await t.call(
      'GET',
      `/api/Tickets?client_id=${bulk.id}&open_only=true&pageinate=true&page_size=100&page_no=50&order=dateoccurred&orderdesc=true`,
    );
    const elapsed = performance.now() - started;
    expect(page.status).toBe(200);
    expect(page.body.record_count).toBe(9000);
    expect(page.body.tickets).toHaveLength(100);
    expect(page.body.tickets[0].assets).toEqual([{ id: assets[0], inventory_number: 'PC-001' }]);
    expect(elapsed).toBeLessThan(3000);
    const closedCount = await t.call(
      'GET',
      `/api/Tickets?client_id=${bulk.id}&closed_only=true&pageinate=true&page_size=1`,
    );
    expect(closedCount.body.record_count).toBe(3000);
  });
});
