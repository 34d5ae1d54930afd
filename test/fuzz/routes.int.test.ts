import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sha256 } from '../../src/core/crypto.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { describeEachDb } from '../helpers/db.js';
import {
  type ApiRoute,
  bodies,
  changedTables,
  type FuzzBody,
  fillPath,
  fingerprint,
  idSegments,
  nearlyValid,
  queryStrings,
  routeKey,
  routesFromOpenApi,
  tableNames,
  validBodies,
} from './support.js';

/**
 * Every route in the OpenAPI document, fuzzed with fast-check: wrong types, huge strings, deep and
 * malformed JSON, unicode, SQL and HTML payloads, prototype-pollution keys, negative and huge ids.
 * Asserts: never a 5xx, no change to tables outside the route's scope, Object.prototype untouched.
 *
 * Atera routes are fuzzed with no Atera API key saved (it is removed after every request), so the
 * ones that would call Atera must refuse with a 4xx; reaching a real or simulated Atera is the
 * business of the integration tests, and a 502/503 here would mean Keel reached out somewhere.
 *
 * Reproduce a failure with FUZZ_SEED=<seed> (printed with it); FUZZ_RUNS sets runs per route.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_260_101);
const RUNS = Number(process.env.FUZZ_RUNS ?? 20);

/**
 * Tables a route may change (besides auth_token). Anything else changing is "a change outside the
 * request's scope". Reads may change nothing.
 */
const RESOURCE_SCOPE: Record<string, string[]> = {
  Client: ['client', 'site'],
  Site: ['site', 'client'],
  TopLevel: ['toplevel'],
  Users: ['users'],
  Agent: ['agent'],
  AssetGroup: ['asset_group'],
  AssetType: ['asset_type', 'asset_type_field'],
  Field: ['asset_field', 'asset_type_field'],
  FieldInfo: ['field_info'],
  Asset: ['asset'],
  TicketType: ['ticket_type'],
  Status: ['status'],
  Priority: ['priority'],
  Tickets: ['ticket', 'ticket_asset', 'action'],
  Actions: ['action', 'ticket'],
  IntegrationError: ['integration_error'],
};
const RUN_TABLES = ['sync_run', 'sync_change', 'integration_error'];
const ROUTE_SCOPE: Record<string, string[]> = {
  'POST /auth/token': ['agent', 'api_application'],
  'POST /api/Integration/Atera': ['integration_setting', 'integration_secret', 'schedule_state'],
  'POST /api/Integration/Atera/Test': [],
  'POST /api/Integration/Atera/ImportCustomers': RUN_TABLES,
  'POST /api/Integration/Atera/ImportAssets': RUN_TABLES,
  'POST /api/Integration/Atera/ImportContacts': [...RUN_TABLES, 'users'],
  'POST /api/Integration/Atera/Sync': RUN_TABLES,
  'POST /api/Integration/Atera/PollAlerts': RUN_TABLES,
  'POST /api/Integration/Atera/Runs/{id}/Confirm': RUN_TABLES,
  'POST /api/Integration/Atera/Runs/{id}/Reject': RUN_TABLES,
};

function scopeOf(route: ApiRoute): string[] {
  if (route.method === 'GET') return [];
  const exact = ROUTE_SCOPE[routeKey(route)];
  if (exact) return exact;
  const resource = /^\/api\/(\w+)/.exec(route.path)?.[1] ?? '';
  return RESOURCE_SCOPE[resource] ?? [];
}

/** Routes that need Atera: with no key saved they must answer 4xx (never 502/503). */
const CALLS_ATERA = /^\/api\/Integration\/Atera\/(Test|Data|Import\w+|Sync|PollAlerts|Alerts\/Preview)/;

