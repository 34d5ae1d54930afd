import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servedEndpoints } from './api-routes.js';
import { type AteraSim, startAteraSim } from './index.js';

/**
 * The simulator checked against Atera's published shapes (test/fixtures/atera-fields.json, a copy of the reference's atera-fields.json), not against
 * our own client: field names byte for byte, JSON types, nullability, enum values, the paging envelope and the
 * operations served. This is what keeps the simulator from drifting into an invented API.
 */

type Spec = Record<string, unknown> & { nullable: string[] };
const FIELDS = JSON.parse(
  readFileSync(new URL('../../test/fixtures/atera-fields.json', import.meta.url), 'utf8'),
) as Record<string, unknown> & {
  enums: Record<string, string[]>;
  enum_fields: Record<string, string>;
  endpoints: { method: string; path: string; query: string[]; status_codes: string[] }[];
};
const spec = (name: string): Spec => FIELDS[name] as Spec;
const fieldNames = (name: string): string[] =>
  Object.keys(spec(name)).filter((k) => !['nullable', 'additional_properties'].includes(k));

// The simulator emits offset-less timestamps with 0–7 fractional digits (reference §5).
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?$/;
const NESTED: Record<string, string> = {
  'agents.HardwareDisks': 'hardware_disk',
  'agents.BatteryInfo': 'battery',
};

/** Every problem with one record against the published shape (empty = conforms). */
function problems(resource: string, record: unknown, where = resource): string[] {
  const out: string[] = [];
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return [`${where}: not an object`];
  const s = spec(resource);
  const names = fieldNames(resource);
  const rec = record as Record<string, unknown>;
  for (const key of Object.keys(rec)) if (!names.includes(key)) out.push(`${where}.${key}: not a published field`);
  for (const key of names) {
    const type = s[key] as string;
    const nullable = s.nullable.includes(key);
    if (!(key in rec)) {
      if (!nullable) out.push(`${where}.${key}: required (not nullable) but missing`);
      continue;
    }
    const v = rec[key];
    if (v === null) {
      if (!nullable) out.push(`${where}.${key}: null but not nullable`);
      continue;
    }
    const ok =
      type === 'integer'
        ? Number.isInteger(v)
        : type === 'number'
          ? typeof v === 'number'
          : type === 'string'
            ? typeof v === 'string'
            : type === 'boolean'
              ? typeof v === 'boolean'
              : type === 'datetime'
                ? typeof v === 'string' && DATETIME.test(v)
                : type === 'array'
                  ? Array.isArray(v)
                  : type === 'object'
                    ? typeof v === 'object' && !Array.isArray(v)
                    : false;
    if (!ok) out.push(`${where}.${key}: expected ${type}, got ${JSON.stringify(v)}`);
    const enumName = FIELDS.enum_fields[`${resource}.${key}`];
    if (enumName && !FIELDS.enums[enumName]!.includes(v as string)) {
      out.push(`${where}.${key}: ${JSON.stringify(v)} not in ${enumName}`);
    }
    const nested = NESTED[`${resource}.${key}`];
    if (nested) {
      for (const [i, item] of (Array.isArray(v) ? v : [v]).entries())
        out.push(...problems(nested, item, `${where}.${key}[${i}]`));
    }
    if (
      (key === 'MacAddresses' || key === 'IpAddresses') &&
      Array.isArray(v) &&
      !v.every((x) => typeof x === 'string')
    ) {
      out.push(`${where}.${key}: items must be strings`);
    }
  }
  return out;
}

function envelopeProblems(body: unknown): string[] {
  const p = FIELDS.pagination as Record<string, unknown> & { nullable: string[] };
  const env = body as Record<string, unknown>;
  const expected = ['items', 'page', 'itemsInPage', 'totalItemCount', 'totalPages', 'prevLink', 'nextLink'];
  const out: string[] = [];
  if (JSON.stringify(Object.keys(env)) !== JSON.stringify(expected)) out.push(`envelope keys ${Object.keys(env)}`);
  for (const key of expected) {
    const v = env[key];
    if (v === null && p.nullable.includes(key)) continue;
    const type = p[key];
    if (type === 'integer' && !Number.isInteger(v)) out.push(`${key} not an integer`);
    if (type === 'string' && typeof v !== 'string') out.push(`${key} not a string`);
    if (type === 'array' && !Array.isArray(v)) out.push(`${key} not an array`);
  }
  return out;
}

let sim: AteraSim;
const get = async (path: string) => {
  const res = await fetch(`${sim.url}${path}`, { headers: { 'X-API-KEY': sim.apiKey } });
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
};

async function readList(path: string): Promise<unknown[]> {
  const items: unknown[] = [];
  for (let page = 1; ; page++) {
    const sep = path.includes('?') ? '&' : '?';
    const res = await get(`${path}${sep}page=${page}&itemsInPage=50`);
    expect(res.status).toBe(200);
    const body = JSON.parse(res.text) as { items: unknown[]; totalPages: number };
    expect(envelopeProblems(body)).toEqual([]);
    items.push(...body.items);
    if (page >= body.totalPages) return items;
  }
}

beforeAll(async () => {
  sim = await startAteraSim({ seed: 7, customers: 40, agents: 600, alerts: 120, requestsPerMinute: null });
});
afterAll(async () => {
  await sim.close();
});

