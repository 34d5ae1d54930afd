/**
 * Issue 6: a full Integrator sync (customers + assets) against a rate-limited simulator, compared with
 * the floor the budget allows (requests / allowed requests per second); then a sync with nothing
 * changed, counting the writes to Keel's records. Prints one JSON line.
 */
import { executeRun } from '../../src/integrations/atera/operations.js';
import { ateraClientFor, INTEGRATION, saveAteraSettings } from '../../src/integrations/atera/settings/settings.js';
import { createRun, getRun } from '../../src/sync/runs.js';
import { benchContext, writeCounter } from './setup.js';

const arg = JSON.parse(process.argv[2] ?? '{}') as { url: string; apiKey: string; databaseUrl?: string; rpm: number };
const writes = writeCounter();
const ctx = await benchContext(arg.databaseUrl, writes.observer);
await saveAteraSettings(ctx, {
  atera_enabled: true,
  atera_url: arg.url,
  atera_apikey: arg.apiKey,
  atera_requests_per_minute: arg.rpm,
  halointegrator_atera: true,
  atera_delete_devices: true,
});

const sync = async () => {
  const client = await ateraClientFor(ctx);
  const before = client.stats().requests;
  const id = await createRun(ctx.db, {
    integration: INTEGRATION,
    kind: 'sync',
    dry_run: false,
    started_by: 'bench',
    options: { entities: ['customers', 'assets'] },
  });
  writes.reset();
  const t = performance.now();
  await executeRun(ctx, id, client);
  const ms = performance.now() - t;
  const run = await getRun(ctx.db, id);
  if (run.status !== 'succeeded') throw new Error(`sync ${run.status}: ${run.error}`);
  const requests = client.stats().requests - before;
  const floorMs = (requests / (arg.rpm / 60)) * 1000;
  return {
    ms: Math.round(ms),
    requests,
    floor_ms: Math.round(floorMs),
    ratio_to_floor: Number((ms / floorMs).toFixed(3)),
    counts: run.counts,
    record_writes: writes.total(['client', 'site', 'asset', 'sync_link', 'asset_type', 'users']),
  };
};
const first = await sync();
const second = await sync();
console.log(JSON.stringify({ rpm: arg.rpm, first_sync: first, unchanged_sync: second }));
await ctx.database.close();
process.exit(0);
