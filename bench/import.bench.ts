/**
 * Issue 5: import 100,000 agents of 5,000 customers from the simulator (no rate limit), on PGlite and
 * PostgreSQL side by side, then the same import again with nothing changed. Each Keel runs in its own
 * process (bench/children/import-child.ts) so its RSS is its own; the simulator runs in another one.
 */
import { runChild, startSimProcess } from './lib/measure.js';
import { freshPgDatabase } from './lib/pg.js';

type ChildResult = Record<string, unknown> & { rss_mb: { peak: number } };

async function importAt(agents: number): Promise<{ pglite: ChildResult; postgres: ChildResult }> {
  const sim = await startSimProcess([
    '--rpm',
    'none',
    '--customers',
    String(Math.max(1, Math.round(agents / 20))),
    '--agents',
    String(agents),
    '--alerts',
    '0',
    '--no-log',
    '--warm',
  ]);
  const db = await freshPgDatabase('keel_bench_import');
  try {
    const pglite = await runChild<ChildResult>('bench/children/import-child.ts', {
      url: sim.url,
      apiKey: sim.apiKey,
      agents,
    });
    const postgres = await runChild<ChildResult>('bench/children/import-child.ts', {
      url: sim.url,
      apiKey: sim.apiKey,
      agents,
      databaseUrl: db.url,
    });
    return { pglite, postgres };
  } finally {
    sim.stop();
    await db.drop();
  }
}

export async function runImportBench(opts: { quick?: boolean } = {}): Promise<object> {
  const small = opts.quick ? 2_000 : 10_000;
  const large = opts.quick ? 20_000 : 100_000;
  const a = await importAt(small);
  const b = await importAt(large);
  const growth = (k: 'pglite' | 'postgres') => b[k].rss_mb.peak - a[k].rss_mb.peak;
  return {
    config: { small_agents: small, large_agents: large, customers: 'agents / 20', rate_limit: 'none' },
    [`${small}`]: a,
    [`${large}`]: b,
    goals: {
      postgres_agents_per_s_at_least_5000: b.postgres.first_agents_per_s,
      postgres_peak_rss_under_400_mb: b.postgres.rss_mb.peak,
      rss_growth_mb_small_to_large_under_100: { pglite: growth('pglite'), postgres: growth('postgres') },
      unchanged_second_run_asset_writes_zero: {
        pglite: b.pglite.second_asset_write_statements,
        postgres: b.postgres.second_asset_write_statements,
      },
      // Against the same read in the same warm process (like for like), and against the process's first read.
      unchanged_second_run_vs_fetch_only_at_most_1_2: {
        pglite: b.pglite.second_vs_fetch_only_warm,
        postgres: b.postgres.second_vs_fetch_only_warm,
        vs_first_read_of_the_process: {
          pglite: b.pglite.second_vs_fetch_only,
          postgres: b.postgres.second_vs_fetch_only,
        },
      },
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await runImportBench({ quick: process.argv.includes('--quick') }), null, 2));
}
