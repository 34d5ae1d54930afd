import type { AppContext } from '../../app/context.js';
import { AppError } from '../../core/errors.js';
import { createRun, getRun, RunRecorder, type RunView } from '../../sync/runs.js';
import { importAssets } from './assets/import-assets.js';
import type { AteraClient } from './client/index.js';
import { deactivateMissing } from './deactivation.js';
import { importContacts } from './import-contacts.js';
import { importCustomers } from './import-customers.js';
import { ateraClientFor, INTEGRATION } from './settings/settings.js';

export type RunKind = 'import_customers' | 'import_assets' | 'import_contacts' | 'sync';
export type SyncEntity = 'customers' | 'assets';

export const RUN_QUEUE = 'atera.run';

export interface RunRequest {
  kind: RunKind;
  dry_run: boolean;
  entities?: SyncEntity[];
  startedBy: string;
}

/**
 * Records a run as queued and hands it to the job queue (or, without one, e.g. in a CLI process,
 * starts it in this process). Returns the run id at once; the run record shows progress.
 */
export async function requestRun(ctx: AppContext, req: RunRequest, client?: AteraClient): Promise<number> {
  const runId = await createRun(ctx.db, {
    integration: INTEGRATION,
    kind: req.kind,
    dry_run: req.dry_run,
    started_by: req.startedBy,
    options: { dry_run: req.dry_run, ...(req.entities ? { entities: req.entities } : {}) },
  });
  if (ctx.jobs && !client) {
    await ctx.jobs.send(RUN_QUEUE, { run_id: runId });
  } else {
    void executeRun(ctx, runId, client).catch((e) =>
      ctx.logger.warn({ runId, err: { message: (e as Error).message } }, 'run failed'),
    );
  }
  return runId;
}

const FINISHED = new Set(['succeeded', 'failed', 'needs_confirmation', 'cancelled']);

/** Waits for a run to finish (polling its record), up to `timeoutMs`; returns it either way. */
export async function waitForRun(ctx: AppContext, runId: number, timeoutMs = 15 * 60_000): Promise<RunView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await getRun(ctx.db, runId);
    if (FINISHED.has(run.status) || Date.now() > deadline) return run;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Executes one run (the job handler). Idempotent: a run that already finished is left alone; a run
 * that was interrupted (worker killed) starts over from the top under the same id, and because every
 * write is a keyed upsert guarded by content hashes, the second attempt converges to the same state.
 */
export async function executeRun(ctx: AppContext, runId: number, injected?: AteraClient): Promise<void> {
  const run = await getRun(ctx.db, runId, INTEGRATION);
  if (FINISHED.has(run.status)) return;
  if (run.status === 'running') {
    await ctx.db.deleteFrom('sync_change').where('run_id', '=', runId).execute();
  }
  const recorder = new RunRecorder(ctx.db, runId, () => ctx.clock.now());
  if (run.status === 'running') recorder.summary = { restarted: true };
  await recorder.start();
  try {
    const client = injected ?? (await ateraClientFor(ctx));
    const preview = run.dry_run;
    const entities =
      run.kind === 'sync' ? ((run.options.entities as SyncEntity[] | undefined) ?? ['customers', 'assets']) : [];
    let plannedCustomers: Map<number, string> | undefined;
    if (run.kind === 'import_customers' || entities.includes('customers')) {
      plannedCustomers = (await importCustomers(ctx, client, { preview, recorder })).plannedCreates;
    }
    if (run.kind === 'import_contacts') await importContacts(ctx, client, { preview, recorder });
    if (run.kind === 'import_assets' || entities.includes('assets')) {
      const result = await importAssets(ctx, client, { preview, recorder, plannedCustomers });
      if (run.kind === 'sync') {
        const outcome = await deactivateMissing(ctx, recorder, result, { dryRun: preview });
        if (outcome === 'needs_confirmation') {
          await recorder.finish('needs_confirmation');
          return;
        }
      }
    }
    await recorder.finish('succeeded');
  } catch (e) {
    await recorder.finish('failed', { message: (e as Error | undefined)?.message ?? String(e), code: runErrorCode(e) });
    // Classified Atera errors are recorded, not retried by the queue: the client already retried what was retryable.
    if (!(e instanceof AppError)) throw e;
  }
}

/** Where pg-boss puts a run job whose attempts are all used up (every worker that took it died). */
export const RUN_DEAD_QUEUE = 'atera.run.dead';

/**
 * A run whose job exhausted its retries without finishing (each attempt's worker was killed or lost its database
 * mid-run, so no attempt reached the run's own error handling): recorded as failed instead of staying "running".
 */
export async function abandonRun(ctx: AppContext, runId: number, attempts: number): Promise<void> {
  await ctx.db
    .updateTable('sync_run')
    .set({
      status: 'failed',
      finished_at: ctx.clock.now().toISOString(),
      error:
        `The run was interrupted ${attempts} time(s): the worker running it stopped or lost its database each time, ` +
        'so it was given up. Check the worker logs, then start the run again.',
      error_code: 'unavailable',
    })
    .where('id', '=', runId)
    .where('status', 'in', ['queued', 'running'])
    .execute();
}

/**
 * The error code a failed run records: an AppError's own code; otherwise 'unavailable' when the database
 * (or another connection) dropped away under the run, and 'internal' for anything else. Never a driver's
 * raw code (a SQLSTATE such as 57P01 is not one of Keel's codes).
 */
export function runErrorCode(e: unknown): string {
  if (e instanceof AppError) return e.code;
  const err = e as { code?: unknown; message?: unknown };
  const code = typeof err?.code === 'string' ? err.code : '';
  const message = typeof err?.message === 'string' ? err.message : '';
  const connection =
    /^(08|57P|53)/.test(code) ||
    /^(ECONN|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN)/.test(code) ||
    /connection terminated|connection error|not queryable|not currently accepting connections|terminating connection|connection refused|timeout exceeded when trying to connect/i.test(
      message,
    );
  return connection ? 'unavailable' : 'internal';
}
