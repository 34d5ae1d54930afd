/**
 * Issue 6: a full daily sync against the reference's working rate limit (a proportionally scaled
 * budget: 7,000 requests/minute in both the simulator and Keel), measured against the floor the
 * budget allows for the pages it must read; and a sync with nothing changed, which writes nothing.
 */
import { runChild, startSimProcess } from './lib/measure.js';
import { freshPgDatabase } from './lib/pg.js';

export async function runSyncBench(opts: { quick?: boolean } = {}): Promise<object> {
  const agents = opts.quick ? 10_000 : 100_000;
  const rpm = 7_000;
  const sim = await startSimProcess([
    '--rpm',
    String(rpm),
    '--customers',
    String(agents / 20),
    '--agents',
    String(agents),
    '--alerts',
    '0',
    '--no-log',
    '--warm',
  ]);
  const db = await freshPgDatabase('keel_bench_sync');
  try {
    const postgres = await runChild('bench/children/sync-child.ts', {
      url: sim.url,
      apiKey: sim.apiKey,
      rpm,
      databaseUrl: db.url,
    });
    return {
      config: {
        agents,
        customers: agents / 20,
        requests_per_minute: rpm,
        note: '700/min scaled by 10 (the ratio is what counts)',
        database: 'postgresql',
      },
      postgres,
    };
  } finally {
    sim.stop();
    await db.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await runSyncBench({ quick: process.argv.includes('--quick') }), null, 2));
}