describeEachDb('fuzz: every API route', (ctx) => {
  let t: TestApp;
  let routes: ApiRoute[];
  const ids: number[] = [1, 2, 3];
  let bodyTemplates: Record<string, Record<string, unknown>> = {};

  beforeAll(async () => {
    // No job queue: runs execute in this process, so the test can wait for them to finish.
    t = await startTestApp(ctx.database, { jobs: false });
    routes = routesFromOpenApi(t.app);
    // Real rows, so fuzzed ids and updates hit existing records too.
    const client = (await t.call('POST', '/api/Client', [{ name: 'Fuzz Client', notes: 'n' }])).body;
    await t.call('POST', '/api/Site', [{ name: 'Fuzz Site', client_id: client.id }]);
    await t.call('POST', '/api/Users', [{ name: 'Fuzz User', client_id: client.id, site_id: client.main_site_id }]);
    const assetType = (await t.call('POST', '/api/AssetType', [{ name: 'Fuzz type', assetgroup_id: 1 }])).body;
    const asset = (
      await t.call('POST', '/api/Asset', [
        { inventory_number: 'FZ-1', client_id: client.id, site_id: client.main_site_id, assettype_id: assetType.id },
      ])
    ).body;
    await t.call('POST', '/api/Client', [{ name: 'Bystander One' }, { name: 'Bystander Two', notes: 'untouched' }]);
    await t.call('POST', '/api/Tickets', [{ summary: 'Bystander ticket' }, { summary: 'Another bystander' }]);
    // Second rows everywhere, so the row-scope property has bystanders to watch.
    await t.call('POST', '/api/TopLevel', [{ name: 'Second top level' }]);
    await t.call('POST', '/api/Users', [{ name: 'Bystander user' }]);
    await t.call('POST', '/api/Asset', [{ inventory_number: 'FZ-2', assettype_id: assetType.id }]);
    await t.call('POST', '/api/IntegrationError', [{ module: 'atera', error: 'bystander' }]);
    const ticket = (await t.call('POST', '/api/Tickets', [{ summary: 'Fuzz ticket', client_id: client.id }])).body;
    await t.call('POST', '/api/Actions', [
      { ticket_id: ticket.id, note: 'first note' },
      { ticket_id: ticket.id, note: 'second note' },
    ]);
    await t.call('POST', '/api/FieldInfo', [{ name: 'fz', label: 'Fz', usage: 'client', type: 'text' }]);
    await t.call('POST', '/api/IntegrationError', [{ module: 'atera', error: 'fuzz' }]);
    await t.call('POST', '/api/Integration/Atera/ImportCustomers?wait=true', {});
    ids.push(client.id, client.main_site_id, ticket.id, asset.id);
    bodyTemplates = validBodies({
      client: client.id,
      site: client.main_site_id,
      ticket: ticket.id,
      assettype: assetType.id,
    });
  });
  afterAll(() => t?.close());

  /** Waits until no run is queued or running (runs started by a request finish in the background). */
  async function settle(): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const busy = await t.ctx.db
        .selectFrom('sync_run')
        .select('id')
        .where('status', 'in', ['queued', 'running'])
        .executeTakeFirst();
      if (!busy) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('runs did not finish');
  }

  /** Keeps Atera unconfigured: a fuzzed settings body may have saved a key and a URL. */
  async function forgetAteraKey(): Promise<void> {
    await t.ctx.db.deleteFrom('integration_secret').execute();
  }

  /** POST /auth/logout revokes the token it is sent with: give it a throwaway one. */
  async function throwawayToken(): Promise<string> {
    const token = `fuzz-${Math.random().toString(36).slice(2)}`;
    const app = await t.ctx.db
      .selectFrom('api_application')
      .select('id')
      .where('role', '=', 'admin')
      .executeTakeFirstOrThrow();
    await t.ctx.db
      .insertInto('auth_token')
      .values({
        token_hash: sha256(token),
        application_id: app.id,
        role: 'admin',
        expires_at: new Date(Date.now() + 60_000).toISOString(),
      })
      .execute();
    return token;
  }

  async function send(route: ApiRoute, pathValue: string, query: string, body: FuzzBody | null) {
    const url =
      fillPath(route.path, Object.fromEntries(route.pathParams.map((p) => [p, pathValue]))) +
      (query ? `?${query}` : '');
    const token = route.path === '/auth/logout' ? await throwawayToken() : t.adminToken;
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body?.contentType) headers['content-type'] = body.contentType;
    const res = await t.app.inject({
      method: route.method as 'GET',
      url,
      headers,
      ...(body && route.method !== 'GET' ? { payload: body.payload } : {}),
    });
    return res;
  }

  it('an update by id changes that row and no other row of its table', { timeout: 120_000 }, async () => {
    const cases: [string, string][] = [
      ['Client', 'client'],
      ['Site', 'site'],
      ['TopLevel', 'toplevel'],
      ['Users', 'users'],
      ['Asset', 'asset'],
      ['TicketType', 'ticket_type'],
      ['Status', 'status'],
      ['Tickets', 'ticket'],
      ['Actions', 'action'],
      ['IntegrationError', 'integration_error'],
    ];
    const rowHashes = async (table: string) => {
      const { rows } = await sql<{
        id: number;
        h: string;
      }>`SELECT id, md5(x::text) AS h FROM ${sql.table(table)} x`.execute(t.ctx.db);
      return new Map(rows.map((r) => [r.id, r.h]));
    };
    const failures: string[] = [];
    for (const [index, [resource, table]] of cases.entries()) {
      const template = bodyTemplates[`POST /api/${resource}`] ?? {};
      const existing = [...(await rowHashes(table)).keys()];
      if (existing.length < 2) throw new Error(`${table} needs two rows for this test`);
      try {
        await fc.assert(
          fc.asyncProperty(fc.constantFrom(...existing), nearlyValid(template, [], ids), async (id, payload) => {
            const record = JSON.parse(payload);
            const body = (Array.isArray(record) ? record : [record]).map((r: object) => ({ ...r, id }));
            const before = await rowHashes(table);
            const res = await t.call('POST', `/api/${resource}`, body);
            expect(res.status, JSON.stringify(res.body)).toBeLessThan(500);
            const after = await rowHashes(table);
            const others = [...before.keys()].filter((k) => k !== id && before.get(k) !== after.get(k));
            expect(others, `updating ${resource} ${id} (${res.status}) changed rows ${others.join(', ')}`).toEqual([]);
            expect(
              [...after.keys()].filter((k) => !before.has(k)),
              'an update created rows',
            ).toEqual([]);
          }),
          { numRuns: RUNS, seed: SEED + 1000 + index, endOnFailure: true },
        );
      } catch (e) {
        failures.push(
          `${resource}: ${(e as Error).message.slice(0, 1500)}\n${String((e as { cause?: Error }).cause?.message ?? '').slice(0, 500)}`,
        );
      }
    }
    expect(failures, failures.join('\n\n')).toEqual([]);
  });

  it('never answers 5xx, changes nothing outside the route, pollutes no prototype', { timeout: 600_000 }, async () => {
    const tables = await tableNames(t.ctx.db);
    const failures: string[] = [];
    const timings: string[] = [];
    for (const [index, route] of routes.entries()) {
      // A seed per route, so routes see different inputs; each is printed with its failure.
      const seed = SEED + index;
      const started = Date.now();
      const statuses: Record<number, number> = {};
      const scope = new Set(scopeOf(route));
      const startsRuns = route.path.startsWith('/api/Integration/Atera');
      const pathArb =
        route.pathParams[0] === 'kind'
          ? fc.oneof(
              fc.constantFrom('fields', 'customers', 'devicetypes', 'FIELDS', '__proto__', '%00', '..%2F..'),
              idSegments(ids),
            )
          : idSegments(ids);
      const bodyArb =
        route.method === 'GET' ? fc.constant(null) : bodies(route.bodyFields, ids, bodyTemplates[routeKey(route)]);
      // Writes get a query string now and then; their body is what matters.
      const queryArb =
        route.method === 'GET'
          ? queryStrings(route.queryParams)
          : fc.oneof(
              { weight: 3, arbitrary: fc.constant('') },
              { weight: 1, arbitrary: queryStrings(route.queryParams) },
            );
      const before = await fingerprint(t.ctx.db, tables);
      try {
        await fc.assert(
          fc.asyncProperty(pathArb, queryArb, bodyArb, async (pathValue, query, body) => {
            const res = await send(route, pathValue, query, body);
            if (startsRuns) await settle();
            const describe = `${res.statusCode} ${res.body.slice(0, 300)}`;
            statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
            if (process.env.FUZZ_DEBUG === routeKey(route))
              console.log(pathValue, query, body?.payload.slice(0, 200), '=>', describe);
            expect(res.statusCode, describe).toBeLessThan(500);
            if (CALLS_ATERA.test(route.path)) expect(res.statusCode, describe).not.toBe(502);
            expect(({} as Record<string, unknown>).polluted, 'Object.prototype polluted').toBeUndefined();
            // Only the settings route may store a secret; it is removed again so Atera stays unconfigured.
            const secrets = await t.ctx.db.selectFrom('integration_secret').select('key').execute();
            if (secrets.length > 0) {
              expect(scope.has('integration_secret'), `stored a secret (${describe})`).toBe(true);
              await forgetAteraKey();
            }
          }),
          { numRuns: RUNS, seed, endOnFailure: true },
        );
      } catch (e) {
        const err = e as Error & { cause?: Error };
        failures.push(
          `${routeKey(route)} (seed ${seed}; FUZZ_SEED=${SEED}):\n${err.message.slice(0, 3000)}\n${String(err.cause?.message ?? '').slice(0, 1000)}`,
        );
      }
      await settle();
      const outside = changedTables(before, await fingerprint(t.ctx.db, tables)).filter(
        (tb) => !scope.has(tb) && tb !== 'integration_secret',
      );
      if (outside.length > 0)
        failures.push(`${routeKey(route)} (seed ${seed}) changed tables outside its scope: ${outside.join(', ')}`);
      timings.push(`${routeKey(route)} ${Date.now() - started} ms ${JSON.stringify(statuses)}`);
    }
    if (process.env.FUZZ_TIMINGS) console.log(timings.join('\n'));
    expect(failures, failures.join('\n\n')).toEqual([]);
  });

  it('the API still works after the fuzzing (the admin token and seeded data survived)', async () => {
    const res = await t.call('GET', '/api/Client?includeinactive=true');
    expect(res.status).toBe(200);
    expect((await t.call('GET', '/api/health', undefined, null)).status).toBe(200);
  });
});
