import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { describeEachDb } from '../helpers/db.js';

/**
 * The foundation issue's list, case by case: bad input never gets a 500. Wrong types (400 naming the
 * field), unknown ids (404), foreign keys to missing rows (400 naming the field), duplicates (409),
 * oversized bodies (413), malformed JSON (400). Plus regressions for the 500s the fuzzer found.
 */
const MISSING = 999_999;
const RESOURCES = [
  'Client',
  'Site',
  'TopLevel',
  'Users',
  'Agent',
  'AssetGroup',
  'AssetType',
  'Field',
  'FieldInfo',
  'Asset',
  'TicketType',
  'Status',
  'Priority',
  'Tickets',
  'Actions',
  'IntegrationError',
];

describeEachDb('bad input gets the right 4xx', (ctx) => {
  let t: TestApp;
  let ids: Record<string, number>;

  beforeAll(async () => {
    t = await startTestApp(ctx.database, { jobs: false });
    const make = async (resource: string, body: Record<string, unknown>) => {
      const res = await t.call('POST', `/api/${resource}`, [body]);
      expect(res.status, `${resource}: ${JSON.stringify(res.body)}`).toBe(200);
      return res.body.id as number;
    };
    const client = (await t.call('POST', '/api/Client', [{ name: 'Bad Input Co' }])).body;
    const assetType = await make('AssetType', { name: 'Laptop', assetgroup_id: 1 });
    const ticket = await make('Tickets', { summary: 'A ticket', atera_alert_id: 777 });
    ids = {
      Client: client.id,
      Site: client.main_site_id,
      TopLevel: 1,
      Users: await make('Users', { name: 'A user', client_id: client.id }),
      Agent: await make('Agent', { name: 'An agent', login: 'agent1' }),
      AssetGroup: 1,
      AssetType: assetType,
      Field: 1,
      FieldInfo: await make('FieldInfo', { name: 'f1', label: 'F1', usage: 'client' }),
      Asset: await make('Asset', { assettype_id: assetType, inventory_number: 'A-1', atera_id: 'atera-1' }),
      TicketType: 1,
      Status: 1,
      Priority: 1,
      Tickets: ticket,
      Actions: await make('Actions', { ticket_id: ticket, note: 'a note' }),
      IntegrationError: await make('IntegrationError', { module: 'atera', error: 'e' }),
    };
  });
  afterAll(() => t?.close());

  const expectError = (res: { status: number; body: any }, status: number, field?: string) => {
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.body.error?.message, JSON.stringify(res.body)).toBeTruthy();
    if (field) {
      const named = `${res.body.error.message} ${res.body.error.details.map((d: { path: string }) => d.path).join(' ')}`;
      expect(named, JSON.stringify(res.body)).toContain(field);
    }
  };

  it('unknown ids are 404 on get, update and delete of every resource', async () => {
    for (const r of RESOURCES) {
      expectError(await t.call('GET', `/api/${r}/${MISSING}`), 404);
      expectError(await t.call('DELETE', `/api/${r}/${MISSING}`), 404);
      expectError(await t.call('POST', `/api/${r}`, [{ id: MISSING }]), 404);
    }
    expectError(await t.call('GET', `/api/Integration/Atera/Runs/${MISSING}`), 404);
    expectError(await t.call('POST', `/api/Integration/Atera/Runs/${MISSING}/Confirm`), 404);
  });

  it('ids that are not ids are 400 naming the id', async () => {
    for (const r of RESOURCES) {
      for (const bad of ['-1', '0', 'abc', '1.5', '2147483648', '9007199254740993', '%F0%9F%92%A9']) {
        expectError(await t.call('GET', `/api/${r}/${bad}`), 400, 'id');
      }
    }
  });

  it('regression: a record sent with only its id is a no-op update (200), on every resource', async () => {
    for (const r of RESOURCES) {
      const res = await t.call('POST', `/api/${r}`, [{ id: ids[r] }]);
      expect(res.status, `${r}: ${JSON.stringify(res.body)}`).toBe(200);
      expect(res.body.id).toBe(ids[r]);
    }
  });

  it('wrong types are 400 naming the field', async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['Client', { name: 42 }, 'name'],
      ['Client', { name: 'x', inactive: 'yes' }, 'inactive'],
      ['Site', { name: 'x', client_id: '1' }, 'client_id'],
      ['Users', { name: ['x'] }, 'name'],
      ['Agent', { name: 'x', login: 'y', role: 'root' }, 'role'],
      ['Asset', { assettype_id: { id: 1 } }, 'assettype_id'],
      ['Tickets', { summary: 'x', dateoccurred: 'yesterday' }, 'dateoccurred'],
      ['Tickets', { summary: 'x', assets: 'all' }, 'assets'],
      ['Actions', { ticket_id: 1.5 }, 'ticket_id'],
      ['Status', { name: 'x', type: 7 }, 'type'],
      ['FieldInfo', { name: 'x', label: 'x', usage: 'spaceship' }, 'usage'],
      ['Client', { name: 'x', customfields: [{ id: 'one', value: 1 }] }, 'customfields'],
    ];
    for (const [r, body, field] of cases) expectError(await t.call('POST', `/api/${r}`, [body]), 400, field);
  });

  it('references to missing rows are 400 naming the field', async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['Client', { name: 'x', toplevel_id: MISSING }, 'toplevel_id'],
      ['Client', { id: ids.Client, main_site_id: MISSING }, 'main_site_id'],
      ['Site', { name: 'x', client_id: MISSING }, 'client_id'],
      ['Users', { name: 'x', client_id: MISSING }, 'client_id'],
      ['Users', { name: 'x', site_id: MISSING }, 'site_id'],
      ['AssetType', { name: 'x2', assetgroup_id: MISSING }, 'assetgroup_id'],
      ['Asset', { assettype_id: MISSING }, 'assettype_id'],
      ['Asset', { assettype_id: ids.AssetType, client_id: MISSING }, 'client_id'],
      ['Asset', { assettype_id: ids.AssetType, user_id: MISSING }, 'user_id'],
      ['Tickets', { summary: 'x', status_id: MISSING }, 'status_id'],
      ['Tickets', { summary: 'x', tickettype_id: MISSING }, 'tickettype_id'],
      ['Tickets', { summary: 'x', priority_id: MISSING }, 'priority_id'],
      ['Tickets', { summary: 'x', client_id: MISSING }, 'client_id'],
      ['Tickets', { summary: 'x', agent_id: MISSING }, 'agent_id'],
      ['Tickets', { summary: 'x', assets: [{ id: MISSING }] }, 'assets'],
      ['Actions', { ticket_id: MISSING, note: 'x' }, 'ticket_id'],
      ['Actions', { ticket_id: ids.Tickets, new_status: MISSING }, 'new_status'],
      ['TicketType', { name: 'x3', default_priority: MISSING }, 'default_priority'],
      ['Client', { name: 'x', customfields: [{ id: MISSING, value: 'v' }] }, 'customfields'],
    ];
    for (const [r, body, field] of cases) expectError(await t.call('POST', `/api/${r}`, [body]), 400, field);
  });

  it('duplicates are 409', async () => {
    const cases: [string, Record<string, unknown>][] = [
      ['AssetGroup', { name: 'default group' }],
      ['AssetType', { name: 'LAPTOP', assetgroup_id: 1 }],
      ['Agent', { name: 'x', login: 'AGENT1' }],
      ['Field', { name: 'serial number' }],
      ['FieldInfo', { name: 'F1', label: 'x', usage: 'client' }],
      ['TicketType', { name: 'incident' }],
      ['Status', { name: 'new' }],
      ['Asset', { assettype_id: ids.AssetType, atera_id: 'atera-1' }],
      ['Tickets', { summary: 'x', atera_alert_id: 777 }],
    ];
    for (const [r, body] of cases) expectError(await t.call('POST', `/api/${r}`, [body]), 409);
    // Two of the same in one request: 409 and neither is saved.
    const before = await t.ctx.db.selectFrom('asset_group').select('id').execute();
    expectError(await t.call('POST', '/api/AssetGroup', [{ name: 'Twin' }, { name: 'twin' }]), 409);
    expect(await t.ctx.db.selectFrom('asset_group').select('id').execute()).toEqual(before);
  });

  it('a record still in use cannot be deleted (409), and nothing is deleted', async () => {
    expectError(await t.call('DELETE', `/api/Status/1`), 409);
    expectError(await t.call('DELETE', `/api/AssetType/${ids.AssetType}`), 409);
    expect((await t.call('GET', `/api/Status/1`)).status).toBe(200);
  });

  it('malformed JSON is 400; a body over the limit is 413; absurd nesting is refused without a 5xx', async () => {
    const raw = (payload: string | Buffer, contentType = 'application/json') =>
      t.app.inject({
        method: 'POST',
        url: '/api/Client',
        headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': contentType },
        payload,
      });
    for (const body of ['{', '[{"name":}]', "[{'name':'x'}]", '[{"name":"x"},]', 'nul', '\u0000', '[NaN]']) {
      const res = await raw(body);
      expect(res.statusCode, body).toBe(400);
      expect(res.json().error.code).toMatch(/bad_request|validation/);
    }
    const huge = await raw(Buffer.alloc(17 * 1024 * 1024, 'a'));
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error.code).toBe('payload_too_large');
    for (const depth of [10_000, 1_000_000]) {
      const res = await raw(`${'['.repeat(depth)}${']'.repeat(depth)}`);
      expect(res.statusCode, `depth ${depth}`).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, `depth ${depth}`).toBeLessThan(500);
      const obj = await raw(`[{"name":"deep","notes":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}]`);
      expect(obj.statusCode, `object depth ${depth}`).toBeGreaterThanOrEqual(400);
      expect(obj.statusCode, `object depth ${depth}`).toBeLessThan(500);
    }
    const unsupported = await raw('<client><name>x</name></client>', 'application/xml');
    expect(unsupported.statusCode).toBeGreaterThanOrEqual(400);
    expect(unsupported.statusCode).toBeLessThan(500);
  });

  it('prototype-pollution keys are refused or ignored and pollute nothing', async () => {
    for (const body of [
      '[{"name":"p1","__proto__":{"polluted":"yes"}}]',
      '[{"name":"p2","constructor":{"prototype":{"polluted":"yes"}}}]',
      '{"__proto__":{"name":"p3"}}',
    ]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/Client',
        headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json' },
        payload: body,
      });
      expect(res.statusCode, body).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, body).toBeLessThan(500);
    }
    const q = await t.call(
      'GET',
      '/api/Client?__proto__[polluted]=yes&constructor[prototype][polluted]=yes&order=__proto__',
    );
    expect(q.status).toBeLessThan(500);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('dates PostgreSQL cannot hold and numbers out of range are 400', async () => {
    // Regression: JavaScript's expanded years (±YYYYYY) passed validation and PostgreSQL failed (22009) → 500.
    for (const date of [
      '-200000-01-01T00:00:00Z',
      '+275760-09-13T00:00:00Z',
      '+010000-01-01T00:00:00Z',
      '0000-01-01T00:00:00Z',
    ]) {
      expectError(await t.call('POST', '/api/Tickets', [{ summary: 'x', dateoccurred: date }]), 400, 'dateoccurred');
    }
    const edge = await t.call('POST', '/api/Tickets', [{ summary: 'x', dateoccurred: '9999-12-31T23:59:59Z' }]);
    expect(edge.status, JSON.stringify(edge.body)).toBe(200);
    expect(edge.body.dateoccurred).toMatch(/^9999-12-31T23:59:59/);
    expectError(await t.call('POST', '/api/Client', [{ name: 'x', ateraid: 2 ** 63 }]), 400, 'ateraid');
    expectError(await t.call('POST', '/api/Status', [{ name: 'x9', sequence: 1e12 }]), 400, 'sequence');
    expectError(
      await t.call('GET', '/api/Tickets?lastupdatefromdate=-200000-01-01T00:00:00Z'),
      400,
      'lastupdatefromdate',
    );
    const page = await t.call('GET', '/api/Client?pageinate=true&page_no=2147483647&page_size=1000');
    expect(page.status).toBe(200);
    expect(page.body.clients).toEqual([]);
  });

  it('an Atera record whose text holds a NUL character imports without it (PostgreSQL cannot store NUL)', async () => {
    const { startSimFor } = await import('../helpers/atera.js');
    const sim = await startSimFor(t, { customers: 2, agents: 2, alerts: 0 });
    try {
      const [first] = sim.state.listCustomers({});
      sim.state.changeCustomer(first!.CustomerID, { CustomerName: 'Nul\u0000Corp' });
      const run = await t.call('POST', '/api/Integration/Atera/ImportCustomers?wait=true', {});
      expect(run.body.status, JSON.stringify(run.body)).toBe('succeeded');
      const c = await t.ctx.db
        .selectFrom('client')
        .select('name')
        .where('ateraid', '=', first!.CustomerID)
        .executeTakeFirstOrThrow();
      expect(c.name).toBe('NulCorp');
    } finally {
      await sim.close();
    }
  });
});
