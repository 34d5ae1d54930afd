import { ateraTick, defineAteraJobs } from '../integrations/atera/jobs.js';
import { createBoss, Jobs } from '../jobs/queue.js';
import type { AppContext } from './context.js';

export interface Runtime {
  jobs: Jobs;
  /** Runs one scheduler tick now (what the timer does every few seconds). */
  tick(now?: Date): Promise<string[]>;
  stop(): Promise<void>;
}

// A tick is cheap (a few indexed reads); every second keeps alert latency close to the poll interval.
export const TICK_MS = 1_000;

/**
 * Starts the job queue for this process and, in a worker, the job handlers and the scheduler timer.
 * Every process that serves the API can also send jobs; only workers execute them.
 */
export async function startRuntime(ctx: AppContext, opts: { worker: boolean; scheduler?: boolean }): Promise<Runtime> {
  const jobs = new Jobs(ctx, createBoss(ctx.database, { supervise: opts.worker }));
  defineAteraJobs(jobs);
  await jobs.start({ worker: opts.worker });
  ctx.jobs = jobs;
  const tick = async (now = ctx.clock.now()) => {
    const due = await ateraTick(ctx, now);
    return due;
  };
  let timer: NodeJS.Timeout | undefined;
  let ticking = false;
  if (opts.worker && opts.scheduler !== false) {
    timer = setInterval(() => {
      if (ticking) return;
      ticking = true;
      tick()
        .catch((e) => ctx.logger.warn({ err: { message: (e as Error).message } }, 'scheduler tick failed'))
        .finally(() => {
          ticking = false;
        });
    }, TICK_MS);
    timer.unref();
  }
  return {
    jobs,
    tick,
    stop: async () => {
      if (timer) clearInterval(timer);
      ctx.jobs = undefined;
      await jobs.stop();
    },
  };
}
