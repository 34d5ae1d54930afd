import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApplication } from '../../src/auth/accounts.js';
import { sha256 } from '../../src/core/crypto.js';
import {
  type ApiRoute,
  changedTables,
  fillPath,
  fingerprint,
  routeKey,
  routesFromOpenApi,
  tableNames,
  validBodies,
} from '../fuzz/support.js';
import { createAgent, startTestApp, type TestApp } from '../helpers/app.js';
import { describeEachDb } from '../helpers/db.js';

/**
 * Who may call what: every route in the OpenAPI document × {anonymous, technician, admin}.
 *
 * - public: no token needed (health, the token endpoint and where to find it, logout).
 * - staff:  any signed-in agent or application; anonymous gets 401.
 * - admin:  configuration, users, agents, lookups, integration settings and actions: technicians get 403.
 *
 * The table is written out route by route on purpose: a new route without an entry fails
 * "every route is classified", so nobody adds an endpoint without deciding who may call it.
 */
type Access = 'public' | 'staff' | 'admin';

const ACCESS: Record<string, Access> = {
  'GET /api/health': 'public',
  'GET /api/authinfo': 'public',
  'POST /auth/token': 'public',
  // Revokes only the bearer token sent with it: knowing the token is the authorisation.
  'POST /auth/logout': 'public',

  'GET /api/Client': 'staff',
  'POST /api/Client': 'staff',
  'GET /api/Client/{id}': 'staff',
  'DELETE /api/Client/{id}': 'staff',
  'GET /api/Site': 'staff',
  'POST /api/Site': 'staff',
  'GET /api/Site/{id}': 'staff',
  'DELETE /api/Site/{id}': 'staff',
  'GET /api/TopLevel': 'staff',
  'POST /api/TopLevel': 'admin',
  'GET /api/TopLevel/{id}': 'staff',
  'DELETE /api/TopLevel/{id}': 'admin',
  'GET /api/Users': 'staff',
  'POST /api/Users': 'admin',
  'GET /api/Users/{id}': 'staff',
  'DELETE /api/Users/{id}': 'admin',
  'GET /api/Agent/me': 'staff',
  'GET /api/Agent': 'staff',
  'POST /api/Agent': 'admin',
  'GET /api/Agent/{id}': 'staff',
  'DELETE /api/Agent/{id}': 'admin',
  'GET /api/AssetGroup': 'staff',
  'POST /api/AssetGroup': 'admin',
  'GET /api/AssetGroup/{id}': 'staff',
  'DELETE /api/AssetGroup/{id}': 'admin',
  'GET /api/AssetType': 'staff',
  'POST /api/AssetType': 'admin',
  'GET /api/AssetType/{id}': 'staff',
  'DELETE /api/AssetType/{id}': 'admin',
  'GET /api/Field': 'staff',
  'POST /api/Field': 'admin',
  'GET /api/Field/{id}': 'staff',
  'DELETE /api/Field/{id}': 'admin',
  'GET /api/FieldInfo': 'staff',
  'POST /api/FieldInfo': 'admin',
  'GET /api/FieldInfo/{id}': 'staff',
  'DELETE /api/FieldInfo/{id}': 'admin',
  'GET /api/Asset': 'staff',
  'POST /api/Asset': 'staff',
  'GET /api/Asset/{id}': 'staff',
  'DELETE /api/Asset/{id}': 'staff',
  'GET /api/TicketType': 'staff',
  'POST /api/TicketType': 'admin',
  'GET /api/TicketType/{id}': 'staff',
  'DELETE /api/TicketType/{id}': 'admin',
  'GET /api/Status': 'staff',
  'POST /api/Status': 'admin',
  'GET /api/Status/{id}': 'staff',
  'DELETE /api/Status/{id}': 'admin',
  'GET /api/Priority': 'staff',
  'POST /api/Priority': 'admin',
  'GET /api/Priority/{id}': 'staff',
  'DELETE /api/Priority/{id}': 'admin',
  'GET /api/Tickets': 'staff',
  'POST /api/Tickets': 'staff',
  'GET /api/Tickets/{id}': 'staff',
  // Technicians close tickets; deleting one is an administrator's decision (the use case refuses others).
  'DELETE /api/Tickets/{id}': 'admin',
  'GET /api/Actions': 'staff',
  'POST /api/Actions': 'staff',
  'GET /api/Actions/{id}': 'staff',
  'DELETE /api/Actions/{id}': 'staff',
  'GET /api/IntegrationError': 'staff',
  'POST /api/IntegrationError': 'admin',
  'GET /api/IntegrationError/{id}': 'staff',
  'DELETE /api/IntegrationError/{id}': 'admin',

  'GET /api/Integration/Atera': 'staff',
  'POST /api/Integration/Atera': 'admin',
  'POST /api/Integration/Atera/Test': 'admin',
  'GET /api/Integration/Atera/Data/{kind}': 'staff',
  'POST /api/Integration/Atera/ImportCustomers': 'admin',
  'POST /api/Integration/Atera/ImportAssets': 'admin',
  'POST /api/Integration/Atera/ImportContacts': 'admin',
  'POST /api/Integration/Atera/Sync': 'admin',
  'POST /api/Integration/Atera/Runs/{id}/Confirm': 'admin',
  'POST /api/Integration/Atera/Runs/{id}/Reject': 'admin',
  'POST /api/Integration/Atera/PollAlerts': 'admin',
  'POST /api/Integration/Atera/Alerts/Preview': 'admin',
  'GET /api/Integration/Atera/Alerts': 'staff',
  'GET /api/Integration/Atera/Runs': 'staff',
  'GET /api/Integration/Atera/Runs/{id}': 'staff',
  'GET /api/Integration/Atera/Runs/{id}/Changes': 'staff',

  'GET /metrics': 'staff',
  'GET /api/Demo': 'staff',
};

