import { sql } from 'kysely';
import { z } from 'zod';
import type { AppContext } from '../../app/context.js';
import type { Jobs } from '../../jobs/queue.js';
import { claimDue, type ScheduleEntry } from '../../jobs/schedule.js';
import { processOutboxRow, RESOLVE_QUEUE, sweepOutbox } from './alerts/outbox.js';
import { executeAlertPoll, POLL_QUEUE } from './alerts/run.js';
import { abandonRun, executeRun, RUN_DEAD_QUEUE, RUN_QUEUE, requestRun, type SyncEntity } from './operations.js';
import { INTEGRATION, loadAteraSettings } from './settings/settings.js';

const RUN_RETRY_LIMIT = 5;

/** The Atera integration's jobs: runs (imports and syncs, one at a time), alert polls, alert resolves. */
export function defineAteraJobs(jobs: Jobs): void {
  // Defined first: the run queue refers to it, so it must exist when that queue is created.
  jobs.define({
    name: RUN_DEAD_QUEUE,
    data: z.object({ run_id: z.number().int() }),
    queue: { policy: 'standard', retryLimit: 3, retryDelay: 5 },
    handler: (ctx, data) => abandonRun(ctx, data.run_id, RUN_RETRY_LIMIT + 1),
  });
  jobs.define({
    name: RUN_QUEUE,
    data: z.object({ run_id: z.number().int() }),
    // One run active at a time across all workers; a worker that dies stops its heartbeat and the
    // job is retried by another worker, which restarts the run under the same id.
    queue: {
      policy: 'singleton',
      heartbeatSeconds: 10,
      expireInSeconds: 4 * 3600,
      retryLimit: RUN_RETRY_LIMIT,
      retryDelay: 2,
      retryBackoff: true,
      deadLetter: RUN_DEAD_QUEUE,
    },
    handler: (ctx, data) => executeRun(ctx, data.run_id),
  });
  jobs.define({
    name: POLL_QUEUE,
    data: z.object({ run_id: z.number().int().optional(), started_by: z.string() }),
    // 'stately': at most one poll queued and one running, so a slow Atera never piles polls up.
    queue: { policy: 'stately', heartbeatSeconds: 10, expireInSeconds: 3600, retryLimit: 2, retryDelay: 5 },
    handler: (ctx, data) => executeAlertPoll(ctx, { runId: data.run_id, startedBy: data.started_by }),
  });
  jobs.define({
    name: RESOLVE_QUEUE,
    data: z.object({ outbox_id: z.number().int() }),
    // Retries are the outbox row's own (next_attempt_at); the queue only needs to run each job once,
    // plus once more when the worker died mid-call: that retry takes over the row left 'sending'.
    queue: { policy: 'standard', heartbeatSeconds: 10, expireInSeconds: 300, retryLimit: 1 },
    work: { batchSize: 4, localConcurrency: 8, burstWhenBatchFull: true } as never,
    handler: (ctx, data, job) => processOutboxRow(ctx, data.outbox_id, undefined, { takeOver: job.retryCount > 0 }),
  });
}

/** Schedules of the Integrator as configured, keyed `atera.<entity>`. */
export async function ateraSchedules(ctx: AppContext): Promise<ScheduleEntry[]> {
  const s = await loadAteraSettings(ctx.db);
  if (!s.atera_enabled || !s.halointegrator_atera) return [];
  const spec = {
    customers: s.atera_schedule_customers,
    assets: s.atera_schedule_assets,
    alerts: s.atera_schedule_alerts,
  };
  return s.halointegrator_atera_entities.map((entity) => ({
    key: `${INTEGRATION}.${entity}`,
    spec: spec[entity],
    timezone: s.atera_schedule_timezone,
  }));
}

/**
 * One scheduler tick: claims the due schedules (exactly one worker wins each slot) and requests the
 * runs. Customers and assets due together become one sync run. Also prunes run history past its
 * retention.
 */
export async function ateraTick(ctx: AppContext, now: Date): Promise<string[]> {
  const entries = await ateraSchedules(ctx);
  const due = await claimDue(ctx.db, entries, now);
  const entities = due
    .map((k) => k.slice(INTEGRATION.length + 1))
    .filter((e): e is SyncEntity => e === 'customers' || e === 'assets');
  if (entities.length) {
    const waiting = await ctx.db
      .selectFrom('sync_run')
      .select('id')
      .where('integration', '=', INTEGRATION)
      .where('kind', '=', 'sync')
      .where('status', '=', 'queued')
      .where('started_by', '=', 'schedule')
      .executeTakeFirst();
    // A scheduled sync still waiting in the queue covers this slot too: no pile-up behind a long run.
    if (!waiting) await requestRun(ctx, { kind: 'sync', dry_run: false, entities, startedBy: 'schedule' });
  }
  if (due.includes(`${INTEGRATION}.alerts`)) {
    const s = await loadAteraSettings(ctx.db);
    if (s.atera_enable_alerting && ctx.jobs) await ctx.jobs.send(POLL_QUEUE, { started_by: 'schedule' });
  }
  await sweepOutbox(ctx, now);
  const settings = await loadAteraSettings(ctx.db);
  const cutoff = new Date(now.getTime() - settings.atera_run_retention_days * 86_400_000).toISOString();
  await ctx.db
    .deleteFrom('sync_run')
    .where('integration', '=', INTEGRATION)
    .where(sql<boolean>`coalesce(finished_at, queued_at) < ${cutoff}`)
    .execute();
  return due;
}
