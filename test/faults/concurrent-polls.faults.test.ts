import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AteraSim, startAteraSim } from '../../src/atera-sim/index.js';
import { ManualClock } from '../../src/core/clock.js';
import { executeAlertPoll } from '../../src/integrations/atera/alerts/run.js';
import { executeRun } from '../../src/integrations/atera/operations.js';
import { ateraClientFor } from '../../src/integrations/atera/settings/settings.js';
import { createRun, getRun } from '../../src/sync/runs.js';
import {
  bootKeel,
  checkInvariants,
  configureAtera,
  createPgDatabase,
  emptyFigures,
  HOOK_TIMEOUT,
  type Keel,
  type PgDatabase,
  pgReachable,
  reportFigures,
  sleep,
  TEST_TIMEOUT,
} from './harness.js';

/**
 * Issue 7, two pollers at once, with the interleaving forced rather than hoped for: poller 1 saw alert X1, poller 2
 * saw X1 and X2 (same device and condition, raised between the two reads); poller 2 read what Keel knows before
 * poller 1 committed. The table lock below holds both pollers at their insert until both have decided, then lets
 * poller 1 commit first. Poller 2 must not leave X2 "de-duplicated" into a ticket that it did not create.
 */

const PG = await pgReachable();

const figures = emptyFigures();

describe.skipIf(!PG)('two pollers at once, forced interleaving (PostgreSQL)', () => {
  const clock = new ManualClock(new Date(Date.UTC(2026, 5, 1, 8, 0, 0)));
  let one: AteraSim;
  let two: AteraSim;
  let D: PgDatabase;
  let keel: Keel;

  beforeAll(async () => {
    const opts = { seed: 515, customers: 3, agents: 20, alerts: 0, requestsPerMinute: null, clock } as const;
    [one, two] = await Promise.all([startAteraSim(opts), startAteraSim(opts)]);
    D = await createPgDatabase('cpoll');
    keel = await bootKeel(D.url);
    await configureAtera(keel.ctx, one);
    const id = await createRun(keel.ctx.db, {
      integration: 'atera',
      kind: 'sync',
      dry_run: false,
      started_by: 'setup',
      options: {},
    });
    await executeRun(keel.ctx, id);
    expect((await getRun(keel.ctx.db, id)).status).toBe('succeeded');
    await configureAtera(keel.ctx, one, { atera_enable_alerting: true, atera_alert_dedupe: true });
  }, HOOK_TIMEOUT);

  afterAll(async () => {
    await keel?.close();
    await D?.drop();
    await one?.close();
    await two?.close();
    reportFigures('concurrent-polls', figures);
  }, HOOK_TIMEOUT);

  /** Waits until `n` backends of the test database wait for a lock. */
  const waiting = async (n: number) => {
    const admin = new pg.Client({ connectionString: D.url });
    await admin.connect();
    try {
      for (let i = 0; i < 200; i++) {
        const r = await admin.query(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        );
        if (r.rows[0].n >= n) return;
        await sleep(25);
      }
      throw new Error(`${n} pollers did not reach the insert`);
    } finally {
      await admin.end();
    }
  };

  it(
    'an alert de-duplicated into a ticket another poller created joins that ticket (or gets its own): none is lost',
    async () => {
      const agent = one.state.listAgents({}).find((a) => a.OSType)!;
      const alert = {
        AgentID: agent.AgentID,
        Code: 77,
        Title: 'Disk failing',
        Severity: 'Critical',
        AlertCategoryID: 'Hardware',
      } as const;
      // Same ids in both simulators (same seed and operations): simulator two also has the second alert.
      const x1 = one.state.raiseAlert(alert);
      expect(two.state.raiseAlert(alert)).toBe(x1);
      const x2 = two.state.raiseAlert(alert);
      const clientOne = await ateraClientFor(keel.ctx, { baseUrl: one.url });
      const clientTwo = await ateraClientFor(keel.ctx, { baseUrl: two.url });

      const lock = new pg.Client({ connectionString: D.url });
      await lock.connect();
      await lock.query('BEGIN');
      await lock.query('LOCK TABLE atera_alert IN EXCLUSIVE MODE');
      const p1 = executeAlertPoll(keel.ctx, { startedBy: 'poller 1', client: clientOne });
      await waiting(1);
      const p2 = executeAlertPoll(keel.ctx, { startedBy: 'poller 2', client: clientTwo });
      await waiting(2);
      await lock.query('COMMIT');
      await lock.end();
      const [r1, r2] = await Promise.all([p1, p2]);
      for (const id of [r1, r2]) if (id !== null) expect((await getRun(keel.ctx.db, id)).status).toBe('succeeded');

      const rows = await keel.ctx.db
        .selectFrom('atera_alert')
        .select(['alert_id', 'disposition', 'ticket_id'])
        .orderBy('alert_id')
        .execute();
      expect(rows.map((r) => r.alert_id)).toEqual([x1, x2]);
      for (const r of rows) expect(r.ticket_id, `alert ${r.alert_id} (${r.disposition}) has no ticket`).not.toBeNull();
      const tickets = await keel.ctx.db
        .selectFrom('ticket')
        .select(['id', 'atera_alert_id'])
        .where('isalert', '=', true)
        .execute();
      expect(tickets).toHaveLength(1);
      figures.runs += 2;
      const v = await checkInvariants(keel.ctx.db, two, { dedupe: true });
      figures.duplicates += v.duplicates.length;
      expect(v.duplicates).toEqual([]);
    },
    TEST_TIMEOUT,
  );
});
