import type { AppContext } from '../../app/context.js';
import { AppError } from '../../core/errors.js';
import { createRun } from '../../sync/runs.js';
import { importAssets } from './assets/import-assets.js';
import type { AteraClient } from './client/index.js';
import { importCustomers } from './import-customers.js';
import { ateraClientFor, INTEGRATION } from './settings/settings.js';

export type ImportKind = 'import_customers' | 'import_assets';

export interface StartedRun {
  runId: number;
  /** Settles when the run has finished (its record says how). Never rejects. */
  done: Promise<void>;
}

/**
 * Starts an import as a run and returns at once; the work goes on in this process and its run record
 * shows progress. One customer or asset import at a time per Keel: a second request while one runs is
 * refused with 409 rather than racing it.
 */
export async function startImport(
  ctx: AppContext,
  kind: ImportKind,
  opts: { preview: boolean; startedBy: string; client?: AteraClient },
): Promise<StartedRun> {
  const busy = await ctx.db
    .selectFrom('sync_run')
    .select(['id', 'kind'])
    .where('integration', '=', INTEGRATION)
    .where('status', 'in', ['queued', 'running'])
    .where('kind', 'in', ['import_customers', 'import_assets', 'sync'])
    .executeTakeFirst();
  if (busy) throw new AppError('conflict', `Run ${busy.id} (${busy.kind}) is still running; wait for it to finish`);
  const client = opts.client ?? (await ateraClientFor(ctx));
  const runId = await createRun(ctx.db, { integration: INTEGRATION, kind, dry_run: opts.preview, started_by: opts.startedBy, options: { preview: opts.preview } });
  const work = async () => {
    if (kind === 'import_customers') {
      await importCustomers(ctx, client, { preview: opts.preview, runId });
    } else {
      // An import never deactivates anything, so an incomplete read still succeeds; its summary says so.
      const result = await importAssets(ctx, client, { preview: opts.preview, runId });
      await result.recorder.finish('succeeded');
    }
  };
  const done = work().catch((e) => {
    ctx.logger.warn({ runId, kind, err: { message: (e as Error).message, code: (e as { code?: string }).code } }, 'import failed');
  });
  return { runId, done };
}
