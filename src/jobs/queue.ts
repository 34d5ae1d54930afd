import { fromPglite, PgBoss, type Queue, type WorkOptions } from 'pg-boss';
import type { z } from 'zod';
import type { AppContext } from '../app/context.js';
import type { Database } from '../db/database.js';

/**
 * A job definition (Documenso style): a name, a zod schema for its payload, queue options (policy,
 * retries, heartbeat) and a handler that receives the app context. Payloads are validated when sent
 * and again when worked, so a bad payload fails loudly instead of doing half a job.
 */
export interface JobDefinition<T> {
  name: string;
  data: z.ZodType<T>;
  queue?: Omit<Queue, 'name'>;
  work?: WorkOptions;
  /** `job.retryCount` > 0 when an earlier attempt of this job failed or its worker died (heartbeat lost). */
  handler: (ctx: AppContext, data: T, job: { id: string; retryCount: number }) => Promise<unknown>;
}

export const PGBOSS_SCHEMA = 'keel_jobs';

/** pg-boss on PostgreSQL (its own pool) or on the embedded PGlite (the fromPglite adapter): one queue, one code path. */
export function createBoss(database: Database, opts: { supervise?: boolean; schedule?: boolean } = {}): PgBoss {
  const common = {
    schema: PGBOSS_SCHEMA,
    supervise: opts.supervise ?? true,
    schedule: opts.schedule ?? false,
    superviseIntervalSeconds: 5,
    monitorIntervalSeconds: 5,
  };
  if (database.kind === 'pglite') return new PgBoss({ ...common, db: fromPglite(database.pglite!), backend: 'pglite' });
  return new PgBoss({ ...common, connectionString: database.url!, max: 4, application_name: 'keel-jobs' });
}

/**
 * The job system of one process: registers definitions, sends jobs (validated), and, when this
 * process is a worker, works them. `keel serve` is a server and a worker; `keel worker` only a worker.
 */
export class Jobs {
  private readonly defs = new Map<string, JobDefinition<unknown>>();
  private started = false;
  private readonly workerIds = new Map<string, string>();

  constructor(
    private readonly ctx: AppContext,
    readonly boss: PgBoss,
  ) {
    boss.on('error', (err) => ctx.logger.warn({ err: { message: err.message } }, 'job queue error'));
  }

  define<T>(def: JobDefinition<T>): void {
    this.defs.set(def.name, def as JobDefinition<unknown>);
  }

  async start(opts: { worker: boolean }): Promise<void> {
    await this.boss.start();
    for (const def of this.defs.values()) {
      await this.boss.createQueue(def.name, def.queue ?? {});
      // createQueue leaves an existing queue as it was: a dead-letter queue added in a later version is set here.
      if (def.queue?.deadLetter) await this.boss.updateQueue(def.name, { deadLetter: def.queue.deadLetter });
    }
    this.started = true;
    if (!opts.worker) return;
    for (const def of this.defs.values()) {
      const workerId = await this.boss.work(
        def.name,
        { pollingIntervalSeconds: 1, ...(def.work ?? {}) },
        async (jobs) => {
          for (const job of jobs) {
            const data = def.data.parse(job.data);
            await def.handler(this.ctx, data, { id: job.id, retryCount: job.retryCount ?? 0 });
          }
        },
      );
      this.workerIds.set(def.name, workerId);
    }
  }

  async send<T>(name: string, data: T, options: Parameters<PgBoss['send']>[2] = {}): Promise<string | null> {
    const def = this.defs.get(name);
    if (!def) throw new Error(`no job named ${name}`);
    if (!this.started) throw new Error('the job queue is not started');
    const id = await this.boss.send(name, def.data.parse(data) as object, options);
    // A worker in this process picks the job up now rather than at its next poll.
    const local = this.workerIds.get(name);
    if (local && id) this.boss.notifyWorker(local);
    return id;
  }

  /** Many jobs of one kind in one insert (outbox sweeps queue thousands at once). */
  async sendMany<T>(name: string, items: T[]): Promise<void> {
    const def = this.defs.get(name);
    if (!def) throw new Error(`no job named ${name}`);
    if (!this.started) throw new Error('the job queue is not started');
    for (let i = 0; i < items.length; i += 1000) {
      await this.boss.insert(
        name,
        items.slice(i, i + 1000).map((d) => ({ data: def.data.parse(d) as object })),
      );
    }
    const local = this.workerIds.get(name);
    if (local) this.boss.notifyWorker(local);
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.boss.stop({ graceful: true, timeout: 10_000 });
  }
}
