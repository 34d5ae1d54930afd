import { afterEach, describe, expect, it } from 'vitest';
import { type AteraSim, type AteraSimOptions, runAteraSimCli, startAteraSim } from './index.js';

/** The simulator's wire behaviour (paging, auth, rate limit, faults) and its /_sim control API, over HTTP. */

const sims: AteraSim[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

async function sim(opts: AteraSimOptions = {}): Promise<AteraSim> {
  const s = await startAteraSim({ customers: 10, agents: 120, alerts: 30, requestsPerMinute: null, ...opts });
  sims.push(s);
  return s;
}

type Envelope = {
  items: Record<string, unknown>[];
  page: number;
  itemsInPage: number;
  totalItemCount: number;
  totalPages: number;
  prevLink: string | null;
  nextLink: string | null;
};

async function api(s: AteraSim, path: string, init: RequestInit = {}) {
  const res = await fetch(`${s.url}${path}`, {
    ...init,
    headers: { 'X-API-KEY': s.apiKey, ...(init.headers as Record<string, string>) },
  });
  const text = await res.text();
  return { status: res.status, text, headers: res.headers, json: () => JSON.parse(text) as Envelope };
}

async function control(s: AteraSim, method: string, path: string, body?: unknown) {
  const res = await fetch(`${s.url}/_sim${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

describe('paging', () => {
  it('defaults to 20 per page, clamps itemsInPage at 50, links absolutely and ends with ""', async () => {
    const s = await sim();
    const first = (await api(s, '/api/v3/agents')).json();
    expect(first).toMatchObject({ page: 1, itemsInPage: 20, totalItemCount: 120, totalPages: 6, prevLink: '' });
    expect(first.items).toHaveLength(20);
    expect(first.nextLink).toBe(`${s.url}/api/v3/agents?page=2&itemsInPage=20`);

    const big = (await api(s, '/api/v3/agents?ITEMSINPAGE=500&Page=3')).json();
    expect(big).toMatchObject({ page: 3, itemsInPage: 50, totalPages: 3, nextLink: '' });
    expect(big.items).toHaveLength(20);
    expect(big.prevLink).toBe(`${s.url}/api/v3/agents?page=2&itemsInPage=50`);

    const beyond = (await api(s, '/api/v3/agents?page=9&itemsInPage=50')).json();
    expect(beyond).toMatchObject({ items: [], page: 9, totalItemCount: 120, nextLink: '' });

    const bad = await api(s, '/api/v3/agents?page=abc');
    expect(bad.status).toBe(400);
  });

  it('switches the end-of-list link to null, and changes settings at run time', async () => {
    const s = await sim({ nextLinkStyle: 'null' });
    const last = (await api(s, '/api/v3/customers?itemsInPage=50')).json();
    expect(last.nextLink).toBeNull();
    expect(last.prevLink).toBeNull();
    expect((await control(s, 'PATCH', '/settings', { nextLinkStyle: 'empty', maxPageSize: 4 })).status).toBe(200);
    const after = (await api(s, '/api/v3/customers?itemsInPage=50')).json();
    expect(after).toMatchObject({ itemsInPage: 4, totalPages: 3 });
    expect(after.nextLink).toBe(`${s.url}/api/v3/customers?page=2&itemsInPage=4`);
  });

  it('an empty list has zero pages', async () => {
    const s = await sim();
    const empty = (await api(s, '/api/v3/agents/customer/424242')).json();
    expect(empty).toEqual({
      items: [],
      page: 1,
      itemsInPage: 20,
      totalItemCount: 0,
      totalPages: 0,
      prevLink: '',
      nextLink: '',
    });
  });

  it('filters alerts by alertStatus (case-insensitive) and rejects unknown statuses', async () => {
    const s = await sim();
    for (const status of ['Open', 'resolved', 'SNOOZED']) {
      const page = (await api(s, `/api/v3/alerts?alertStatus=${status}&itemsInPage=50`)).json();
      for (const a of page.items)
        expect(s.state.alertStatus(s.state.getAlert(a.AlertID as number)!).toLowerCase()).toBe(status.toLowerCase());
    }
    expect((await api(s, '/api/v3/alerts?alertStatus=Closed')).status).toBe(400);
  });
});

describe('auth and rate limit', () => {
  it('accepts the key on X-API-KEY in any header case, the token as Bearer; 401 with an empty body otherwise', async () => {
    const s = await sim();
    expect((await fetch(`${s.url}/api/v3/account`, { headers: { 'x-api-key': s.apiKey } })).status).toBe(200);
    expect((await fetch(`${s.url}/api/v3/account`, { headers: { 'X-Api-Key': s.apiKey } })).status).toBe(200);
    expect(
      (await fetch(`${s.url}/api/v3/account`, { headers: { Authorization: `Bearer ${s.bearerToken}` } })).status,
    ).toBe(200);
    const rejected: Record<string, string>[] = [
      {},
      { 'X-API-KEY': 'wrong' },
      { Authorization: `Bearer ${s.apiKey}` },
      { Authorization: s.bearerToken },
    ];
    for (const headers of rejected) {
      const res = await fetch(`${s.url}/api/v3/account`, { headers });
      expect(res.status).toBe(401);
      expect(await res.text()).toBe('');
    }
    expect(s.state.callLog().map((c) => c.auth)).toEqual([
      'x-api-key',
      'x-api-key',
      'bearer',
      'none',
      'invalid',
      'invalid',
      'invalid',
    ]);
  });

  it('answers 429 with Retry-After once the minute’s budget is spent', async () => {
    const s = await sim({ requestsPerMinute: 5 });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 7; i++) {
      const res = await api(s, '/api/v3/account');
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect(Number(retryAfter)).toBe(12);
    // The control API is not Atera's and is never rate limited.
    expect((await control(s, 'GET', '')).status).toBe(200);
  });
});

describe('Atera write operations', () => {
  it('POST /alerts → 201 ActionID; PUT resolves (204); DELETE removes (204); unknown ids → 404 ProblemDetails', async () => {
    const s = await sim();
    const agent = s.state.listAgents()[0]!;
    const created = await api(s, '/api/v3/alerts', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        DeviceGuid: agent.DeviceGuid,
        Title: 'CPU hot',
        Severity: 'Critical',
        AlertMessage: 'dropped',
      }),
    });
    expect(created.status).toBe(201);
    expect(JSON.parse(created.text)).toEqual({ ActionID: expect.any(String) });
    const alert = s.state.listAlerts().find((a) => a.Title === 'CPU hot')!;
    expect(alert.AlertMessage).not.toBe('dropped');
    expect((await api(s, `/api/v3/alerts/${alert.AlertID}`, { method: 'PUT' })).status).toBe(204);
    expect(s.state.getAlert(alert.AlertID)?.Archived).toBe(true);
    expect((await api(s, `/api/v3/alerts/${alert.AlertID}`, { method: 'DELETE' })).status).toBe(204);
    expect((await api(s, `/api/v3/alerts/${alert.AlertID}`)).status).toBe(404);
    expect((await api(s, '/api/v3/alerts/1', { method: 'PUT' })).status).toBe(404);
    expect((await api(s, '/api/v3/alerts', { method: 'PATCH' })).status).toBe(405);
    expect((await api(s, '/api/v3/nothing-here')).status).toBe(404);
    const wrongType = await api(s, '/api/v3/alerts', {
      method: 'POST',
      body: 'DeviceGuid=x',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(wrongType.status).toBe(415);
  });

  it('customers: create, update only the fields sent, delete', async () => {
    const s = await sim();
    const created = await api(s, '/api/v3/customers', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ CustomerName: 'Zoë’s Café 🚀', City: 'Zürich', Unknown: 1 }),
    });
    expect(created.status).toBe(201);
    const c = s.state.listCustomers().find((x) => x.CustomerName === 'Zoë’s Café 🚀')!;
    expect(c.City).toBe('Zürich');
    expect('Unknown' in c).toBe(false);
    const updated = await api(s, `/api/v3/customers/${c.CustomerID}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ Phone: '+41 1' }),
    });
    expect(updated.status).toBe(200);
    expect(s.state.getCustomer(c.CustomerID)).toMatchObject({ Phone: '+41 1', City: 'Zürich' });
    expect((await api(s, `/api/v3/customers/${c.CustomerID}`, { method: 'DELETE' })).status).toBe(204);
    expect(s.state.getCustomer(c.CustomerID)).toBeUndefined();
  });
});