type Role = 'anonymous' | 'technician' | 'admin';

function expected(access: Access, role: Role): string {
  if (access === 'public') return 'allowed';
  if (role === 'anonymous') return '401';
  if (access === 'admin' && role === 'technician') return '403';
  return 'allowed';
}

/** 401/403 as themselves; anything else the auth layer let through (2xx/3xx/4xx) as "allowed", 5xx as a failure. */
function observed(status: number): string {
  if (status === 401 || status === 403) return String(status);
  if (status >= 500) return `${status} (server error)`;
  return 'allowed';
}

describeEachDb('security: route × role table', (ctx) => {
  let t: TestApp;
  let routes: ApiRoute[];
  let bodies: Record<string, Record<string, unknown>>;
  let tables: string[];

  beforeAll(async () => {
    t = await startTestApp(ctx.database, { jobs: false });
    routes = routesFromOpenApi(t.app);
    tables = await tableNames(t.ctx.db);
    const client = (await t.call('POST', '/api/Client', [{ name: 'Roles Co' }])).body;
    const ticket = (await t.call('POST', '/api/Tickets', [{ summary: 'Roles ticket' }])).body;
    bodies = validBodies({ client: client.id, site: client.main_site_id, ticket: ticket.id });
    // The token endpoint is public: called with real credentials it must issue a token to anyone.
    const app = await createApplication(t.ctx.db, 'roles-login', 'technician');
    bodies['POST /auth/token'] = {
      grant_type: 'client_credentials',
      client_id: app.client_id,
      client_secret: app.client_secret,
    };
  });
  afterAll(() => t?.close());

  /** A fresh token per request, so POST /auth/logout revokes nothing the table still needs. */
  async function tokenFor(role: Role): Promise<string | null> {
    if (role === 'anonymous') return null;
    const token = `roles-${role}-${Math.random().toString(36).slice(2)}`;
    const app = await t.ctx.db
      .selectFrom('api_application')
      .select('id')
      .where('role', '=', role)
      .executeTakeFirstOrThrow();
    await t.ctx.db
      .insertInto('auth_token')
      .values({
        token_hash: sha256(token),
        application_id: app.id,
        role,
        expires_at: new Date(Date.now() + 60_000).toISOString(),
      })
      .execute();
    return token;
  }

  /** Runs an admin started finish in the background: wait for them, so they are not blamed on the next caller. */
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
  }

  async function request(route: ApiRoute, role: Role) {
    // Ids that do not exist: the answer for an allowed caller is a 404, and nothing is deleted.
    const url = fillPath(route.path, { id: '999999', kind: 'fields' });
    const token = await tokenFor(role);
    const body = route.method === 'POST' ? (bodies[routeKey(route)] ?? {}) : undefined;
    const wrapped = body && !route.path.startsWith('/api/Integration') && route.path !== '/auth/token' ? [body] : body;
    return t.app.inject({
      method: route.method as 'GET',
      url,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(wrapped !== undefined ? { payload: wrapped as object } : {}),
    });
  }

  it('every route is classified (a new route needs an entry in the table)', () => {
    const inDoc = routes.map(routeKey).sort();
    expect(
      inDoc.filter((k) => !(k in ACCESS)),
      'routes missing from the table',
    ).toEqual([]);
    expect(
      Object.keys(ACCESS).filter((k) => !inDoc.includes(k)),
      'entries for routes that no longer exist',
    ).toEqual([]);
  });

  it('answers each route as the table says for anonymous, technician and admin callers', async () => {
    const mismatches: string[] = [];
    for (const route of routes) {
      const access = ACCESS[routeKey(route)];
      if (!access) continue;
      for (const role of ['anonymous', 'technician', 'admin'] as const) {
        const refused = expected(access, role) !== 'allowed';
        await settle();
        const before = refused ? await fingerprint(t.ctx.db, tables) : null;
        const res = await request(route, role);
        await settle();
        const got = observed(res.statusCode);
        if (got !== expected(access, role)) {
          mismatches.push(
            `${routeKey(route)} as ${role}: expected ${expected(access, role)}, got ${res.statusCode} ${res.body.slice(0, 160)}`,
          );
        }
        if (before) {
          const changed = changedTables(before, await fingerprint(t.ctx.db, tables));
          if (changed.length)
            mismatches.push(`${routeKey(route)} as ${role} was refused but changed ${changed.join(', ')}`);
        }
      }
    }
    expect(mismatches, mismatches.join('\n')).toEqual([]);
  });

  it('HEAD on every GET route needs the same token as the GET', async () => {
    const open: string[] = [];
    for (const route of routes.filter((r) => r.method === 'GET' && ACCESS[routeKey(r)] !== 'public')) {
      const res = await t.app.inject({ method: 'HEAD', url: fillPath(route.path, { id: '1', kind: 'fields' }) });
      if (res.statusCode !== 401) open.push(`HEAD ${route.path}: ${res.statusCode}`);
    }
    expect(open).toEqual([]);
  });

  it('an agent (password login) has the same rights as an application of the same role', async () => {
    await createAgent(t.ctx, 'roles-tech', 'correct horse battery', 'technician');
    const login = await t.call(
      'POST',
      '/auth/token',
      { grant_type: 'password', username: 'roles-tech', password: 'correct horse battery' },
      null,
    );
    expect(login.status).toBe(200);
    const token = login.body.access_token as string;
    expect((await t.call('GET', '/api/Tickets', undefined, token)).status).toBe(200);
    expect((await t.call('POST', '/api/Tickets', [{ summary: 'by an agent' }], token)).status).toBe(200);
    expect((await t.call('POST', '/api/Integration/Atera', { atera_enabled: true }, token)).status).toBe(403);
    expect(
      (await t.call('POST', '/api/Agent', [{ name: 'Escalate', login: 'escalate', role: 'admin' }], token)).status,
    ).toBe(403);
    // A technician cannot make themselves admin by updating their own agent record either.
    const me = (await t.call('GET', '/api/Agent/me', undefined, token)).body;
    expect((await t.call('POST', '/api/Agent', [{ id: me.id, role: 'admin' }], token)).status).toBe(403);
    expect(
      (await t.ctx.db.selectFrom('agent').select('role').where('id', '=', me.id).executeTakeFirstOrThrow()).role,
    ).toBe('technician');
  });
});

describe('security: the role table itself', () => {
  it('marks every configuration route the issue names as admin-only', () => {
    const adminResources = [
      'Agent',
      'Users',
      'TopLevel',
      'AssetGroup',
      'AssetType',
      'Field',
      'FieldInfo',
      'TicketType',
      'Status',
      'Priority',
      'IntegrationError',
    ];
    for (const r of adminResources) {
      expect(ACCESS[`POST /api/${r}`], r).toBe('admin');
      expect(ACCESS[`DELETE /api/${r}/{id}`], r).toBe('admin');
    }
    for (const [key, access] of Object.entries(ACCESS)) {
      if (key.startsWith('POST /api/Integration/Atera')) expect(access, key).toBe('admin');
      if (key.startsWith('GET ') && access !== 'public') expect(access, key).toBe('staff');
    }
  });
});
