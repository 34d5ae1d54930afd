import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { AteraSim, Fault, SimAgent } from '../../src/atera-sim/index.js';
import { startAteraSim } from '../../src/atera-sim/index.js';
import { sweepOutbox } from '../../src/integrations/atera/alerts/outbox.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { describeEachDb, resetDatabase } from '../helpers/db.js';
import {
  checkInvariants,
  emptyFigures,
  faultedResponses,
  HOOK_TIMEOUT,
  LONG,
  reportFigures,
  sleep,
  TEST_TIMEOUT,
} from './harness.js';

/**
 * Issue 9, Atera side: every way the simulator can misbehave, during syncs and alert polls. Outcome each time:
 * the run finishes, or fails with a classified error (atera_*); a partial read is never taken as complete
 * (nothing is deactivated because of it); no customer, asset or ticket is duplicated; and after the next good
 * sync and poll Keel matches Atera exactly (every device one active asset, every open alert a ticket, no ticket
 * left open against a resolved alert, every ticket closed in Keel resolved in Atera).
 */

const TYPES = ['Work Station', 'Server', 'Domain Controller', 'Mac', 'Linux'];
const CLASSIFIED = [
  'atera_auth',
  'atera_not_found',
  'atera_rate_limited',
  'atera_temporary',
  'atera_bad_data',
  'atera_unknown',
];

