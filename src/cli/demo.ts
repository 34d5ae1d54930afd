import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { bootContext } from '../app/boot.js';
import { startRuntime } from '../app/runtime.js';
import { startAteraSim } from '../atera-sim/index.js';
import { ensureAdmin } from '../auth/accounts.js';
import { loadConfig } from '../core/config.js';
import { createLogger } from '../core/logger.js';
import { demoRoutes } from '../demo/routes.js';
import { buildServer } from '../http/server.js';
import { executeAlertPoll } from '../integrations/atera/alerts/run.js';
import { executeRun } from '../integrations/atera/operations.js';
import { INTEGRATION, saveAteraSettings } from '../integrations/atera/settings/settings.js';
import { createRun } from '../sync/runs.js';
import { runCommand } from './run.js';

const DEMO_PASSWORD = 'keel-demo';

/**
 * `keel demo` (npm run demo): a throwaway embedded database, the Atera simulator in-process, the
 * integration configured and run once, a few alerts raised and ticketed; then the server keeps
 * running with the Integrator polling alerts every 30 s, and the UI shows a Simulator panel.
 */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('Start a demo: throwaway database, Atera simulator, integration configured, alerts raised')
    .option('-p, --port <port>', 'port for the UI and API', '8080')
    .action((opts: { port: string }) =>
      runCommand(async () => {
        const dataDir = mkdtempSync(path.join(tmpdir(), 'keel-demo-'));
        const config = loadConfig({
          ...process.env,
          KEEL_DATA_DIR: dataDir,
          PORT: opts.port,
          KEEL_ADMIN_PASSWORD: DEMO_PASSWORD,
          DATABASE_URL: undefined,
        });
        const say = (s: string) => process.stdout.write(`${s}\n`);
        say('Starting the Keel demo (throwaway embedded database; nothing here is kept)...');
        const sim = await startAteraSim({ seed: 42, customers: 12, agents: 300, alerts: 0, requestsPerMinute: null });
        const ctx = await bootContext({ ...config, databaseUrl: undefined }, createLogger({ level: 'warn' }));
        await ensureAdmin(ctx.db, DEMO_PASSWORD);
        const runtime = await startRuntime(ctx, { worker: true });
        await saveAteraSettings(ctx, {
          atera_enabled: true,
          atera_url: sim.url,
          atera_apikey: sim.apiKey,
          halointegrator_atera: true,
          halointegrator_atera_entities: ['customers', 'assets', 'alerts'],
          atera_schedule_alerts: '30s',
          atera_enable_alerting: true,
          atera_delete_devices: true,
        });
        say('Importing customers and devices from the simulated Atera account...');
        const runId = await createRun(ctx.db, {
          integration: INTEGRATION,
          kind: 'sync',
          dry_run: false,
          started_by: 'demo',
          options: { entities: ['customers', 'assets'] },
        });
        await executeRun(ctx, runId);
        const agents = sim.state.listAgents({}).filter((a) => a.OSType);
        const samples: [string, 'Critical' | 'Warning' | 'Information'][] = [
          ['Disk C: less than 5% free', 'Critical'],
          ['CPU above 95% for 15 minutes', 'Warning'],
          ['Windows Update service stopped', 'Warning'],
          ['Backup job failed', 'Critical'],
          ['Antivirus definitions out of date', 'Information'],
        ];
        for (const [i, [title, severity]] of samples.entries()) {
          sim.state.raiseAlert({
            AgentID: agents[(i * 37) % agents.length]!.AgentID,
            Title: title,
            Severity: severity,
          });
        }
        await executeAlertPoll(ctx, { startedBy: 'demo' });
        const app = await buildServer(ctx, { plugins: [demoRoutes(sim)], demo: true });
        const address = await app.listen({ port: config.port, host: config.host });
        say('');
        say(`Keel demo is ready: ${address}`);
        say(`Sign in as "admin" with the password ${DEMO_PASSWORD}`);
        say(`Atera simulator: ${sim.url} (API key ${sim.apiKey}); raise or resolve alerts from the Simulator panel`);
        say('Press Ctrl+C to stop; the demo database is thrown away.');
        await new Promise<void>((resolve) => {
          process.once('SIGINT', () => resolve());
          process.once('SIGTERM', () => resolve());
        });
        await app.close();
        await runtime.stop();
        await ctx.database.close();
        await sim.close();
        return 0;
      }),
    );
}
