/**
 * Issue 7: first-poll tickets/s on PostgreSQL and PGlite with 10,000 open alerts; the steady-state
 * poll; and, with a real `keel worker` polling every 30 s, the delay from raising an alert to its
 * ticket (p95 over 200 alerts) and from closing a ticket to the simulator recording the resolve.
 */
import { startAteraSim } from '../src/atera-sim/index.js';
import { saveAteraSettings } from '../src/integrations/atera/settings/settings.js';
import { defaultClosedStatus } from '../src/psa/tickets/status-change.js';
import { saveTickets } from '../src/psa/tickets/tickets.js';
import { benchContext } from './children/setup.js';
import { percentile, runChild } from './lib/measure.js';
import { freshPgDatabase } from './lib/pg.js';
import { startWorkers } from './lib/workers.js';

async function latency(opts: { alerts: number; spreadMs: number; closes: number }): Promise<object> {
  const sim = await startAteraSim({
    seed: 4,
    customers: 10,
    agents: 200,
    alerts: 0,
    requestsPerMinute: null,
    logCalls: true,
  });
  const db = await freshPgDatabase('keel_bench_latency');
  const ctx = await benchContext(db.url);
  try {
    await saveAteraSettings(ctx, {
      atera_enabled: true,
      atera_url: sim.url,
      atera_apikey: sim.apiKey,
      atera_requests_per_minute: 100_000,
      halointegrator_atera: true,
      halointegrator_atera_entities: ['alerts'],
      atera_schedule_alerts: '30s',
      atera_enable_alerting: true,
    });
    const workers = await startWorkers(1, db.url);
    const agents = sim.state.listAgents({}).filter((a) => a.OSType);
    const raisedAt = new Map<number, number>();
    const start = Date.now();
    for (let i = 0; i < opts.alerts; i++) {
      const due = start + (opts.spreadMs * i) / opts.alerts + Math.random() * (opts.spreadMs / opts.alerts);
      await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
      raisedAt.set(
        sim.state.raiseAlert({
          AgentID: agents[i % agents.length]!.AgentID,
          Title: `Latency ${i}`,
          Severity: 'Warning',
        }),
        Date.now(),
      );
    }
    // Wait for every ticket (at most two intervals after the last alert).
    const deadline = Date.now() + 75_000;
    let tickets: { atera_alert_id: number | null; created_at: string; id: number }[] = [];
    while (Date.now() < deadline) {
      tickets = await ctx.db
        .selectFrom('ticket')
        .select(['id', 'atera_alert_id', 'created_at'])
        .where('isalert', '=', true)
        .execute();
      if (tickets.length >= opts.alerts) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const delays = tickets
      .filter((t) => raisedAt.has(t.atera_alert_id!))
      .map((t) => new Date(t.created_at).getTime() - raisedAt.get(t.atera_alert_id!)!);
    // Close some tickets through the tickets use case, as the API does; the worker mirrors them.
    sim.state.clearCalls();
    const closed = await defaultClosedStatus(ctx.db);
    const closedAt = new Map<number, number>();
    for (const t of tickets.slice(0, opts.closes)) {
      await saveTickets(ctx, [{ id: t.id, status_id: closed.id } as never], {
        kind: 'agent',
        id: null,
        name: 'bench',
        role: 'admin',
      });
      closedAt.set(t.atera_alert_id!, Date.now());
      await new Promise((r) => setTimeout(r, 100));
    }
    const closeDeadline = Date.now() + 30_000;
    let puts = sim.state.callLog({ method: 'PUT' });
    while (Date.now() < closeDeadline && puts.length < closedAt.size) {
      await new Promise((r) => setTimeout(r, 100));
      puts = sim.state.callLog({ method: 'PUT' });
    }
    const closeDelays = puts
      .map((c) => ({ id: Number(c.path.split('/').pop()), at: new Date(c.time).getTime() }))
      .filter((c) => closedAt.has(c.id))
      .map((c) => c.at - closedAt.get(c.id)!);
    await workers.stop();
    return {
      config: {
        poll_interval: '30s',
        alerts: opts.alerts,
        raised_over_ms: opts.spreadMs,
        database: 'postgresql',
        worker: 'keel worker process',
      },
      tickets_found: delays.length,
      raise_to_ticket_ms: { p50: percentile(delays, 50), p95: percentile(delays, 95), max: Math.max(...delays) },
      goal_raise_to_ticket_p95_at_most_ms: 32_000,
      closes: closeDelays.length,
      close_to_atera_resolve_ms: {
        p50: percentile(closeDelays, 50),
        p95: percentile(closeDelays, 95),
        max: Math.max(...closeDelays),
      },
      goal_close_to_resolve_at_most_ms: 5_000,
    };
  } finally {
    await ctx.database.close();
    await sim.close();
    await db.drop();
  }
}

export async function runAlertsBench(opts: { quick?: boolean } = {}): Promise<object> {
  const alerts = opts.quick ? 2_000 : 10_000;
  const db = await freshPgDatabase('keel_bench_alerts');
  try {
    const postgres = await runChild('bench/children/alerts-child.ts', { databaseUrl: db.url, alerts });
    const pglite = await runChild('bench/children/alerts-child.ts', { alerts });
    const lat = await latency(
      opts.quick ? { alerts: 40, spreadMs: 40_000, closes: 10 } : { alerts: 200, spreadMs: 120_000, closes: 50 },
    );
    return { first_and_steady_poll: { postgres, pglite }, latency: lat };
  } finally {
    await db.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await runAlertsBench({ quick: process.argv.includes('--quick') }), null, 2));
}