describe('fault injection on the wire', () => {
  it('error rate, non-JSON page, truncated last page, malformed records, drops and latency', async () => {
    const s = await sim();
    await control(s, 'POST', '/faults', [
      { kind: 'error', status: 503, path: '/api/v3/account', times: 1 },
      { kind: 'non-json', path: '/api/v3/customers', page: 1, times: 1 },
      { kind: 'truncate-last-page', path: '/api/v3/agents', missing: 3, times: 1 },
      { kind: 'malformed-records', path: '/api/v3/contacts', every: 2, times: 1 },
      { kind: 'latency', ms: 120, path: '/api/v3/alerts', times: 1 },
    ]);
    expect((await api(s, '/api/v3/account')).status).toBe(503);
    expect((await api(s, '/api/v3/account')).status).toBe(200);

    const html = await api(s, '/api/v3/customers');
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    expect(() => JSON.parse(html.text)).toThrow();

    const last = (await api(s, '/api/v3/agents?page=3&itemsInPage=50')).json();
    expect(last.totalItemCount).toBe(120);
    expect(last.items).toHaveLength(17);

    const contacts = (await api(s, '/api/v3/contacts?itemsInPage=4')).json();
    expect(
      contacts.items.filter(
        (c) => typeof c.Email === 'number' || typeof c.IsContactPerson === 'string' || typeof c.EndUserID === 'string',
      ),
    ).toHaveLength(2);

    const started = Date.now();
    await api(s, '/api/v3/alerts?alertStatus=Open');
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);

    await control(s, 'POST', '/faults', { kind: 'drop-connection', path: '/api/v3/account', times: 1 });
    await expect(api(s, '/api/v3/account')).rejects.toThrow();
    expect(s.state.callLog({ path: '/api/v3/account' }).at(-1)?.status).toBe(0);
    expect((await api(s, '/api/v3/account')).status).toBe(200);

    await control(s, 'POST', '/faults', { kind: 'rate-limit-storm', retryAfterSeconds: 7 });
    const storm = await api(s, '/api/v3/account');
    expect(storm.status).toBe(429);
    expect(storm.headers.get('retry-after')).toBe('7');
    expect((await control(s, 'GET', '/faults')).body?.faults).toHaveLength(1);
    expect((await control(s, 'DELETE', '/faults')).status).toBe(204);
    expect((await api(s, '/api/v3/account')).status).toBe(200);
  });
});

