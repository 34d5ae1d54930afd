import type { AppContext } from '../../../app/context.js';
import { AppError } from '../../../core/errors.js';
import { createRun, RunRecorder } from '../../../sync/runs.js';
import type { AteraClient } from '../client/index.js';
import { runErrorCode } from '../operations.js';
import { ateraClientFor, INTEGRATION } from '../settings/settings.js';
import { pollAlerts } from './poll.js';

export const POLL_QUEUE = 'atera.alerts';

/**
 * Runs one alert poll and records it as a run of kind 'alerts'. A scheduled poll that found nothing
 * to do leaves no run behind (a steady-state poll writes nothing); a manual poll always has a run,
 * and so does a poll that failed.
 */
export async function executeAlertPoll(
  ctx: AppContext,
  opts: { runId?: number; startedBy: string; client?: AteraClient },
): Promise<number | null> {
  const startedAt = ctx.clock.now();
  const ensureRun = async () =>
    opts.runId ??
    (await createRun(ctx.db, {
      integration: INTEGRATION,
      kind: 'alerts',
      dry_run: false,
      started_by: opts.startedBy,
      status: 'running',
    }));
  try {
    const client = opts.client ?? (await ateraClientFor(ctx));
    const outcome = await pollAlerts(ctx, client, { preview: false });
    const meaningful = outcome.changes.filter((c) => c.action !== 'unchanged');
    if (meaningful.length === 0 && opts.runId === undefined) return null;
    const runId = await ensureRun();
    const recorder = new RunRecorder(ctx.db, runId, () => ctx.clock.now());
    await ctx.db
      .updateTable('sync_run')
      .set({ started_at: startedAt.toISOString(), status: 'running' })
      .where('id', '=', runId)
      .execute();
    for (const c of outcome.changes) recorder.record(c);
    recorder.summary = { read: outcome.read, checked_one_by_one: outcome.checked };
    await recorder.finish('succeeded');
    return runId;
  } catch (e) {
    const runId = await ensureRun();
    const recorder = new RunRecorder(ctx.db, runId, () => ctx.clock.now());
    await recorder.finish('failed', { message: (e as Error | undefined)?.message ?? String(e), code: runErrorCode(e) });
    if (!(e instanceof AppError)) throw e;
    return runId;
  }
}