describeEachDb('Atera faults: syncs and alert polls against a misbehaving Atera', (ctx) => {
  let t: TestApp;
  let sim: AteraSim | undefined;
  const figures = emptyFigures();
  const outcomes: Record<string, number> = { succeeded: 0, failed_classified: 0, incomplete_reads_held: 0 };

  beforeAll(async () => {
    t = await startTestApp(ctx.database);
  }, HOOK_TIMEOUT);
  afterAll(async () => {
    await closeSim();
    await t.close();
    reportFigures(`atera-faults-${ctx.backend}`, figures, outcomes);
  }, HOOK_TIMEOUT);

  const closeSim = async () => {
    if (!sim) return;
    figures.faultedResponses += faultedResponses(sim);
    await sim.close();
    sim = undefined;
  };

  const s = () => sim!;
  const inject = (f: Fault) => {
    figures.faultsInjected++;
    return s().state.faults.add(f);
  };
  const settings = async (body: Record<string, unknown>) => {
    const r = await t.call('POST', '/api/Integration/Atera', body);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  };

  beforeEach(async () => {
    await closeSim();
    await resetDatabase(ctx.database);
    sim = await startAteraSim({ seed: 42, customers: 6, agents: 150, alerts: 0, requestsPerMinute: null });
    await settings({
      atera_enabled: true,
      atera_url: s().url,
      atera_apikey: s().apiKey,
      atera_delete_devices: true,
      atera_devicetypes: TYPES,
      atera_requests_per_minute: 100_000,
      atera_timeout_seconds: 1,
      atera_max_attempts: 3,
    });
    expect((await sync()).status).toBe('succeeded');
    await settings({ atera_enable_alerting: true });
    for (const a of importable().slice(0, 12))
      s().state.raiseAlert({ AgentID: a.AgentID, Severity: 'Warning', Code: a.AgentID % 7 });
    expect((await poll()).status).toBe('succeeded');
    await mark();
  }, HOOK_TIMEOUT);

  const importable = (): SimAgent[] =>
    s()
      .state.listAgents({})
      .filter((a) => a.OSType && TYPES.includes(a.OSType));

  const sync = async (body: object = {}) => {
    await mark();
    const r = await t.call('POST', '/api/Integration/Atera/Sync?wait=true', body);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    figures.runs++;
    return r.body;
  };
  const poll = async () => {
    const r = await t.call('POST', '/api/Integration/Atera/PollAlerts?wait=true');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    figures.runs++;
    return r.body;
  };
  /** What a worker's scheduler tick does for the outbox, then wait for the jobs (the client's retries included). */
  const drainOutbox = async () => {
    for (let round = 0; round < 3; round++) {
      await t.ctx.db
        .updateTable('alert_outbox')
        .set({ next_attempt_at: new Date(Date.now() - 1000).toISOString() })
        .where('status', '=', 'pending')
        .execute();
      await sweepOutbox(t.ctx, new Date());
      for (let i = 0; i < 600; i++) {
        const busy = await t.ctx.db
          .selectFrom('alert_outbox')
          .select('id')
          .where('status', 'in', ['queued', 'sending'])
          .execute();
        if (busy.length === 0) break;
        await sleep(50);
      }
      const pending = await t.ctx.db.selectFrom('alert_outbox').select('id').where('status', '=', 'pending').execute();
      if (pending.length === 0) return;
    }
  };

  /** A run either finished or failed with one of the Atera codes; never anything else. */
  const expectClassified = (run: any) => {
    expect(['succeeded', 'failed'], JSON.stringify(run)).toContain(run.status);
    if (run.status === 'failed') {
      expect(CLASSIFIED, JSON.stringify(run)).toContain(run.error_code);
      outcomes.failed_classified!++;
    } else outcomes.succeeded!++;
  };

  const activeAssets = async () =>
    new Set(
      (
        await t.ctx.db
          .selectFrom('asset')
          .select('atera_id')
          .where('inactive', '=', false)
          .where('atera_id', 'is not', null)
          .execute()
      ).map((a) => a.atera_id!),
    );

  /** Assets inactive now (to tell what a faulted run deactivated from what was already inactive). */
  const inactiveNow = async () =>
    new Set(
      (
        await t.ctx.db
          .selectFrom('asset')
          .select('atera_id')
          .where('inactive', '=', true)
          .where('atera_id', 'is not', null)
          .execute()
      ).map((a) => a.atera_id!),
    );
  let inactiveBefore = new Set<string>();
  /** Call before a faulted run: safe() then judges only what happened since. */
  const mark = async () => {
    inactiveBefore = await inactiveNow();
  };

  /**
   * No duplicate at any moment (faults or not), and no wrong deactivation: nothing deactivated since mark() while
   * Atera still has the device. (A device deleted and restored stays inactive until the next complete read: that
   * is late, not wrong.)
   */
  const safe = async () => {
    const v = await checkInvariants(t.ctx.db, s(), {
      checkCloses: false,
      checkOpenTickets: false,
      importedTypes: TYPES,
    });
    figures.duplicates += v.duplicates.length;
    expect(v.duplicates).toEqual([]);
    const present = new Set(importable().map((a) => String(a.AgentID)));
    const wrong = [...(await inactiveNow())].filter((id) => !inactiveBefore.has(id) && present.has(id));
    figures.wrongDeactivations += wrong.length;
    expect(wrong, 'deactivated while still in Atera').toEqual([]);
    await mark();
  };

  /** Devices a run did not import on purpose (matching-field conflicts, skips): not expected as assets. */
  const notImported = async (runId: number) => {
    const out = new Set<string>();
    for (const action of ['conflict', 'skip', 'error']) {
      const r = await t.call(
        'GET',
        `/api/Integration/Atera/Runs/${runId}/Changes?action=${action}&entity=asset&page_size=500`,
      );
      for (const c of r.body.changes ?? []) if (c.external_id) out.add(c.external_id);
    }
    return out;
  };

  /** Faults off, one good sync and poll (and outbox): Keel must then match Atera exactly. */
  const settle = async () => {
    s().state.faults.reset();
    const r = await sync();
    expect(r.status, JSON.stringify(r)).toBe('succeeded');
    const p = await poll();
    expect(p.status, JSON.stringify(p)).toBe('succeeded');
    await drainOutbox();
    const v = await checkInvariants(t.ctx.db, s(), { importedTypes: TYPES });
    figures.duplicates += v.duplicates.length;
    figures.wrongDeactivations += v.wrongDeactivations.length;
    figures.lostCloses += v.lostCloses.length;
    expect(v).toEqual({ duplicates: [], wrongDeactivations: [], lostCloses: [], openAgainstResolved: [] });
    const skipped = await notImported(r.id);
    const present = new Set(importable().map((a) => String(a.AgentID)));
    const active = await activeAssets();
    expect(
      [...active].filter((id) => !present.has(id)),
      'active assets whose device is gone',
    ).toEqual([]);
    expect(
      [...present].filter((id) => !active.has(id) && !skipped.has(id)),
      'devices without an active asset',
    ).toEqual([]);
    const clients = await t.ctx.db.selectFrom('client').select('ateraid').execute();
    expect(clients.map((c) => c.ateraid).sort()).toEqual(
      s()
        .state.listCustomers({})
        .map((c) => c.CustomerID)
        .sort(),
    );
    // Every open alert in Atera has its ticket.
    const open = s()
      .state.listAlerts({ status: 'Open' })
      .map((a) => a.AlertID);
    const known = await t.ctx.db
      .selectFrom('atera_alert')
      .select(['alert_id', 'ticket_id'])
      .where('alert_id', 'in', open.length ? open : [-1])
      .execute();
    expect(
      known
        .filter((k) => k.ticket_id !== null)
        .map((k) => k.alert_id)
        .sort(),
    ).toEqual([...open].sort());
  };

  /** Deletes a few devices in Atera: a complete read must deactivate exactly these, an incomplete one none. */
  const deleteSome = (n: number) => {
    const victims = importable().slice(-n);
    for (const v of victims) s().state.deleteAgent(v.AgentID);
    return victims;
  };

  it(
    '429 storms: a short one is waited out, an endless one fails the run as atera_rate_limited and deactivates nothing',
    async () => {
      const gone = deleteSome(2);
      inject({ kind: 'rate-limit-storm', path: '/api/v3/agents', retryAfterSeconds: 1, durationMs: 1200 });
      const ok = await sync();
      expectClassified(ok);
      expect(ok.status).toBe('succeeded');
      expect(ok.counts.deactivated).toBe(2);
      for (const g of gone) s().state.addAgent({ ...g, CustomerID: g.CustomerID! });
      inject({ kind: 'rate-limit-storm', path: '/api/v3/agents', retryAfterSeconds: 1 });
      const stormy = await sync();
      expectClassified(stormy);
      expect(stormy.error_code).toBe('atera_rate_limited');
      await safe();
      s().state.faults.reset();
      inject({ kind: 'rate-limit-storm', path: '/api/v3/alerts', retryAfterSeconds: 1 });
      const p = await poll();
      expectClassified(p);
      expect(p.error_code).toBe('atera_rate_limited');
      await settle();
    },
    TEST_TIMEOUT,
  );

  it(
    '20 % random 5xx on every call: each run finishes or fails classified, and Keel converges',
    async () => {
      for (const status of [500, 502, 503]) inject({ kind: 'error', status, path: '/api/v3/', probability: 0.2 / 3 });
      const rounds = LONG ? 12 : 4;
      for (let i = 0; i < rounds; i++) {
        s().state.churn({ move: 3, remove: 2, add: 3 });
        const open = s().state.listAlerts({ status: 'Open' });
        for (const a of open.slice(0, 2)) s().state.resolveAlert(a.AlertID);
        for (const a of importable().slice(i * 3, i * 3 + 3))
          s().state.raiseAlert({ AgentID: a.AgentID, Severity: 'Critical' });
        expectClassified(await sync());
        await safe();
        expectClassified(await poll());
        await safe();
        // Close one ticket in Keel: its resolve goes out through the 5xx weather.
        const ticket = (await t.call('GET', '/api/Tickets?isalert=true&open_only=true')).body.tickets?.[0];
        if (ticket) {
          const closed = (await t.call('GET', '/api/Status')).body.find((x: any) => x.type === 1);
          expect(
            (await t.call('POST', '/api/Tickets', [{ id: ticket.id, status_id: closed.id }], t.techToken)).status,
          ).toBe(200);
        }
        await drainOutbox();
      }
      await settle();
    },
    TEST_TIMEOUT,
  );

  it(
    'latency spikes past the timeout: retried; latency that never ends fails the run as atera_temporary',
    async () => {
      const gone = deleteSome(1);
      inject({ kind: 'latency', path: '/api/v3/agents', ms: 1500, times: 2 });
      const ok = await sync();
      expectClassified(ok);
      expect(ok.status).toBe('succeeded');
      expect(ok.counts.deactivated).toBe(1);
      for (const g of gone) s().state.addAgent({ ...g, CustomerID: g.CustomerID! });
      deleteSome(1);
      inject({ kind: 'latency', path: '/api/v3/agents', ms: 1500 });
      const slow = await sync();
      expectClassified(slow);
      expect(slow.error_code).toBe('atera_temporary');
      await safe();
      s().state.faults.reset();
      inject({ kind: 'latency', method: 'GET', path: '/api/v3/alerts/', ms: 1500, times: 3 });
      for (const a of s().state.listAlerts({ status: 'Open' }).slice(0, 3)) s().state.resolveAlert(a.AlertID);
      expectClassified(await poll());
      await settle();
    },
    TEST_TIMEOUT,
  );

  it(
    'dropped connections, before the answer and mid-body: retried, nothing half-read is used',
    async () => {
      deleteSome(2);
      inject({ kind: 'drop-connection', path: '/api/v3/agents', stage: 'before-response', probability: 0.3 });
      inject({ kind: 'drop-connection', path: '/api/v3/customers', stage: 'mid-body', probability: 0.5 });
      inject({ kind: 'drop-connection', path: '/api/v3/alerts', stage: 'mid-body', probability: 0.3 });
      for (let i = 0; i < 3; i++) {
        const r = await sync();
        expectClassified(r);
        await safe();
        expectClassified(await poll());
        await safe();
      }
      // A resolve whose answer is lost mid-body: Atera did it; the retry must not leave Keel thinking otherwise.
      const ticket = (await t.call('GET', '/api/Tickets?isalert=true&open_only=true')).body.tickets?.[0];
      s().state.faults.reset();
      inject({ kind: 'drop-connection', method: 'PUT', path: '/api/v3/alerts/', stage: 'before-response', times: 1 });
      const closed = (await t.call('GET', '/api/Status')).body.find((x: any) => x.type === 1);
      expect(
        (await t.call('POST', '/api/Tickets', [{ id: ticket.id, status_id: closed.id }], t.techToken)).status,
      ).toBe(200);
      await drainOutbox();
      await settle();
    },
    TEST_TIMEOUT,
  );

  it(
    'malformed records are rejected and reported, never taken as deleted devices',
    async () => {
      const baseline = await activeAssets();
      const gone = deleteSome(1);
      inject({ kind: 'malformed-records', path: '/api/v3/agents', every: 7 });
      inject({ kind: 'malformed-records', path: '/api/v3/customers', every: 4 });
      const r = await sync();
      expectClassified(r);
      expect(r.counts.errors).toBeGreaterThan(0);
      // The bad records are still Atera's devices: only the really deleted one may go.
      const active = await activeAssets();
      expect([...baseline].filter((id) => !active.has(id))).toEqual([String(gone[0]!.AgentID)]);
      await safe();
      inject({ kind: 'malformed-records', path: '/api/v3/alerts', every: 3 });
      for (const a of s().state.listAlerts({ status: 'Open' }).slice(0, 4)) s().state.resolveAlert(a.AlertID);
      expectClassified(await poll());
      await safe();
      await settle();
    },
    TEST_TIMEOUT,
  );

  it(
    'a non-JSON page (HTML error page, JSON cut in half) fails the read as atera_bad_data; nothing deactivated',
    async () => {
      for (const body of ['html', 'truncated-json'] as const) {
        deleteSome(1);
        const id = inject({ kind: 'non-json', path: '/api/v3/agents', page: 2, body });
        const r = await sync();
        expectClassified(r);
        expect(r.error_code, JSON.stringify(r)).toBe('atera_bad_data');
        await safe();
        s().state.faults.remove(id);
      }
      inject({ kind: 'non-json', path: '/api/v3/alerts', body: 'html' });
      const p = await poll();
      expectClassified(p);
      expect(p.error_code).toBe('atera_bad_data');
      await settle();
    },
    TEST_TIMEOUT,
  );

  it(
    'a truncated list is an incomplete read: deactivation is skipped and the run says why',
    async () => {
      const gone = deleteSome(2);
      inject({ kind: 'truncate-last-page', path: '/api/v3/agents', missing: 3 });
      const r = await sync();
      expectClassified(r);
      expect(r.counts.deactivated).toBe(0);
      expect(String(r.summary.deactivation)).toMatch(/not complete/);
      outcomes.incomplete_reads_held!++;
      const active = await activeAssets();
      for (const g of gone) expect(active.has(String(g.AgentID))).toBe(true);
      await safe();
      // A truncated open-alert list: the missing alerts are looked up one by one, their tickets stay open.
      s().state.faults.reset();
      inject({ kind: 'truncate-last-page', path: '/api/v3/alerts', missing: 2 });
      const p = await poll();
      expectClassified(p);
      const v = await checkInvariants(t.ctx.db, s(), { checkCloses: false, importedTypes: TYPES });
      expect(v.openAgainstResolved).toEqual([]);
      const openTickets = (await t.call('GET', '/api/Tickets?isalert=true&open_only=true')).body.record_count;
      expect(openTickets).toBe(s().state.listAlerts({ status: 'Open' }).length);
      await settle();
    },
    TEST_TIMEOUT,
  );

  it(
    'an API key revoked mid-run fails the run as atera_auth; nothing deactivated; the next good run converges',
    async () => {
      // Slow enough to revoke between the first and the last page of agents.
      await settings({ atera_requests_per_minute: 120 });
      deleteSome(2);
      s().state.clearCalls();
      await mark();
      const started = await t.call('POST', '/api/Integration/Atera/Sync', {});
      expect(started.status).toBe(202);
      for (let i = 0; i < 200 && s().state.callLog({ path: '/api/v3/agents' }).length === 0; i++) await sleep(20);
      expect(s().state.callLog({ path: '/api/v3/agents' }).length).toBeGreaterThan(0);
      inject({ kind: 'error', status: 401 });
      let run: any;
      for (let i = 0; i < 300; i++) {
        run = (await t.call('GET', `/api/Integration/Atera/Runs/${started.body.id}`)).body;
        if (!['queued', 'running'].includes(run.status)) break;
        await sleep(50);
      }
      figures.runs++;
      expectClassified(run);
      expect(run.error_code, JSON.stringify(run)).toBe('atera_auth');
      await safe();
      // The same mid-poll: tickets untouched, the next good poll converges.
      for (const a of s().state.listAlerts({ status: 'Open' }).slice(0, 3)) s().state.resolveAlert(a.AlertID);
      const p = await poll();
      expectClassified(p);
      expect(p.error_code).toBe('atera_auth');
      await settings({ atera_requests_per_minute: 100_000 });
      await settle();
    },
    TEST_TIMEOUT,
  );

  it(
    'an alert list that shifts while it is read (an alert resolved between two pages) is read again: no new alert is skipped',
    async () => {
      // One page of open alerts so far (the client remembers one page); 50 new ones make two.
      for (const a of importable().slice(20, 70))
        s().state.raiseAlert({ AgentID: a.AgentID, Severity: 'Warning', Code: 900 });
      inject({ kind: 'latency', method: 'GET', path: '/api/v3/alerts', ms: 300 });
      s().state.clearCalls();
      const started = await t.call('POST', '/api/Integration/Atera/PollAlerts', undefined);
      expect(started.status).toBe(202);
      const page1 = () =>
        s()
          .state.callLog({ path: '/api/v3/alerts' })
          .some((c) => c.query.page === '1' && c.query.alertStatus === 'Open' && c.status === 200);
      for (let i = 0; i < 1000 && !page1(); i++) await sleep(2);
      expect(page1()).toBe(true);
      // Page 2 is being answered 300 ms from now: resolving an alert of page 1 shifts it by one record.
      const first = s().state.listAlerts({ status: 'Open' })[0]!;
      s().state.resolveAlert(first.AlertID);
      let run: any;
      for (let i = 0; i < 400; i++) {
        run = (await t.call('GET', `/api/Integration/Atera/Runs/${started.body.id}`)).body;
        if (!['queued', 'running'].includes(run.status)) break;
        await sleep(50);
      }
      figures.runs++;
      expectClassified(run);
      const open = s()
        .state.listAlerts({ status: 'Open' })
        .map((a) => a.AlertID);
      const withTicket = await t.ctx.db
        .selectFrom('atera_alert')
        .select('alert_id')
        .where('alert_id', 'in', open)
        .where('ticket_id', 'is not', null)
        .execute();
      expect(
        open.filter((id) => !withTicket.some((w) => w.alert_id === id)),
        'open alerts the poll skipped',
      ).toEqual([]);
      await settle();
    },
    TEST_TIMEOUT,
  );

  it(
    'alerts resolved and re-raised between polls, snoozed and back: one ticket per alert, none left open',
    async () => {
      for (const dedupe of [false, true]) {
        await settings({ atera_alert_dedupe: dedupe });
        const open = s().state.listAlerts({ status: 'Open' }).slice(0, 4);
        for (const a of open) {
          s().state.resolveAlert(a.AlertID);
          s().state.raiseAlert({
            AgentID: a.AgentId!,
            Code: a.Code,
            Title: a.Title,
            Severity: a.Severity,
            AlertCategoryID: a.AlertCategoryID,
          });
        }
        const snoozed = s().state.listAlerts({ status: 'Open' }).slice(-2);
        for (const a of snoozed) s().state.snoozeAlert(a.AlertID, { minutes: 60 });
        expectClassified(await poll());
        await safe();
        for (const a of snoozed) s().state.snoozeAlert(a.AlertID, { until: new Date(Date.now() - 60_000) });
        expectClassified(await poll());
        await settle();
      }
    },
    TEST_TIMEOUT,
  );

  it(
    'agents deleted and restored: deactivated, then reactivated as the same asset; a held mass deletion is not applied to devices that came back',
    async () => {
      const before = await t.ctx.db.selectFrom('asset').select(['id', 'atera_id']).execute();
      const gone = deleteSome(4);
      const r = await sync();
      expect(r.counts.deactivated).toBe(4);
      expectClassified(await poll());
      await drainOutbox();
      for (const g of gone) s().state.addAgent({ ...g, CustomerID: g.CustomerID! });
      const back = await sync();
      expect(back.counts.reactivated).toBe(4);
      const after = await t.ctx.db.selectFrom('asset').select(['id', 'atera_id']).execute();
      expect(after.map((a) => `${a.id}:${a.atera_id}`).sort()).toEqual(
        before.map((a) => `${a.id}:${a.atera_id}`).sort(),
      );
      // A mass deletion waits for confirmation; the devices come back before anyone confirms.
      const many = deleteSome(40);
      const held = await sync({ entities: ['assets'] });
      expect(held.status).toBe('needs_confirmation');
      for (const g of many) s().state.addAgent({ ...g, CustomerID: g.CustomerID! });
      const later = await sync({ entities: ['assets'] });
      expect(later.status).toBe('succeeded');
      // Confirming the old held run now would deactivate 40 devices Atera has again: refused.
      const confirm = await t.call('POST', `/api/Integration/Atera/Runs/${held.id}/Confirm`);
      expect(confirm.status, JSON.stringify(confirm.body)).toBe(409);
      await safe();
      await settle();
    },
    TEST_TIMEOUT,
  );
});