describe('control API', () => {
  it('changes data, raises/resolves/snoozes alerts and shows the call log', async () => {
    const s = await sim();
    const info = (await control(s, 'GET', '')).body!;
    expect(info).toMatchObject({ url: s.url, apiKey: s.apiKey, counts: { customers: 10, agents: 120, alerts: 30 } });

    const customer = (await control(s, 'POST', '/customers', { CustomerName: 'Ærø ApS' })).body!;
    expect(customer.CustomerID).toEqual(expect.any(Number));
    expect((await control(s, 'POST', '/customers', { Nonsense: 1 })).status).toBe(400);
    const renamed = await control(s, 'PATCH', `/customers/${customer.CustomerID}`, { CustomerName: 'Aero ApS' });
    expect(renamed.body?.CustomerName).toBe('Aero ApS');

    const agent = (await control(s, 'POST', '/agents', { CustomerID: customer.CustomerID, MachineName: 'PC-1' })).body!;
    expect(agent).toMatchObject({ CustomerName: 'Aero ApS', MachineName: 'PC-1' });
    const other = s.state.listCustomers()[0]!.CustomerID;
    const moved = await control(s, 'PATCH', `/agents/${agent.AgentID}`, { CustomerID: other });
    expect(moved.body?.CustomerID).toBe(other);

    const raised = (await control(s, 'POST', '/alerts', { AgentID: agent.AgentID, AlertID: 123, Severity: 'Critical' }))
      .body!;
    expect(raised).toEqual({ AlertID: 123 });
    expect((await control(s, 'POST', '/alerts/123/snooze', { minutes: 10 })).status).toBe(200);
    expect(s.state.alertStatus(s.state.getAlert(123)!)).toBe('Snoozed');

    await api(s, '/api/v3/alerts/123', { method: 'PUT' });
    const calls = (await control(s, 'GET', '/calls?method=PUT')).body!.calls as Record<string, unknown>[];
    expect(calls).toEqual([
      expect.objectContaining({
        method: 'PUT',
        path: '/api/v3/alerts/123',
        status: 204,
        query: {},
        time: expect.any(String),
      }),
    ]);
    expect(s.state.alertStatus(s.state.getAlert(123)!)).toBe('Resolved');

    const churn = (await control(s, 'POST', '/churn', { move: 2, remove: 1, add: 3 })).body!;
    expect((churn.added as number[]).length).toBe(3);
    expect((await control(s, 'DELETE', `/agents/${agent.AgentID}`)).status).toBe(204);
    expect((await control(s, 'DELETE', `/agents/${agent.AgentID}`)).status).toBe(404);

    const reset = await control(s, 'POST', '/reset', { agents: 7 });
    expect(reset.body?.counts).toMatchObject({ agents: 7 });
    expect((await control(s, 'GET', '/calls')).body?.calls).toEqual([]);
  });
});

describe('runAteraSimCli', () => {
  it('starts from arguments and prints the URL and key', async () => {
    const lines: string[] = [];
    const s = await runAteraSimCli(
      ['--seed', '42', '--customers', '5', '--agents', '50', '--alerts', '10', '--port', '0', '--rpm', 'none'],
      (l) => lines.push(l),
    );
    expect(s).not.toBeNull();
    sims.push(s!);
    expect(lines.join('\n')).toContain(`Atera simulator listening on ${s!.url}`);
    expect(lines.join('\n')).toContain(s!.apiKey);
    expect(s!.state.counts()).toMatchObject({ customers: 5, agents: 50, alerts: 10 });
    expect(s!.state.settings.requestsPerMinute).toBeNull();
    await expect(runAteraSimCli(['--agents', 'many'], () => undefined)).rejects.toThrow(/--agents must be/);
    expect(await runAteraSimCli(['--help'], (l) => lines.push(l))).toBeNull();
  });
});
