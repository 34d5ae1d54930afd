/**
 * Issue 6, scale-out: 5,000 queued outbound alert resolves against a simulator answering in 50 ms,
 * worked by one and then by two `keel worker` processes on one PostgreSQL database. Reports the
 * time of each, their ratio, and how many alerts got more than one resolve call (no job run twice).
 */
import { startAteraSim } from '../src/atera-sim/index.js';
import { saveAteraSettings } from '../src/integrations/atera/settings/settings.js';
import { benchContext } from './children/setup.js';
import { freshPgDatabase } from './lib/pg.js';
import { startWorkers } from './lib/workers.js';

async function drainWith(
  workers: number,
  jobs: number,
): Promise<{ workers: number; ms: number; calls: number; alerts_called_more_than_once: number }> {
  const sim = await startAteraSim({
    seed: 3,
    customers: 5,
    agents: 50,
    alerts: 0,
    requestsPerMinute: null,
    logCalls: true,
  });
  const db = await freshPgDatabase('keel_bench_scale');
  try {
    const agents = sim.state.listAgents({});
    const ids = Array.from({ length: jobs }, (_, i) =>
      sim.state.raiseAlert({ AgentID: agents[i % agents.length]!.AgentID, Title: `bench ${i}`, Severity: 'Warning' }),
    );
    sim.state.faults.add({ kind: 'latency', ms: 50, method: 'PUT' });
    const ctx = await benchContext(db.url);
    await saveAteraSettings(ctx, {
      atera_enabled: true,
      atera_url: sim.url,
      atera_apikey: sim.apiKey,
      atera_requests_per_minute: 100_000,
      halointegrator_atera: true,
      halointegrator_atera_entities: [],
    });
    const pool = await startWorkers(workers, db.url);
    sim.state.clearCalls();
    const t = performance.now();
    for (let i = 0; i < ids.length; i += 1000) {
      const chunk = ids.slice(i, i + 1000);
      await ctx.db
        .insertInto('atera_alert')
        .values(chunk.map((alert_id) => ({ alert_id, state: 'open' as const, disposition: 'recorded' as const })))
        .execute();
      await ctx.db
        .insertInto('alert_outbox')
        .values(chunk.map((alert_id) => ({ alert_id, action: 'resolve' as const })))
        .execute();
    }
    for (;;) {
      const left = await ctx.db
        .selectFrom('alert_outbox')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '<>', 'done')
        .executeTakeFirstOrThrow();
      if (left.n === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const ms = performance.now() - t;
    await pool.stop();
    const puts = sim.state.callLog({ method: 'PUT' });
    const per = new Map<string, number>();
    for (const c of puts) per.set(c.path, (per.get(c.path) ?? 0) + 1);
    await ctx.database.close();
    return {
      workers,
      ms: Math.round(ms),
      calls: puts.length,
      alerts_called_more_than_once: [...per.values()].filter((n) => n > 1).length,
    };
  } finally {
    await sim.close();
    await db.drop();
  }
}

export async function runScaleoutBench(opts: { quick?: boolean } = {}): Promise<object> {
  const jobs = opts.quick ? 1_000 : 5_000;
  const one = await drainWith(1, jobs);
  const two = await drainWith(2, jobs);
  return {
    config: { jobs, atera_latency_ms: 50, database: 'postgresql' },
    one_worker: one,
    two_workers: two,
    two_over_one: Number((two.ms / one.ms).toFixed(2)),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await runScaleoutBench({ quick: process.argv.includes('--quick') }), null, 2));
}
