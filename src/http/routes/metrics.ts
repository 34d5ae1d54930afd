import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { AppContext } from '../../app/context.js';
import { sharedLimiters } from '../../integrations/atera/client/index.js';

/**
 * GET /metrics in Prometheus text format (bearer token required, like the API). Run figures come from
 * the run history at scrape time, so every process reports the same totals; request budget figures
 * are this process's Atera rate limiters.
 */
export function metricsRoutes(app: FastifyInstance, ctx: AppContext): void {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'keel_process_' });
  const db = ctx.db;
  // Grant counts seen at earlier scrapes, to report how much of the budget the last minute used.
  const history: { at: number; granted: number[] }[] = [];

  new Gauge({
    name: 'keel_runs',
    help: 'Integration runs in the history, by integration, kind and status',
    labelNames: ['integration', 'kind', 'status'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await db
        .selectFrom('sync_run')
        .select(['integration', 'kind', 'status', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy(['integration', 'kind', 'status'])
        .execute();
      for (const r of rows) this.set({ integration: r.integration, kind: r.kind, status: r.status }, r.n);
    },
  });
  new Gauge({
    name: 'keel_run_duration_seconds',
    help: 'Duration of finished runs in the history: average and maximum, by kind',
    labelNames: ['kind', 'stat'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await sql<{ kind: string; avg: number | null; max: number | null }>`
        SELECT kind, avg(extract(epoch FROM finished_at - started_at))::float8 AS avg, max(extract(epoch FROM finished_at - started_at))::float8 AS max
        FROM sync_run WHERE finished_at IS NOT NULL AND started_at IS NOT NULL GROUP BY kind`.execute(db);
      for (const r of rows.rows) {
        this.set({ kind: r.kind, stat: 'avg' }, r.avg ?? 0);
        this.set({ kind: r.kind, stat: 'max' }, r.max ?? 0);
      }
    },
  });
  new Gauge({
    name: 'keel_run_records',
    help: 'Records handled by runs in the history, by action (created, updated, unchanged, skipped, conflicts, errors, deactivated, reactivated)',
    labelNames: ['action'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await sql<{ key: string; total: number }>`
        SELECT key, sum(value::text::numeric)::float8 AS total FROM sync_run, jsonb_each(counts) GROUP BY key`.execute(
        db,
      );
      for (const r of rows.rows) this.set({ action: r.key }, r.total);
    },
  });
  new Gauge({
    name: 'keel_run_errors',
    help: 'Failed runs by error code (atera_auth, atera_temporary, ...)',
    labelNames: ['code'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await db
        .selectFrom('sync_run')
        .select(['error_code', (eb) => eb.fn.countAll<number>().as('n')])
        .where('status', '=', 'failed')
        .groupBy('error_code')
        .execute();
      for (const r of rows) this.set({ code: r.error_code ?? 'unknown' }, r.n);
    },
  });
  new Gauge({
    name: 'keel_alert_outbox',
    help: 'Outbound alert resolves/deletes by status',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await db
        .selectFrom('alert_outbox')
        .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('status')
        .execute();
      for (const r of rows) this.set({ status: r.status }, r.n);
    },
  });
  new Gauge({
    name: 'keel_atera_requests',
    help: "Requests this process's Atera rate limiters granted, the budget per minute, and the share of the budget used in the last minute",
    labelNames: ['limiter', 'stat'],
    registers: [registry],
    collect() {
      this.reset();
      const now = Date.now();
      const limiters = sharedLimiters();
      const past = history.find((h) => now - h.at >= 60_000) ?? history[0];
      history.push({ at: now, granted: limiters.map((l) => l.granted) });
      while (history.length > 0 && now - history[0]!.at > 10 * 60_000) history.shift();
      limiters.forEach((l, i) => {
        const id = String(i + 1);
        this.set({ limiter: id, stat: 'granted_total' }, l.granted);
        if (Number.isFinite(l.requestsPerMinute))
          this.set({ limiter: id, stat: 'budget_per_minute' }, l.requestsPerMinute);
        this.set({ limiter: id, stat: 'used_since_last_minute' }, l.granted - (past?.granted[i] ?? 0));
        this.set({ limiter: id, stat: 'waited_seconds_total' }, l.waitedMs / 1000);
      });
    },
  });

  app.get(
    '/metrics',
    { schema: { tags: ['System'], summary: 'Prometheus metrics (bearer token required)' } },
    async (_request, reply) => {
      reply.header('content-type', registry.contentType);
      return registry.metrics();
    },
  );
}
