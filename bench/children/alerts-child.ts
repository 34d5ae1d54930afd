/**
 * Issue 7: the first poll of 10,000 open alerts (tickets per second), then a steady-state poll with
 * nothing changed: its writes (should be none) and its time against only reading the alert pages.
 */
import { startAteraSim } from '../../src/atera-sim/index.js';
import { executeAlertPoll } from '../../src/integrations/atera/alerts/run.js';
import { executeRun } from '../../src/integrations/atera/operations.js';
import { ateraClientFor, INTEGRATION, saveAteraSettings } from '../../src/integrations/atera/settings/settings.js';
import { createRun, getRun } from '../../src/sync/runs.js';
import { benchContext, writeCounter } from './setup.js';

const arg = JSON.parse(process.argv[2] ?? '{}') as { databaseUrl?: string; alerts: number };
const sim = await startAteraSim({
  seed: 9,
  customers: 100,
  agents: 2000,
  alerts: 0,
  requestsPerMinute: null,
  logCalls: false,
});
const agents = sim.state.listAgents({}).filter((a) => a.OSType);
const severities = ['Information', 'Warning', 'Critical'] as const;
for (let i = 0; i < arg.alerts; i++)
  sim.state.raiseAlert({
    AgentID: agents[i % agents.length]!.AgentID,
    Title: `Bench alert ${i}`,
    Severity: severities[i % 3],
    Code: i,
  });
const writes = writeCounter();
const ctx = await benchContext(arg.databaseUrl, writes.observer);
await saveAteraSettings(ctx, {
  atera_enabled: true,
  atera_url: sim.url,
  atera_apikey: sim.apiKey,
  atera_requests_per_minute: 1_000_000,
  atera_enable_alerting: true,
});
const sync = await createRun(ctx.db, {
  integration: INTEGRATION,
  kind: 'sync',
  dry_run: false,
  started_by: 'bench',
  options: { entities: ['customers', 'assets'] },
});
await executeRun(ctx, sync);

const poll = async () => {
  writes.reset();
  const t = performance.now();
  const runId = await executeAlertPoll(ctx, { startedBy: 'bench' });
  const ms = performance.now() - t;
  const run = runId ? await getRun(ctx.db, runId) : null;
  if (run && run.status !== 'succeeded') throw new Error(`poll ${run.status}: ${run.error}`);
  const total = [...writes.counts.values()].reduce((a, b) => a + b, 0);
  return {
    ms: Math.round(ms),
    tickets_created: run?.counts.created ?? 0,
    write_statements: total,
    writes_by_table: Object.fromEntries(writes.counts),
  };
};
const first = await poll();
const steady = await poll();
const client = await ateraClientFor(ctx);
let t = performance.now();
for await (const _ of client.alerts({ status: 'Open' })) void _;
for await (const _ of client.alerts({ status: 'Snoozed' })) void _;
const fetchMs = performance.now() - t;
t = performance.now();
console.log(
  JSON.stringify({
    open_alerts: arg.alerts,
    first_poll: { ...first, tickets_per_s: Math.round(first.tickets_created / (first.ms / 1000)) },
    steady_poll: {
      ...steady,
      fetch_only_ms: Math.round(fetchMs),
      vs_fetch_only: Number((steady.ms / fetchMs).toFixed(2)),
    },
  }),
);
await ctx.database.close();
await sim.close();
process.exit(0);
