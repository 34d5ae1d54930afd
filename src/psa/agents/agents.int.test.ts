import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/helpers/app.js';
import { describeEachDb } from '../../../test/helpers/db.js';
import { verifyPassword } from '../../core/crypto.js';

describeEachDb('Agent API', (ctx) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(ctx.database);
  });
  afterAll(() => t.close());

  const login = async (username: string, password: string) =>
    t.call('POST', '/auth/token', { grant_type: 'password', username, password }, null);

  it('creates an agent with a hashed password that is never returned, and the agent can sign in', async () => {
    const res = await t.call('POST', '/api/Agent', [
      { name: 'Tess Tech', login: 'tess', email: 'tess@msp.example', password: 'correct horse' },
    ]);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: res.body.id,
      name: 'Tess Tech',
      login: 'tess',
      email: 'tess@msp.example',
      role: 'technician',
      disabled: false,
      isdisabled: false,
      lastlogindate: null,
    });
    expect(JSON.stringify(res.body)).not.toContain('password');
    const row = await t.ctx.db.selectFrom('agent').selectAll().where('id', '=', res.body.id).executeTakeFirstOrThrow();
    expect(row.password_hash).not.toContain('correct horse');
    expect(await verifyPassword('correct horse', row.password_hash!)).toBe(true);
    const token = await login('tess', 'correct horse');
    expect(token.status).toBe(200);
    const me = await t.call('GET', '/api/Agent/me', undefined, token.body.access_token);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: res.body.id, login: 'tess', role: 'technician' });
    expect(me.body.lastlogindate).toMatch(/^\d{4}-/);
    expect((await t.call('GET', `/api/Agent/${res.body.id}`)).body.login).toBe('tess');
  });

  it('answers /Agent/me with 404 for API applications', async () => {
    const res = await t.call('GET', '/api/agent/me');
    expect(res.status).toBe(404);
    expect(res.body.error.message).toContain('API application');
  });

  it('updates only the fields sent; isdisabled and disabled are the same flag', async () => {
    const a = (await t.call('POST', '/api/Agent', [{ login: 'flag', email: 'flag@msp.example' }])).body;
    expect(a.name).toBe('flag');
    const off = await t.call('POST', '/api/Agent', [{ id: a.id, isdisabled: true }]);
    expect(off.body).toMatchObject({ disabled: true, isdisabled: true, email: 'flag@msp.example' });
    const on = await t.call('POST', '/api/Agent', [{ id: a.id, disabled: false, name: 'Flag Person' }]);
    expect(on.body).toMatchObject({ disabled: false, isdisabled: false, name: 'Flag Person' });
    const both = await t.call('POST', '/api/Agent', [{ id: a.id, disabled: true, isdisabled: false }]);
    expect(both.status).toBe(400);
    expect(JSON.stringify(both.body)).toContain('body[0].isdisabled');
  });

  it('lists agents as a bare array, hiding disabled ones unless asked, with search and role filters', async () => {
    await t.call('POST', '/api/Agent', [
      { login: 'list-a', name: 'Lister Able', role: 'admin' },
      { login: 'list-b', name: 'Lister Baker', disabled: true },
    ]);
    const list = await t.call('GET', '/api/Agent?search=lister');
    expect(list.status).toBe(200);
    expect(Array.isArray(list.body)).toBe(true);
    expect(list.body.map((a: { login: string }) => a.login)).toEqual(['list-a']);
    const all = await t.call('GET', '/api/Agent?search=lister&includedisabled=true');
    expect(all.body.map((a: { login: string }) => a.login)).toEqual(['list-a', 'list-b']);
    expect((await t.call('GET', '/api/Agent?search=lister&includeinactive=true')).body).toHaveLength(2);
    expect((await t.call('GET', '/api/Agent?search=lister&role=admin')).body).toHaveLength(1);
    const paged = await t.call(
      'GET',
      '/api/Agent?search=lister&includedisabled=true&pageinate=true&page_size=1&page_no=2',
    );
    expect(paged.body).toMatchObject({ page_no: 2, page_size: 1, record_count: 2 });
    expect(paged.body.agents[0].login).toBe('list-b');
  });

  it('refuses bad input: short password, bad role, duplicate login (409), missing id (404)', async () => {
    await t.call('POST', '/api/Agent', [{ login: 'taken' }]);
    const cases: [unknown, number, string][] = [
      [[{ login: 'short', password: 'short' }], 400, 'password'],
      [[{ login: 'r', role: 'superuser' }], 400, 'role'],
      [[{ name: 'No Login' }], 400, 'body[0].login'],
      [[{ login: 'TAKEN' }], 409, 'body[0].login'],
      [[{ login: 'dup-x' }, { login: 'dup-x' }], 409, 'body[1].login'],
      [[{ login: 'x', disabled: 'yes' }], 400, 'disabled'],
      [[{ login: 'x'.repeat(101) }], 400, 'login'],
      [[{ id: 999999, name: 'X' }], 404, 'Agent 999999'],
    ];
    for (const [body, status, mention] of cases) {
      const res = await t.call('POST', '/api/Agent', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(JSON.stringify(res.body)).toContain(mention);
    }
    expect((await t.call('GET', '/api/Agent?search=dup-x')).body).toEqual([]);
  });

  it('never disables, demotes or deletes the last enabled admin (409)', async () => {
    // Start from exactly one enabled admin agent.
    await t.ctx.db.updateTable('agent').set({ role: 'technician' }).execute();
    const boss = (await t.call('POST', '/api/Agent', [{ login: 'boss', role: 'admin', password: 'boss-password' }]))
      .body;
    for (const change of [{ disabled: true }, { isdisabled: true }, { role: 'technician' }]) {
      const res = await t.call('POST', '/api/Agent', [{ id: boss.id, ...change }]);
      expect(res.status, JSON.stringify(change)).toBe(409);
      expect(res.body.error.message).toContain('admin');
    }
    expect((await t.call('DELETE', `/api/Agent/${boss.id}`)).status).toBe(409);
    // With a second admin in the same request the change is fine.
    const deputy = (await t.call('POST', '/api/Agent', [{ login: 'deputy' }])).body;
    const swap = await t.call('POST', '/api/Agent', [
      { id: deputy.id, role: 'admin' },
      { id: boss.id, role: 'technician' },
    ]);
    expect(swap.status).toBe(200);
    expect(swap.body.map((a: { role: string }) => a.role)).toEqual(['admin', 'technician']);
    expect((await t.call('GET', `/api/Agent/${boss.id}`)).body.role).toBe('technician');
  });

  it('refuses an agent deleting themself and agents with ticket history; deletes others', async () => {
    const admin = (
      await t.call('POST', '/api/Agent', [{ login: 'self-admin', role: 'admin', password: 'self-password' }])
    ).body;
    const token = (await login('self-admin', 'self-password')).body.access_token;
    const self = await t.call('DELETE', `/api/Agent/${admin.id}`, undefined, token);
    expect(self.status).toBe(409);
    const worker = (await t.call('POST', '/api/Agent', [{ login: 'worker' }])).body;
    await t.ctx.db
      .insertInto('ticket')
      .values({ summary: 'Assigned', tickettype_id: 1, status_id: 1, agent_id: worker.id })
      .execute();
    const busy = await t.call('DELETE', `/api/Agent/${worker.id}`);
    expect(busy.status).toBe(409);
    expect(busy.body.error.message).toContain('disable');
    const idle = (await t.call('POST', '/api/Agent', [{ login: 'idle' }])).body;
    expect((await t.call('DELETE', `/api/Agent/${idle.id}`)).status).toBe(200);
    expect((await t.call('GET', `/api/Agent/${idle.id}`)).status).toBe(404);
  });

  it('is admin-only to write: technicians read (200) but cannot write (403)', async () => {
    expect((await t.call('GET', '/api/Agent', undefined, t.techToken)).status).toBe(200);
    expect((await t.call('POST', '/api/Agent', [{ login: 'sneaky' }], t.techToken)).status).toBe(403);
    expect((await t.call('DELETE', '/api/Agent/1', undefined, t.techToken)).status).toBe(403);
  });

  it('ends the other sessions of an agent whose password an admin changes', async () => {
    const a = (await t.call('POST', '/api/Agent', [{ login: 'rotate', password: 'first-password' }])).body;
    const token = (await login('rotate', 'first-password')).body.access_token;
    expect((await t.call('GET', '/api/Agent/me', undefined, token)).status).toBe(200);
    expect((await t.call('POST', '/api/Agent', [{ id: a.id, password: 'second-password' }])).status).toBe(200);
    expect((await t.call('GET', '/api/Agent/me', undefined, token)).status).toBe(401);
    expect((await login('rotate', 'second-password')).status).toBe(200);
  });
});
