import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { bootContext } from '../app/boot.js';
import { runAteraSimCli } from '../atera-sim/index.js';
import { loadConfig } from '../core/config.js';
import { createLogger } from '../core/logger.js';
import { executeAlertPoll } from '../integrations/atera/alerts/run.js';
import { executeRun, type RunKind, type SyncEntity } from '../integrations/atera/operations.js';
import { INTEGRATION } from '../integrations/atera/settings/settings.js';
import { createRun, getRun, type RunView } from '../sync/runs.js';
import { runCommand } from './run.js';

/** Prints a run's outcome the same way for every command. */
function summary(run: RunView): string {
  const c = run.counts;
  const lines = [
    `run ${run.id} (${run.kind}${run.dry_run ? ', preview/dry run: nothing written' : ''}): ${run.status}${run.duration_ms !== null ? ` in ${(run.duration_ms / 1000).toFixed(1)} s` : ''}`,
    `  created ${c.created ?? 0}, updated ${c.updated ?? 0}, unchanged ${c.unchanged ?? 0}, skipped ${c.skipped ?? 0}, conflicts ${c.conflicts ?? 0}, errors ${c.errors ?? 0}, deactivated ${c.deactivated ?? 0}, reactivated ${c.reactivated ?? 0}`,
  ];
  if (run.error) lines.push(`  error: ${run.error}`);
  if (run.summary.deactivation) lines.push(`  deactivation: ${String(run.summary.deactivation)}`);
  lines.push(`  details: GET /api/Integration/Atera/Runs/${run.id}/Changes`);
  return lines.join('\n');
}

/**
 * Runs an import/sync in this process with a progress bar fed from the run record. With the
 * embedded database, stop `keel serve` first (one process owns a PGlite data directory); with
 * PostgreSQL it can run beside the server.
 */
async function runWithProgress(kind: RunKind, opts: { preview: boolean; entities?: SyncEntity[] }): Promise<number> {
  const config = loadConfig();
  const ctx = await bootContext(config, createLogger({ level: 'warn' }));
  const runId = await createRun(ctx.db, {
    integration: INTEGRATION,
    kind,
    dry_run: opts.preview,
    started_by: 'cli',
    options: { dry_run: opts.preview, ...(opts.entities ? { entities: opts.entities } : {}) },
  });
  const bar = new SingleBar(
    { format: ' {phase} [{bar}] {percentage}% | {value}/{total} records', hideCursor: true, clearOnComplete: true },
    undefined,
  );
  const interactive = process.stderr.isTTY;
  if (interactive) bar.start(1, 0, { phase: 'starting' });
  const timer = setInterval(async () => {
    const run = await getRun(ctx.db, runId).catch(() => null);
    const p = run?.progress as Record<string, { records?: number; total_records?: number }> | undefined;
    const phase = p?.assets ? 'assets' : p?.contacts ? 'contacts' : p?.customers ? 'customers' : 'starting';
    const cur = p?.[phase];
    if (interactive && cur) {
      bar.setTotal(Math.max(1, cur.total_records ?? 1));
      bar.update(cur.records ?? 0, { phase });
    } else if (!interactive && cur) process.stderr.write(`${phase}: ${cur.records ?? 0}/${cur.total_records ?? '?'}\n`);
  }, 500);
  try {
    await executeRun(ctx, runId);
  } finally {
    clearInterval(timer);
    if (interactive) bar.stop();
  }
  const run = await getRun(ctx.db, runId);
  process.stdout.write(`${summary(run)}\n`);
  await ctx.database.close();
  return run.status === 'failed' ? 7 : 0;
}

export function registerAteraCommands(program: Command): void {
  program
    .command('atera-sim')
    .description('Run the Atera API v3 simulator (prints its URL and API key); --help for its options')
    .allowUnknownOption(true)
    .helpOption(false)
    .argument('[options...]')
    .action((args: string[]) =>
      runCommand(async () => {
        const sim = await runAteraSimCli(args);
        if (!sim) return 0;
        await new Promise<void>((resolve) => {
          process.once('SIGINT', () => resolve());
          process.once('SIGTERM', () => resolve());
        });
        await sim.close();
        return 0;
      }),
    );

  const atera = program
    .command('atera')
    .description('The Atera RMM integration: imports, sync and alert polls from the command line');
  atera
    .command('import-customers')
    .description('Import Customers (guide: "Importing Customers")')
    .option('--preview', 'plan only: report what would change and write nothing')
    .action((o: { preview?: boolean }) =>
      runCommand(() => runWithProgress('import_customers', { preview: Boolean(o.preview) })),
    );
  atera
    .command('import-assets')
    .description('Import Assets (guide: "Import Assets"); --preview is the import preview')
    .option('--preview', 'plan only: report what would change and write nothing')
    .action((o: { preview?: boolean }) =>
      runCommand(() => runWithProgress('import_assets', { preview: Boolean(o.preview) })),
    );
  atera
    .command('import-contacts')
    .description('Import Atera contacts as Users of their linked customers (matched by email, then name)')
    .option('--preview', 'plan only: report what would change and write nothing')
    .action((o: { preview?: boolean }) =>
      runCommand(() => runWithProgress('import_contacts', { preview: Boolean(o.preview) })),
    );
  atera
    .command('sync')
    .description('Run the Integrator sync now (customers and assets, with deactivation when enabled)')
    .option('--dry-run', 'report what the sync would do and write nothing')
    .option('--entities <list>', 'customers,assets', 'customers,assets')
    .action((o: { dryRun?: boolean; entities: string }) =>
      runCommand(async () => {
        const entities = o.entities.split(',').map((e) => e.trim());
        const bad = entities.filter((e) => e !== 'customers' && e !== 'assets');
        if (bad.length) {
          process.stderr.write(`--entities: unknown ${bad.join(', ')} (use customers, assets)\n`);
          return 2;
        }
        return runWithProgress('sync', { preview: Boolean(o.dryRun), entities: entities as SyncEntity[] });
      }),
    );
  atera
    .command('poll-alerts')
    .description('Poll Atera for alerts now (new alerts become tickets; resolved ones close theirs)')
    .action(() =>
      runCommand(async () => {
        const ctx = await bootContext(loadConfig(), createLogger({ level: 'warn' }));
        const runId = await createRun(ctx.db, {
          integration: INTEGRATION,
          kind: 'alerts',
          dry_run: false,
          started_by: 'cli',
        });
        await executeAlertPoll(ctx, { runId, startedBy: 'cli' });
        const run = await getRun(ctx.db, runId);
        process.stdout.write(`${summary(run)}\n`);
        await ctx.database.close();
        return run.status === 'failed' ? 7 : 0;
      }),
    );
}
