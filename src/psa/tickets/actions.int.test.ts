import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAgent, startTestApp, type TestApp } from '../../../test/helpers/app.js';
import { describeEachDb } from '../../../test/helpers/db.js';

describeEachDb('Actions API', (ctx) => {
  let t: TestApp;
  let ticketA: number;
  let ticketB: number;
  let agentToken: string;
  let agentId: number;

  beforeAll(async () => {
    t = await startTestApp(ctx.database);
    ticketA = (await t.call('POST', '/api/Tickets', [{ summary: 'A' }])).body.id;
    ticketB = (await t.call('POST', '/api/Tickets', [{ summary: 'B' }])).body.id;
    agentId = (await createAgent(t.ctx, 'tina', 'correct horse battery', 'technician')).id;
    const token = await t.call('POST', '/auth/token', {
      grant_type: 'password',
      username: 'tina',
      password: 'correct horse battery',
    });
    agentToken = token.body.access_token;
  });
  afterAll(() => t.close());

  it('adds notes; who defaults to the poster and who_agentid to the agent', async () => {
    const res = await t.call(
      'POST',
      '/api/Actions',
      [{ ticket_id: ticketA, outcome: 'Note', note: 'first' }],
      agentToken,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: expect.any(Number),
      ticket_id: ticketA,
      outcome: 'Note',
      note: 'first',
      new_status: null,
      new_status_name: null,
      old_status: null,
      hiddenfromuser: false,
      private: false,
      who: 'tina',
      who_agentid: agentId,
      is_system: false,
    });
    expect(Date.parse(res.body.datetime)).not.toBeNaN();
    const named = await t.call('POST', '/api/Actions', [
      { ticket_id: ticketA, note: 'second', private: true, who: 'Phone call' },
    ]);
    expect(named.body).toMatchObject({ who: 'Phone call', who_agentid: null, hiddenfromuser: true, private: true });
    const html = await t.call('POST', '/api/Actions', [{ ticket_id: ticketB, note_html: '<p>html body</p>' }]);
    expect(html.body.note).toBe('<p>html body</p>');
    expect((await t.call('GET', `/api/Actions/${res.body.id}`)).body).toEqual(res.body);
  });

  it('lists a ticket’s actions in order, always as {record_count, actions}, with filters', async () => {
    const list = await t.call('GET', `/api/Actions?ticket_id=${ticketA}`);
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ record_count: 2 });
    expect(list.body.actions.map((a: { note: string }) => a.note)).toEqual(['first', 'second']);
    const pub = await t.call('GET', `/api/Actions?ticket_id=${ticketA}&excludeprivate=true`);
    expect(pub.body.actions.map((a: { note: string }) => a.note)).toEqual(['first']);
    // Without ticket_id: the latest actions across tickets first, capped by count.
    const latest = await t.call('GET', '/api/Actions?count=1');
    expect(latest.body.actions).toHaveLength(1);
    expect(latest.body.actions[0].note).toBe('<p>html body</p>');
    expect(latest.body.record_count).toBe(3);
    const sysFree = await t.call('POST', '/api/Tickets', [{ id: ticketB, status_id: 2 }]);
    expect(sysFree.status).toBe(200);
    const withSys = await t.call('GET', `/api/Actions?ticket_id=${ticketB}`);
    expect(withSys.body.record_count).toBe(2);
    expect((await t.call('GET', `/api/Actions?ticket_id=${ticketB}&excludesys=true`)).body.record_count).toBe(1);
    expect((await t.call('GET', '/api/Actions?ticket_id=99999999')).body).toMatchObject({
      record_count: 0,
      actions: [],
    });
  });

  it('edits a note but not its status change; deletes notes but not status changes', async () => {
    const note = (await t.call('POST', '/api/Actions', [{ ticket_id: ticketA, note: 'typo' }])).body;
    const edited = await t.call('POST', '/api/Actions', [{ id: note.id, note: 'fixed', hiddenfromuser: true }]);
    expect(edited.body).toMatchObject({ id: note.id, note: 'fixed', hiddenfromuser: true, ticket_id: ticketA });
    const moved = await t.call('POST', '/api/Actions', [{ id: note.id, ticket_id: ticketB }]);
    expect(moved.status).toBe(400);
    expect(JSON.stringify(moved.body)).toContain('ticket_id');
    const restatus = await t.call('POST', '/api/Actions', [{ id: note.id, new_status: 2 }]);
    expect(restatus.status).toBe(400);
    expect(JSON.stringify(restatus.body)).toContain('new_status');
    expect((await t.call('DELETE', `/api/Actions/${note.id}`)).status).toBe(200);
    expect((await t.call('GET', `/api/Actions/${note.id}`)).status).toBe(404);
    const change = (await t.call('GET', `/api/Actions?ticket_id=${ticketB}&excludesys=false`)).body.actions.find(
      (a: { is_system: boolean }) => a.is_system,
    );
    expect((await t.call('DELETE', `/api/Actions/${change.id}`)).status).toBe(409);
  });

  it('technicians may add actions and change status through them', async () => {
    const res = await t.call(
      'POST',
      '/api/Actions',
      [{ ticket_id: ticketA, note: 'tech', new_status: 2 }],
      t.techToken,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ new_status: 2, new_status_name: 'In Progress', who: 'test-tech' });
    expect((await t.call('GET', '/api/Actions', undefined, t.techToken)).status).toBe(200);
  });

  it('refuses bad input naming the field, never a 500', async () => {
    const cases: [unknown, number, string][] = [
      [[{ note: 'no ticket' }], 400, 'body[0].ticket_id'],
      [[{ ticket_id: 99999999, note: 'x' }], 400, 'body[0].ticket_id'],
      [[{ ticket_id: ticketA, new_status: 99999 }], 400, 'body[0].new_status'],
      [[{ ticket_id: ticketA, new_status: 'Closed' }], 400, 'new_status'],
      [[{ ticket_id: 'A', note: 'x' }], 400, 'ticket_id'],
      [[{ ticket_id: ticketA, note: 5 }], 400, 'note'],
      [[{ ticket_id: ticketA, hiddenfromuser: true, private: false }], 400, 'private'],
      [[{ ticket_id: ticketA, note: 'x'.repeat(100_001) }], 400, 'note'],
      [[{ id: 99999999, note: 'x' }], 404, 'Action 99999999'],
      [[{ ticket_id: ticketA, note: 'ok' }, { note: 'bad' }], 400, 'body[1].ticket_id'],
    ];
    for (const [body, status, mention] of cases) {
      const res = await t.call('POST', '/api/Actions', body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(status);
      expect(JSON.stringify(res.body), JSON.stringify(body).slice(0, 80)).toContain(mention);
    }
    // The rejected batch above wrote nothing.
    expect(
      (await t.call('GET', `/api/Actions?ticket_id=${ticketA}`)).body.actions.map((a: { note: string }) => a.note),
    ).not.toContain('ok');
    expect((await t.call('GET', '/api/Actions?ticket_id=abc')).status).toBe(400);
    expect((await t.call('GET', '/api/Actions/abc')).status).toBe(400);
  });
});
