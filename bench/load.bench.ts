/**
 * Issue 9, load: 100,000 assets and 10,000 open alert tickets in PostgreSQL; 20 concurrent API clients
 * list and update for 60 s against a real `keel serve` process while a sync and an alert poll run.
 * Reports p50/p95/p99 per operation, errors, and whether the sync's results were unchanged by the load.
 */
import { spawn } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { startAteraSim } from '../src/atera-sim/index.js';
import { createApplication } from '../src/auth/accounts.js';
import { executeAlertPoll } from '../src/integrations/atera/alerts/run.js';
import { executeRun } from '../src/integrations/atera/operations.js';
import { INTEGRATION, saveAteraSettings } from '../src/integrations/atera/settings/settings.js';
import { createRun, getRun } from '../src/sync/runs.js';
import { benchContext } from './children/setup.js';
import { percentile } from './lib/measure.js';
import { freshPgDatabase } from './lib/pg.js';
import { startWorkers } from './lib/workers.js';

export async function runLoadBench(opts: { quick?: boolean } = {}): Promise<object> {
  const agents = opts.quick ? 10_000 : 100_000;
  const alerts = opts.quick ? 1_000 : 10_000;
  const seconds = opts.quick ? 15 : 60;
  const clients = 20;
  const sim = await startAteraSim({
    seed: 21,
    customers: agents / 20,
    agents,
    alerts: 0,
    requestsPerMinute: null,
    logCalls: false,
  });
  const db = await freshPgDatabase('keel_bench_load');
  const ctx = await benchContext(db.url);
  let server: ReturnType<typeof spawn> | undefined;
  let workers: { stop(): Promise<void> } | undefined;
  try {
    await saveAteraSettings(ctx, {
      atera_enabled: true,
      atera_url: sim.url,
      atera_apikey: sim.apiKey,
      atera_requests_per_minute: 1_000_000,
      atera_enable_alerting: true,
      atera_devicetypes: ['Work Station', 'Server', 'Domain Controller', 'Mac', 'Linux'],
    });
    const setup = await createRun(ctx.db, {
      integration: INTEGRATION,
      kind: 'sync',
      dry_run: false,
      started_by: 'bench',
      options: { entities: ['customers', 'assets'] },
    });
    await executeRun(ctx, setup);
    const withType = sim.state.listAgents({}).filter((a) => a.OSType);
    for (let i = 0; i < alerts; i++)
      sim.state.raiseAlert({
        AgentID: withType[i % withType.length]!.AgentID,
        Title: `Load ${i}`,
        Severity: 'Warning',
        Code: i,
      });
    await executeAlertPoll(ctx, { startedBy: 'bench' });
    const assetCount = (
      await ctx.db
        .selectFrom('asset')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;
    const ticketCount = (
      await ctx.db
        .selectFrom('ticket')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('dateclosed', 'is', null)
        .executeTakeFirstOrThrow()
    ).n;
    await ctx.db.selectFrom('asset').select('id').limit(1).execute();
    const app = await createApplication(ctx.db, 'load', 'admin');

    const port = 18700 + Math.floor(Math.random() * 200);
    // KEEL_BENCH_SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the API server alone.
    const serverArgs = process.env.KEEL_BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    server = spawn(process.execPath, [...serverArgs, '--import', 'tsx', 'src/cli/main.ts', 'serve', '--no-worker'], {
      env: { ...process.env, DATABASE_URL: db.url, KEEL_SECRET_KEY: 'bench', PORT: String(port), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      server!.stdout!.on('data', (d) => String(d).includes('Keel is running') && resolve());
      server!.on('exit', (c) => reject(new Error(`server exited ${c}`)));
    });
    // Jobs (the sync and the poll) run in a separate worker process, as a production deployment would.
    workers = await startWorkers(1, db.url);
    const base = `http://127.0.0.1:${port}`;
    const tok = (await (
      await fetch(`${base}/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          grant_type: 'client_credentials',
          client_id: app.client_id,
          client_secret: app.client_secret,
        }),
      })
    ).json()) as { access_token: string };
    const headers = { authorization: `Bearer ${tok.access_token}`, 'content-type': 'application/json' };
    const assetIds = (await ctx.db.selectFrom('asset').select('id').execute()).map((r) => r.id);
    const ticketIds = (await ctx.db.selectFrom('ticket').select('id').execute()).map((r) => r.id);
    const clientIds = (await ctx.db.selectFrom('client').select('id').execute()).map((r) => r.id);
    // A sync and an alert poll run during the load, through the server like an admin would start them.
    const syncStarted = (await (
      await fetch(`${base}/api/Integration/Atera/Sync`, { method: 'POST', headers, body: JSON.stringify({}) })
    ).json()) as { id: number };
    const pollStarted = (await (
      await fetch(`${base}/api/Integration/Atera/PollAlerts`, { method: 'POST', headers, body: '{}' })
    ).json()) as { id: number };
    // The clients run on a thread of their own (see load-clients.mjs): the simulator serving the sync shares
    // this one.
    const load = new Worker(new URL('./lib/load-clients.mjs', import.meta.url), {
      workerData: { base, headers, seconds, clients, assetCount, ticketCount, assetIds, ticketIds, clientIds },
    });
    const { lat, errors } = await new Promise<{ lat: Record<string, number[]>; errors: Record<string, number> }>(
      (resolve, reject) => {
        load.once('message', resolve);
        load.once('error', reject);
      },
    );
    const names = Object.keys(lat);
    const finished = async (id: number) => {
      for (;;) {
        const r = await getRun(ctx.db, id);
        if (['succeeded', 'failed', 'needs_confirmation'].includes(r.status)) return r;
        await new Promise((res) => setTimeout(res, 500));
      }
    };
    const sync = await finished(syncStarted.id);
    const poll = await finished(pollStarted.id);
    const stats = Object.fromEntries(
      names.map((n) => [
        n,
        {
          requests: lat[n]!.length,
          p50: Math.round(percentile(lat[n]!, 50)),
          p95: Math.round(percentile(lat[n]!, 95)),
          p99: Math.round(percentile(lat[n]!, 99)),
        },
      ]),
    );
    const lists = [...lat.list_assets!, ...lat.list_assets_by_client!, ...lat.list_open_tickets!];
    return {
      config: {
        assets: assetCount,
        open_alert_tickets: ticketCount,
        clients,
        seconds,
        database: 'postgresql',
        server: 'keel serve --no-worker + one keel worker process',
      },
      operations: stats,
      all_lists_ms: {
        p50: Math.round(percentile(lists, 50)),
        p95: Math.round(percentile(lists, 95)),
        p99: Math.round(percentile(lists, 99)),
      },
      goal_list_p95_under_ms: 100,
      errors,
      error_count: Object.values(errors).reduce((a, b) => a + b, 0),
      sync_during_load: {
        status: sync.status,
        counts: sync.counts,
        unchanged_by_load: sync.counts.created === 0 && sync.counts.updated === 0 && sync.counts.deactivated === 0,
      },
      poll_during_load: { status: poll.status, counts: poll.counts },
    };
  } finally {
    server?.kill('SIGTERM');
    await workers?.stop();
    await new Promise((r) => setTimeout(r, 1500));
    await ctx.database.close();
    await sim.close();
    await db.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await runLoadBench({ quick: process.argv.includes('--quick') }), null, 2));
}
