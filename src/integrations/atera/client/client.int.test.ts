import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { type AteraSim, type AteraSimOptions, startAteraSim } from '../../../atera-sim/index.js';
import { AppError } from '../../../core/errors.js';
import { createLogger } from '../../../core/logger.js';
import { AteraClient, type AteraClientOptions } from './client.js';
import { RateLimiter } from './rate-limiter.js';

/**
 * The client over real HTTP against the simulator, one fault at a time, checking the outcome a user wants.
 * Timeouts, latencies and backoffs are scaled down so the file runs in a few seconds.
 */

const sims: AteraSim[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

async function sim(opts: AteraSimOptions = {}): Promise<AteraSim> {
  const s = await startAteraSim({ customers: 12, agents: 237, alerts: 40, requestsPerMinute: null, ...opts });
  sims.push(s);
  return s;
}

function clientFor(s: AteraSim, opts: Partial<AteraClientOptions> = {}): AteraClient {
  return new AteraClient({
    baseUrl: s.url,
    apiKey: s.apiKey,
    limiter: new RateLimiter({ requestsPerMinute: Number.POSITIVE_INFINITY }),
    retryBaseDelayMs: 5,
    retryMaxDelayMs: 50,
    timeoutMs: 2000,
    ...opts,
  });
}

/** A pino logger at debug level writing into a string, to prove what does (not) reach the logs. */
function capturedLogger() {
  let text = '';
  const sink = new Writable({
    write(chunk, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', destination: sink }), text: () => text };
}

async function caught(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

async function drain<T>(read: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of read) out.push(x);
  return out;
}

describe('paging', () => {
  it('reads every agent across pages of 50, rebuilding each URL itself, and says the read is complete', async () => {
    const s = await sim();
    const client = clientFor(s);
    const read = client.agents();
    const pages = await drain(read);
    const ids = pages.flatMap((p) => p.records.map((r) => r.AgentID));
    expect(ids).toHaveLength(237);
    expect(new Set(ids).size).toBe(237);
    expect(read.summary()).toEqual({
      pagesRead: 5,
      totalPages: 5,
      totalItemCount: 237,
      recordsRead: 237,
      rejected: 0,
      complete: true,
    });
    const calls = s.state.callLog({ path: '/api/v3/agents' });
    expect(calls.map((c) => c.query).sort((a, b) => Number(a.page) - Number(b.page))).toEqual(
      [1, 2, 3, 4, 5].map((p) => ({ page: String(p), itemsInPage: '50' })),
    );
  });

  it('ends on a null nextLink as on an empty one', async () => {
    const s = await sim({ nextLinkStyle: 'null' });
    const { records, summary } = await clientFor(s).agents().readAll();
    expect(records).toHaveLength(237);
    expect(summary.complete).toBe(true);
  });

  it('lists one customer’s agents, alerts by status, customers and contacts', async () => {
    const s = await sim();
    const client = clientFor(s);
    const customerId = s.state.listAgents()[0]!.CustomerID!;
    const mine = await client.agents({ customerId }).readAll();
    expect(mine.records.length).toBe(s.state.listAgents({ customerId }).length);
    expect(mine.records.every((a) => a.CustomerID === customerId)).toBe(true);
    expect(mine.summary.complete).toBe(true);

    const snoozedId = s.state.raiseAlert({ AgentID: s.state.listAgents()[0]!.AgentID });
    s.state.snoozeAlert(snoozedId, { minutes: 30 });
    const snoozed = await client.alerts({ status: 'Snoozed' }).readAll();
    expect(snoozed.records.map((a) => a.AlertID)).toContain(snoozedId);
    const open = await client.alerts({ status: 'Open' }).readAll();
    expect(open.records.map((a) => a.AlertID)).not.toContain(snoozedId);
    expect(s.state.callLog({ path: '/api/v3/alerts' }).every((c) => c.query.alertStatus !== undefined)).toBe(true);

    expect((await client.customers().readAll()).records).toHaveLength(12);
    expect((await client.contacts().readAll()).records).toHaveLength(24);
    const recent = await client.customers({ fromLastModified: '2000-01-01' }).readAll();
    expect(recent.records).toHaveLength(12);
    expect(s.state.callLog({ path: '/api/v3/customers' }).at(-1)?.query.FromLastModifiedDate).toBe('2000-01-01');
  });
});

describe('faults → the outcome a user wants', () => {
  it('429 storm: waits (honouring Retry-After) and succeeds', async () => {
    const s = await sim({ faults: [{ kind: 'rate-limit-storm', retryAfterSeconds: 1, times: 2 }] });
    const client = clientFor(s, { concurrency: 1 });
    const started = Date.now();
    const { records, summary } = await client.customers().readAll();
    expect(records).toHaveLength(12);
    expect(summary.complete).toBe(true);
    // Two 429s with Retry-After: 1 s; the shared limiter was paused, so the retries waited ~1 s each.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    expect(client.stats()).toMatchObject({ rateLimited: 2, retries: 2 });
    expect(client.stats().throttledMs).toBeGreaterThanOrEqual(2000);
  });

  it('429 without Retry-After: backs off exponentially and succeeds; persistent 429 → atera_rate_limited', async () => {
    const s = await sim({ faults: [{ kind: 'rate-limit-storm', retryAfterSeconds: null, times: 3 }] });
    const ok = await clientFor(s, { concurrency: 1 }).customers().readAll();
    expect(ok.summary.complete).toBe(true);

    s.state.faults.set([{ kind: 'rate-limit-storm', retryAfterSeconds: null }]);
    const err = await caught(clientFor(s, { maxAttempts: 3 }).customers().readAll());
    expect(err.code).toBe('atera_rate_limited');
    expect(err.message).toMatch(/kept rate-limiting Keel \(429\).*after 3 attempt/);
  });

  it('the simulator’s own budget: 429 + Retry-After once spent; a wait beyond maxRetryAfterMs fails instead', async () => {
    const s = await sim({ requestsPerMinute: 3 });
    s.state.faults.reset();
    const client = clientFor(s, { concurrency: 1, maxRetryAfterMs: 100 });
    // 3 requests fit the budget; the 4th gets 429 with Retry-After 20 s, beyond what this client may wait.
    await client.customers().readAll();
    await client.customers().readAll();
    await client.customers().readAll();
    const err = await caught(client.customers().readAll());
    expect(err.code).toBe('atera_rate_limited');
    expect(err.message).toMatch(/asked to wait 20 s/);
  });

  it('20% random 5xx: retried, and the read still completes', async () => {
    const s = await sim({
      agents: 1000,
      faults: [
        { kind: 'error', status: 500, probability: 0.1, path: '/api/v3/agents' },
        { kind: 'error', status: 503, probability: 0.1, path: '/api/v3/agents' },
      ],
    });
    const client = clientFor(s, { maxAttempts: 8 });
    const { records, summary } = await client.agents().readAll();
    expect(records).toHaveLength(1000);
    expect(summary.complete).toBe(true);
    const failed = s.state.callLog({ path: '/api/v3/agents' }).filter((c) => c.status >= 500);
    expect(failed.length).toBeGreaterThan(0);
    expect(client.stats().retries).toBe(failed.length);
  });

  it('latency past the timeout: retried, then atera_temporary — never hangs beyond the timeouts', async () => {
    const s = await sim({ faults: [{ kind: 'latency', ms: 1500 }] });
    const client = clientFor(s, { timeoutMs: 150, maxAttempts: 3 });
    const started = Date.now();
    const err = await caught(client.customers().readAll());
    const elapsed = Date.now() - started;
    expect(err.code).toBe('atera_temporary');
    expect(err.message).toMatch(/did not answer within 0\.2 s|did not answer within 0\.1 s/);
    expect(err.message).toMatch(/after 3 attempt/);
    expect(elapsed).toBeLessThan(3 * 150 + 200 + 400);
    expect(s.state.callLog({ path: '/api/v3/customers' }).length).toBeLessThanOrEqual(3);

    // One slow answer only: the retry succeeds.
    s.state.faults.set([{ kind: 'latency', ms: 1500, times: 1 }]);
    expect((await client.customers().readAll()).summary.complete).toBe(true);
  });

  it('dropped connections: retried and succeed; persistent drops → atera_temporary naming the connection', async () => {
    const s = await sim({
      faults: [
        { kind: 'drop-connection', times: 2, path: '/api/v3/customers' },
        { kind: 'drop-connection', stage: 'mid-body', times: 1, path: '/api/v3/contacts' },
      ],
    });
    const client = clientFor(s, { concurrency: 1 });
    expect((await client.customers().readAll()).summary.complete).toBe(true);
    expect((await client.contacts().readAll()).summary.complete).toBe(true);
    expect(s.state.callLog().filter((c) => c.status === 0)).toHaveLength(2);

    s.state.faults.set([{ kind: 'drop-connection' }]);
    const err = await caught(clientFor(s, { maxAttempts: 2 }).customers().readAll());
    expect(err.code).toBe('atera_temporary');
    expect(err.message).toMatch(/connection to Atera failed/);
    expect(err.message).toMatch(/Check the Atera application URL/);
  });

  it('malformed records: each is reported with id, field and reason; the rest of the page continues', async () => {
    const s = await sim({ faults: [{ kind: 'malformed-records', every: 10, path: '/api/v3/agents' }] });
    const { logger, text } = capturedLogger();
    const read = clientFor(s, { logger }).agents();
    const pages = await drain(read);
    const rejected = pages.flatMap((p) => p.rejected);
    expect(rejected).toHaveLength(23);
    expect(pages.flatMap((p) => p.records)).toHaveLength(237 - 23);
    // Every corruption kind shows up, each naming the broken field.
    expect(new Set(rejected.map((r) => r.field))).toEqual(
      new Set(['Monitored', 'Memory', 'IpAddresses', 'LastSeen', 'AgentID']),
    );
    const first = rejected[0]!;
    expect(first).toEqual({ id: s.state.listAgents()[9]!.AgentID, field: 'Monitored', reason: expect.any(String) });
    // An id sent as a string is still reported, as Atera sent it.
    expect(rejected.find((r) => r.field === 'AgentID')?.id).toBe(String(s.state.listAgents()[49]!.AgentID));
    // Rejects still account for records Atera has, so the read is complete (records + rejected = total).
    expect(read.summary()).toMatchObject({ complete: true, recordsRead: 214, rejected: 23 });
    expect(text()).toMatch(/atera records rejected/);
  });

  it('a page that is not JSON: atera_bad_data, and the read is NOT complete', async () => {
    const s = await sim({ faults: [{ kind: 'non-json', page: 3, path: '/api/v3/agents' }] });
    const read = clientFor(s).agents();
    const seen: number[] = [];
    const err = await caught(
      (async () => {
        for await (const p of read) seen.push(p.page);
      })(),
    );
    expect(err.code).toBe('atera_bad_data');
    expect(err.message).toMatch(/agents page 3: the response was an HTML page/);
    expect(seen).toEqual([1, 2]);
    expect(read.summary().complete).toBe(false);
    expect(read.summary().incompleteReason).toMatch(/failed after 2 page/);

    s.state.faults.set([{ kind: 'non-json', body: 'truncated-json', path: '/api/v3/customers' }]);
    const cut = await caught(clientFor(s).customers().readAll());
    expect(cut.code).toBe('atera_bad_data');
    expect(cut.message).toMatch(/truncated JSON/);
  });

  it('a truncated list (last page short of totalItemCount): complete=false with a reason', async () => {
    const s = await sim({ faults: [{ kind: 'truncate-last-page', missing: 2, path: '/api/v3/agents' }] });
    const { records, summary } = await clientFor(s).agents().readAll();
    expect(records).toHaveLength(235);
    expect(summary.complete).toBe(false);
    expect(summary.incompleteReason).toBe(
      'Atera said there are 237 agents but sent 235 over 5 page(s) (a page came back short)',
    );
  });
});

describe('auth and secrecy', () => {
  it('a wrong key: atera_auth with an actionable message; the key is in no message, JSON or log line', async () => {
    const s = await sim();
    const wrongKey = 'f00dfeedf00dfeedf00dfeedf00dfeed';
    const { logger, text } = capturedLogger();
    const client = clientFor(s, { apiKey: wrongKey, logger });
    const err = await caught(client.agents().readAll());
    expect(err.code).toBe('atera_auth');
    expect(err.message).toMatch(/^Atera rejected the API key \(401\): generate a new key in Atera under Admin > API/);
    const test = await client.testConnection();
    expect(test).toEqual({ success: false, message: err.message });
    for (const surface of [err.message, JSON.stringify(err.toJSON()), JSON.stringify(err), String(err.stack), text()]) {
      expect(surface).not.toContain(wrongKey);
    }
    expect(text()).toContain('"status":401');
    // 401 is not retried: one call only.
    expect(s.state.callLog()).toHaveLength(2);
    expect(s.state.callLog()[0]).toMatchObject({ status: 401, auth: 'invalid' });
  });

  it('the right key never reaches the logs either, even at debug level and through retries', async () => {
    const s = await sim({ faults: [{ kind: 'error', status: 500, times: 1 }] });
    const { logger, text } = capturedLogger();
    await clientFor(s, { logger }).customers().readAll();
    expect(text()).toContain('atera server error');
    expect(text()).not.toContain(s.apiKey);
    const bearer = capturedLogger();
    await clientFor(s, { apiKey: s.bearerToken, logger: bearer.logger }).customers().readAll();
    expect(bearer.text()).not.toContain(s.bearerToken);
  });

  it('chooses Bearer for long tokens and X-API-KEY for short keys; an override wins', async () => {
    const s = await sim();
    const bearer = clientFor(s, { apiKey: s.bearerToken });
    expect(bearer.authScheme).toBe('bearer');
    expect((await bearer.testConnection()).success).toBe(true);
    const legacy = clientFor(s, { apiKey: `  ${s.apiKey}\n` });
    expect(legacy.authScheme).toBe('x-api-key');
    expect((await legacy.testConnection()).message).toMatch(/X-API-KEY\): 12 customers visible/);
    expect(s.state.callLog().map((c) => c.auth)).toEqual(['bearer', 'x-api-key']);

    // A legacy key forced into a Bearer header is not what Atera expects: 401.
    const forced = clientFor(s, { authScheme: 'bearer' });
    expect((await forced.testConnection()).success).toBe(false);
    expect(s.state.callLog().at(-1)).toMatchObject({ status: 401, auth: 'invalid' });
  });

  it('testConnection explains an unreachable URL', async () => {
    const s = await sim();
    const url = s.url;
    await s.close();
    sims.splice(0);
    const result = await clientFor({ ...s, url }, { maxAttempts: 1 }).testConnection();
    expect(result.success).toBe(false);
    expect(result.message).toMatch(/connection to Atera failed \(ECONNREFUSED\)/);
  });

  it('an empty key fails fast with what to do', async () => {
    const s = await sim();
    const result = await clientFor(s, { apiKey: '' }).testConnection();
    expect(result).toEqual({ success: false, message: expect.stringMatching(/^No Atera API key is configured/) });
    expect(s.state.callLog()).toHaveLength(0);
  });
});

describe('single alerts', () => {
  it('resolveAlert: the simulator saw PUT /api/v3/alerts/123 with no body and the alert is Resolved', async () => {
    const s = await sim();
    s.state.raiseAlert({ AlertID: 123, AgentID: s.state.listAgents()[0]!.AgentID, Severity: 'Critical' });
    const client = clientFor(s);
    expect((await client.getAlert(123))?.Archived).toBe(false);
    await client.resolveAlert(123);
    expect(s.state.callLog({ method: 'PUT' })).toEqual([
      expect.objectContaining({ method: 'PUT', path: '/api/v3/alerts/123', status: 204, query: {} }),
    ]);
    expect(s.state.alertStatus(s.state.getAlert(123)!)).toBe('Resolved');
    const again = await client.getAlert(123);
    expect(again).toMatchObject({ AlertID: 123, Archived: true, Severity: 'Critical' });
    expect(again?.ArchivedDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}$/);
    // Idempotent: resolving twice is fine; a 5xx on the way is retried.
    s.state.faults.add({ kind: 'error', status: 502, times: 1, method: 'PUT' });
    await client.resolveAlert(123);
    expect(s.state.callLog({ method: 'PUT' }).map((c) => c.status)).toEqual([204, 502, 204]);
  });

  it('getAlert of an unknown id is null; resolving it is atera_not_found', async () => {
    const s = await sim();
    const client = clientFor(s);
    expect(await client.getAlert(99)).toBeNull();
    const err = await caught(client.resolveAlert(99));
    expect(err.code).toBe('atera_not_found');
    expect(err.message).toMatch(/^Atera has no alert 99 \(404\)/);
  });

  it('deleteAlert removes it; deleting what is gone is not an error', async () => {
    const s = await sim();
    const id = s.state.raiseAlert({ AgentID: s.state.listAgents()[1]!.AgentID });
    const client = clientFor(s);
    await client.deleteAlert(id);
    expect(s.state.getAlert(id)).toBeUndefined();
    await client.deleteAlert(id);
    expect(s.state.callLog({ method: 'DELETE' }).map((c) => c.status)).toEqual([204, 404]);
  });

  it('a malformed single alert is atera_bad_data naming the field', async () => {
    const s = await sim();
    const id = s.state.raiseAlert({ AgentID: s.state.listAgents()[0]!.AgentID });
    s.state.faults.add({ kind: 'malformed-records', ids: [id] });
    const err = await caught(clientFor(s).getAlert(id));
    expect(err.code).toBe('atera_bad_data');
    expect(err.message).toMatch(/field Severity/);
  });
});

describe('stopping and pacing', () => {
  it('breaking out of a read stops prefetching and says the read is incomplete', async () => {
    const s = await sim({ agents: 2000 });
    const read = clientFor(s, { concurrency: 4 }).agents();
    for await (const page of read) if (page.page === 2) break;
    expect(read.summary()).toMatchObject({ complete: false, pagesRead: 2 });
    await new Promise((r) => setTimeout(r, 50));
    // At most the pages in the window were asked for, not all 40.
    expect(s.state.callLog({ path: '/api/v3/agents' }).length).toBeLessThanOrEqual(2 + 4);
  });

  it('one shared limiter paces two clients’ concurrent reads to one budget', async () => {
    const s = await sim({ agents: 500, requestsPerMinute: 1200 });
    const limiter = new RateLimiter({ requestsPerMinute: 1200 }); // 50 ms apart
    const a = clientFor(s, { limiter });
    const b = clientFor(s, { limiter });
    const started = Date.now();
    const [ra, rb] = await Promise.all([a.agents().readAll(), b.customers().readAll()]);
    const elapsed = Date.now() - started;
    expect(ra.summary.complete && rb.summary.complete).toBe(true);
    // 10 agent pages + 1 customer page = 11 requests → at least 10 gaps of 50 ms.
    expect(elapsed).toBeGreaterThanOrEqual(480);
    expect(s.state.callLog().every((c) => c.status === 200)).toBe(true);
  });
});
