/**
 * One Keel process for the import benchmark: opens its database (PGlite in a temp dir, or a fresh
 * PostgreSQL database), configures Atera, then measures (1) fetching every agent page only, (2) the
 * customer + asset import, then three times (3) fetching every page again and (4) the same import again with
 * nothing changed, counting SQL writes to the asset table and sampling this process's RSS. Prints one JSON line.
 * (1) is the process's first read, (3) a read in the same warm process as (4): the unchanged run is reported
 * against both (against (3) as the median of the pairs).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createContext } from '../../src/app/context.js';
import { loadConfig } from '../../src/core/config.js';
import { SecretBox } from '../../src/core/crypto.js';
import { silentLogger } from '../../src/core/logger.js';
import { openDatabase } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrator.js';
import { seedDefaults } from '../../src/db/seed.js';
import { executeRun } from '../../src/integrations/atera/operations.js';
import { ateraClientFor, INTEGRATION, saveAteraSettings } from '../../src/integrations/atera/settings/settings.js';
import { createRun, getRun } from '../../src/sync/runs.js';
import { rssSampler } from '../lib/measure.js';

const arg = JSON.parse(process.argv[2] ?? '{}') as {
  url: string;
  apiKey: string;
  databaseUrl?: string;
  agents: number;
};
let assetWrites = 0;
const observer = (sql: string) => {
  if (/^\s*(insert into|update|delete from)\s+"asset"/i.test(sql)) assetWrites++;
};
const rss = rssSampler();
/** Unchanged runs, each right after a fetch-only read of the same pages. */
const UNCHANGED_PAIRS = 3;
const dataDir = mkdtempSync(path.join(tmpdir(), 'keel-bench-'));
const database = await openDatabase(arg.databaseUrl ? { url: arg.databaseUrl, observer } : { dataDir, observer });
await migrate(database.db);
await seedDefaults(database.db);
const ctx = createContext({
  database,
  config: loadConfig({ KEEL_DATA_DIR: dataDir }),
  logger: silentLogger,
  secrets: new SecretBox(Buffer.alloc(32, 7)),
  clock: { now: () => new Date(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
});
await saveAteraSettings(ctx, { atera_enabled: true, atera_url: arg.url, atera_apikey: arg.apiKey });
// Setup (creating the database; on PGlite a worker thread runs initdb and exits) has its own peak; the import's
// figures are sampled from here on, starting from what the process holds once set up.
const setupPeak = rss.stop();
const afterSetup = Math.round(process.memoryUsage().rss / 1e6);
const importRss = rssSampler();

// The shared limiter would pace at Atera's 700/min; this benchmark measures Keel with no rate limit.
const client = await ateraClientFor(ctx, { limiter: undefined, requestsPerMinute: Number.POSITIVE_INFINITY } as never);
const fetchOnly = async (): Promise<{ ms: number; records: number }> => {
  const started = performance.now();
  let records = 0;
  for await (const page of client.agents()) records += page.records.length;
  return { ms: performance.now() - started, records };
};
// The first read of the process (V8 still compiling the read path), as the goal was first measured.
const { ms: fetchMs, records: fetched } = await fetchOnly();

const run = async (kind: 'import_customers' | 'import_assets') => {
  const id = await createRun(database.db, { integration: INTEGRATION, kind, dry_run: false, started_by: 'bench' });
  const started = performance.now();
  await executeRun(ctx, id, client);
  const ms = performance.now() - started;
  const view = await getRun(database.db, id);
  if (view.status !== 'succeeded') throw new Error(`${kind} ${view.status}: ${view.error}`);
  return { ms, counts: view.counts };
};
const customers = await run('import_customers');
assetWrites = 0;
const first = await run('import_assets');
const firstWrites = assetWrites;
const peakAfterFirst = importRss.peakMb();
// The unchanged run against the same read in the same warm process, right before it: the like-for-like
// comparison. Three pairs, alternated, and the medians compared: on a shared machine one pair can be off by 30 %.
const pairs: { fetch_ms: number; unchanged_ms: number }[] = [];
let second: Awaited<ReturnType<typeof run>> | undefined;
let secondWrites = 0;
for (let i = 0; i < UNCHANGED_PAIRS; i++) {
  const { ms: fetchMsWarm } = await fetchOnly();
  assetWrites = 0;
  const unchanged = await run('import_assets');
  secondWrites += assetWrites;
  second ??= unchanged;
  pairs.push({ fetch_ms: Math.round(fetchMsWarm), unchanged_ms: Math.round(unchanged.ms) });
}
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const fetchWarmMs = median(pairs.map((p) => p.fetch_ms));
const unchangedMs = median(pairs.map((p) => p.unchanged_ms));
const peak = importRss.stop();
console.log(
  JSON.stringify({
    agents: fetched,
    fetch_only_ms: Math.round(fetchMs),
    customers_ms: Math.round(customers.ms),
    first_import_ms: Math.round(first.ms),
    first_agents_per_s: Math.round(fetched / (first.ms / 1000)),
    first_counts: first.counts,
    first_asset_write_statements: firstWrites,
    second_import_ms: Math.round(second!.ms),
    second_counts: second!.counts,
    second_asset_write_statements: secondWrites,
    // Medians of the alternated pairs (all unchanged runs together wrote secondWrites asset statements).
    fetch_only_warm_ms: fetchWarmMs,
    unchanged_ms_median: unchangedMs,
    unchanged_pairs: pairs,
    second_vs_fetch_only: Number((second!.ms / fetchMs).toFixed(2)),
    second_vs_fetch_only_warm: Number((unchangedMs / fetchWarmMs).toFixed(2)),
    rss_mb: { peak_during_setup: setupPeak, after_setup: afterSetup, peak_after_first_import: peakAfterFirst, peak },
  }),
);
await database.close();
process.exit(0);