describe('the shape checker', () => {
  it('catches invented fields, wrong types, nulls where not allowed, bad enums and offsets', () => {
    expect(problems('agents', { AgentID: 1, Monitored: true, AgentId: 1 })).toEqual([
      'agents.AgentId: not a published field',
    ]);
    expect(problems('agents', { AgentID: '1', Monitored: true })).toEqual([
      'agents.AgentID: expected integer, got "1"',
    ]);
    expect(problems('agents', { AgentID: 1 })).toEqual(['agents.Monitored: required (not nullable) but missing']);
    expect(problems('agents', { AgentID: 1, Monitored: null })).toEqual(['agents.Monitored: null but not nullable']);
    expect(problems('alerts', { AlertID: 1, Severity: 'High' })).toEqual([
      'alerts.Severity: "High" not in AlertSeverity',
    ]);
    expect(problems('alerts', { AlertID: 1, Created: '2026-09-27T10:15:00+02:00' })).toHaveLength(1);
    expect(
      problems('agents', { AgentID: 1, Monitored: true, HardwareDisks: [{ Drive: 'C:', Free: '1' }] }),
    ).toHaveLength(3);
  });
});

describe('simulator responses have Atera’s published shapes', () => {
  it.each([
    ['customers', '/api/v3/customers'],
    ['agents', '/api/v3/agents'],
    ['alerts', '/api/v3/alerts?alertStatus=Open'],
    ['alerts', '/api/v3/alerts?alertStatus=Resolved'],
    ['alerts', '/api/v3/alerts?alertStatus=Snoozed'],
    ['contacts', '/api/v3/contacts'],
  ])('%s list %s: every record conforms, and every published field appears', async (resource, path) => {
    const items = await readList(path);
    expect(items.length).toBeGreaterThan(0);
    expect(items.flatMap((r) => problems(resource, r))).toEqual([]);
    if (!path.includes('alertStatus=') || path.endsWith('Open')) {
      const seen = new Set(items.flatMap((r) => Object.keys(r as object)));
      expect(fieldNames(resource).filter((f) => !seen.has(f))).toEqual([]);
    }
  });

  it('per-customer and per-machine agent lists and single GETs conform too', async () => {
    const agent = sim.state.listAgents()[0]!;
    for (const path of [
      `/api/v3/agents/customer/${agent.CustomerID}`,
      `/api/v3/agents/machine/${encodeURIComponent(agent.MachineName!)}`,
    ]) {
      const items = await readList(path);
      expect(items.length).toBeGreaterThan(0);
      expect(items.flatMap((r) => problems('agents', r))).toEqual([]);
    }
    const singles: [string, string][] = [
      ['agents', `/api/v3/agents/${agent.AgentID}`],
      ['customers', `/api/v3/customers/${agent.CustomerID}`],
      ['alerts', `/api/v3/alerts/${sim.state.listAlerts()[0]!.AlertID}`],
      ['contacts', `/api/v3/contacts/${sim.state.listContacts()[0]!.EndUserID}`],
      ['account', '/api/v3/account'],
    ];
    for (const [resource, path] of singles) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(res.type).toMatch(/^application\/json/);
      expect(problems(resource, JSON.parse(res.text))).toEqual([]);
    }
  });

  it('null and absent optional fields both occur, as in real payloads', async () => {
    const agents = (await readList('/api/v3/agents')) as Record<string, unknown>[];
    expect(agents.some((a) => a.LastSeen === null)).toBe(true);
    expect(agents.some((a) => a.Online === null)).toBe(true);
    expect(agents.some((a) => !('BatteryInfo' in a))).toBe(true);
    const alerts = (await readList('/api/v3/alerts?alertStatus=Open')) as Record<string, unknown>[];
    expect(alerts.some((a) => a.TicketID === null)).toBe(true);
    expect(alerts.some((a) => a.TicketID === 0)).toBe(true);
  });

  it('write results, ProblemDetails and empty bodies are as published', async () => {
    const guid = sim.state.listAgents()[0]!.DeviceGuid!;
    const created = await fetch(`${sim.url}/api/v3/alerts`, {
      method: 'POST',
      headers: { 'X-API-KEY': sim.apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ DeviceGuid: guid, Title: 'Disk full', Severity: 'Critical', AlertMessage: 'ignored' }),
    });
    expect(created.status).toBe(201);
    expect(problems('result', await created.json())).toEqual([]);

    const missing = await get('/api/v3/alerts/1');
    expect(missing.status).toBe(404);
    expect(missing.type).toMatch(/^application\/problem\+json/);
    const pd = JSON.parse(missing.text) as Record<string, unknown>;
    expect(
      problems(
        'problem_details',
        Object.fromEntries(Object.entries(pd).filter(([k]) => fieldNames('problem_details').includes(k))),
      ),
    ).toEqual([]);
    expect(pd.status).toBe(404);

    const bad = await fetch(`${sim.url}/api/v3/alerts`, {
      method: 'POST',
      headers: { 'X-API-KEY': sim.apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ Title: 'no device' }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: Record<string, unknown> }).errors.DeviceGuid).toBeDefined();

    const unauthorized = await fetch(`${sim.url}/api/v3/agents`);
    expect(unauthorized.status).toBe(401);
    expect(await unauthorized.text()).toBe('');
    expect(unauthorized.headers.get('www-authenticate')).toBeNull();

    const id = sim.state.listAlerts()[1]!.AlertID;
    const resolved = await fetch(`${sim.url}/api/v3/alerts/${id}`, {
      method: 'PUT',
      headers: { 'X-API-KEY': sim.apiKey },
    });
    expect(resolved.status).toBe(204);
    expect(await resolved.text()).toBe('');
  });

  it('serves only operations that Atera publishes, with their documented success status', () => {
    const published = new Map(FIELDS.endpoints.map((e) => [`${e.method} ${e.path}`, e]));
    for (const { method, path } of servedEndpoints()) {
      const endpoint = published.get(`${method} ${path}`);
      expect(endpoint, `${method} ${path}`).toBeDefined();
    }
  });
});
