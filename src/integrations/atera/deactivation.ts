import type { AppContext } from '../../app/context.js';
import { AppError } from '../../core/errors.js';
import { getRun, RunRecorder } from '../../sync/runs.js';
import type { AssetImportResult } from './assets/import-assets.js';
import { INTEGRATION, loadAteraSettings } from './settings/settings.js';

/**
 * "Deactivate assets in Keel when they are deleted from Atera" (Integrator only), safely:
 * - only after a complete read of Atera's agents (every page, as many records as Atera's total);
 * - never devices that are still in Atera under an OSType that is no longer imported;
 * - never deletes: assets are set inactive, and come back (reactivated, relinked) if the device does;
 * - when more than the threshold share of linked assets would go, nothing is deactivated and the run
 *   waits for an admin's confirmation.
 */
export async function deactivateMissing(
  ctx: AppContext,
  recorder: RunRecorder,
  result: AssetImportResult,
  opts: { dryRun: boolean },
): Promise<'done' | 'skipped' | 'needs_confirmation'> {
  const settings = await loadAteraSettings(ctx.db);
  if (!settings.atera_delete_devices) return 'skipped';
  if (!result.read.complete) {
    recorder.summary = {
      ...recorder.summary,
      deactivation: `skipped: the read of Atera's agents was not complete (${result.read.incompleteReason ?? 'unknown reason'}); nothing was deactivated`,
    };
    return 'skipped';
  }
  const linked = await ctx.db
    .selectFrom('asset')
    .select(['id', 'atera_id', 'inventory_number'])
    .where('atera_id', 'is not', null)
    .where('inactive', '=', false)
    .execute();
  const missing = linked.filter((a) => !result.seen.has(a.atera_id!));
  if (missing.length === 0) return 'done';
  const share = (missing.length / linked.length) * 100;
  if (share > settings.atera_deactivation_threshold) {
    recorder.summary = {
      ...recorder.summary,
      deactivation: `waiting for confirmation: ${missing.length} of ${linked.length} linked assets (${share.toFixed(1)} %) are no longer in Atera, more than the ${settings.atera_deactivation_threshold} % threshold`,
      pending_deactivation: missing.map((a) => a.id),
    };
    for (const a of missing) {
      recorder.record({
        entity: 'asset',
        external_id: a.atera_id,
        local_id: a.id,
        action: 'deactivate',
        name: a.inventory_number,
        reason: 'not in Atera any more (waiting for confirmation)',
        fields: { inactive: { before: false, after: true } },
      });
    }
    // Counted only when applied.
    recorder.counts.deactivated = 0;
    return opts.dryRun ? 'done' : 'needs_confirmation';
  }
  for (const a of missing) {
    recorder.record({
      entity: 'asset',
      external_id: a.atera_id,
      local_id: a.id,
      action: 'deactivate',
      name: a.inventory_number,
      reason: 'not in Atera any more',
      fields: { inactive: { before: false, after: true } },
    });
  }
  if (!opts.dryRun)
    await setInactive(
      ctx,
      missing.map((a) => a.id),
    );
  return 'done';
}

async function setInactive(ctx: AppContext, ids: number[]): Promise<void> {
  const now = ctx.clock.now().toISOString();
  for (let i = 0; i < ids.length; i += 1000) {
    await ctx.db
      .updateTable('asset')
      .set({ inactive: true, updated_at: now })
      .where('id', 'in', ids.slice(i, i + 1000))
      .execute();
  }
}

/** POST /Runs/{id}/Confirm: applies the deactivation a run held back (assets that reappeared since stay active). */
export async function confirmRun(ctx: AppContext, runId: number, by: string): Promise<void> {
  const run = await getRun(ctx.db, runId, INTEGRATION);
  if (run.status !== 'needs_confirmation')
    throw new AppError('conflict', `Run ${runId} is ${run.status}, not waiting for confirmation`);
  // A later read of Atera's devices supersedes this one: devices that came back since would be deactivated
  // while present in Atera. Only the latest held run may be confirmed (or a new sync run).
  const later = await ctx.db
    .selectFrom('sync_run')
    .select(['id', 'kind', 'options'])
    .where('integration', '=', INTEGRATION)
    .where('id', '>', runId)
    .where('dry_run', '=', false)
    .where('kind', 'in', ['sync', 'import_assets'])
    .where('status', 'in', ['running', 'succeeded', 'needs_confirmation'])
    .execute();
  const reread = later.find(
    (r) =>
      r.kind === 'import_assets' ||
      ((r.options as { entities?: string[] }).entities ?? ['customers', 'assets']).includes('assets'),
  );
  if (reread) {
    throw new AppError(
      'conflict',
      `Run ${runId} is out of date: run ${reread.id} has read Atera's devices since, so devices that came back would be deactivated; confirm the latest run or sync again`,
    );
  }
  const pending = (run.summary.pending_deactivation as number[] | undefined) ?? [];
  const still = pending.length
    ? await ctx.db
        .selectFrom('asset')
        .select('id')
        .where('id', 'in', pending)
        .where('inactive', '=', false)
        .where('atera_id', 'is not', null)
        .execute()
    : [];
  await setInactive(
    ctx,
    still.map((r) => r.id),
  );
  const recorder = new RunRecorder(ctx.db, runId, () => ctx.clock.now());
  Object.assign(recorder.counts, run.counts, { deactivated: still.length });
  recorder.summary = {
    ...run.summary,
    deactivation: `confirmed by ${by}: ${still.length} assets deactivated`,
    pending_deactivation: [],
  };
  recorder.progress = run.progress;
  await recorder.finish('succeeded');
}

/** POST /Runs/{id}/Reject: the held-back deactivation is dropped; nothing changes. */
export async function rejectRun(ctx: AppContext, runId: number, by: string): Promise<void> {
  const run = await getRun(ctx.db, runId, INTEGRATION);
  if (run.status !== 'needs_confirmation')
    throw new AppError('conflict', `Run ${runId} is ${run.status}, not waiting for confirmation`);
  await ctx.db.deleteFrom('sync_change').where('run_id', '=', runId).where('action', '=', 'deactivate').execute();
  const recorder = new RunRecorder(ctx.db, runId, () => ctx.clock.now());
  Object.assign(recorder.counts, run.counts);
  recorder.summary = {
    ...run.summary,
    deactivation: `rejected by ${by}: nothing was deactivated`,
    pending_deactivation: [],
  };
  recorder.progress = run.progress;
  await recorder.finish('succeeded');
}
