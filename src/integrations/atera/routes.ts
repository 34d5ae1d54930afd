import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app/context.js';
import { AppError } from '../../core/errors.js';
import { actorOf } from '../../http/auth-hook.js';
import { qBool, qPositiveInt } from '../../http/halo-query.js';
import { idParam } from '../../http/halo-resource.js';
import { createRun, getRun, listChanges, listRuns } from '../../sync/runs.js';
import { pollAlerts } from './alerts/poll.js';
import { executeAlertPoll, POLL_QUEUE } from './alerts/run.js';
import { confirmRun, rejectRun } from './deactivation.js';
import { requestRun, waitForRun } from './operations.js';
import { ATERA_AGENT_FIELDS, settingsInput } from './settings/schema.js';
import {
  ateraClientFor,
  INTEGRATION,
  knownDeviceTypes,
  rememberDeviceTypes,
  saveAteraSettings,
  settingsView,
} from './settings/settings.js';

const tags = ['Atera RMM'];
const runBody = z.object({ preview: z.boolean().optional() }).strict().default({});
const waitQuery = z.object({ wait: qBool });
const pageQuery = z.object({
  page_no: qPositiveInt,
  page_size: z.coerce.number().int().min(1).max(500).optional(),
  kind: z.string().max(50).optional(),
  status: z.string().max(50).optional(),
});
const changesQuery = pageQuery.extend({
  action: z.string().max(50).optional(),
  entity: z.string().max(50).optional(),
  search: z.string().max(200).optional(),
});

/** The Atera RMM integration's API (Configuration > Integrations > Atera RMM and its runs). */
export function ateraRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const base = '/api/Integration/Atera';

  r.get(
    base,
    { schema: { tags, summary: 'The Atera RMM settings (the API key is never returned, only atera_apikey_set)' } },
    async () => settingsView(ctx),
  );

  r.post(
    base,
    {
      config: { adminOnly: true },
      schema: { tags, summary: 'Change some Atera RMM settings (all validated, all or nothing)', body: settingsInput },
    },
    async (request) => {
      await saveAteraSettings(ctx, request.body);
      return settingsView(ctx);
    },
  );

  r.post(
    `${base}/Test`,
    {
      config: { adminOnly: true },
      schema: {
        tags,
        summary: 'Test Configuration: connect to Atera with the saved URL and key',
        response: { 200: z.object({ success: z.boolean(), message: z.string() }) },
      },
    },
    async () => {
      try {
        const client = await ateraClientFor(ctx, { maxAttempts: 2, timeoutMs: 15_000 });
        return await client.testConnection();
      } catch (e) {
        if (e instanceof AppError) return { success: false, message: e.message };
        throw e;
      }
    },
  );

  r.get(
    `${base}/Data/:kind`,
    {
      schema: {
        tags,
        summary: "Atera's customers, device types (OSType) or agent fields, for the setup screens",
        params: z.object({ kind: z.enum(['customers', 'devicetypes', 'fields']) }),
      },
    },
    async (request) => {
      const kind = request.params.kind;
      if (kind === 'fields') return ATERA_AGENT_FIELDS.map((name) => ({ name }));
      const client = await ateraClientFor(ctx);
      if (kind === 'customers') {
        const out: { id: number; name: string | null }[] = [];
        for await (const page of client.customers())
          for (const c of page.records) out.push({ id: c.CustomerID, name: c.CustomerName });
        return out.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''));
      }
      const seen = new Set<string>();
      for await (const page of client.agents())
        for (const a of page.records) if (a.OSType?.trim()) seen.add(a.OSType.trim());
      await rememberDeviceTypes(ctx.db, seen);
      const known = await knownDeviceTypes(ctx.db);
      return known.map((name) => ({ name, seen: seen.has(name) }));
    },
  );

  const respond = async (runId: number, wait: boolean | undefined, reply: { status(code: number): unknown }) => {
    if (wait) return waitForRun(ctx, runId);
    reply.status(202);
    return getRun(ctx.db, runId);
  };
  const importRoute = (path: string, kind: 'import_customers' | 'import_assets' | 'import_contacts', summary: string) =>
    r.post(
      `${base}/${path}`,
      { config: { adminOnly: true }, schema: { tags, summary, body: runBody, querystring: waitQuery } },
      async (request, reply) => {
        const runId = await requestRun(ctx, {
          kind,
          dry_run: request.body?.preview ?? false,
          startedBy: actorOf(request).name,
        });
        return respond(runId, request.query.wait, reply);
      },
    );
  importRoute(
    'ImportCustomers',
    'import_customers',
    'Import Customers (preview: true plans and writes nothing); ?wait=true returns the finished run',
  );
  importRoute(
    'ImportAssets',
    'import_assets',
    'Import Assets (preview: true is the import preview); ?wait=true returns the finished run',
  );
  importRoute(
    'ImportContacts',
    'import_contacts',
    'Import Atera contacts as Users of their linked customer (matched by email, then name); ?wait=true returns the finished run',
  );

  r.post(
    `${base}/Sync`,
    {
      config: { adminOnly: true },
      schema: {
        tags,
        summary:
          'Run the Integrator sync now (customers and/or assets; dry_run reports without writing); ?wait=true returns the finished run',
        body: z
          .object({
            entities: z
              .array(z.enum(['customers', 'assets']))
              .min(1)
              .optional(),
            dry_run: z.boolean().optional(),
          })
          .strict()
          .default({}),
        querystring: waitQuery,
      },
    },
    async (request, reply) => {
      const body = request.body ?? {};
      const runId = await requestRun(ctx, {
        kind: 'sync',
        dry_run: body.dry_run ?? false,
        entities: body.entities ?? ['customers', 'assets'],
        startedBy: actorOf(request).name,
      });
      return respond(runId, request.query.wait, reply);
    },
  );

  r.post(
    `${base}/Runs/:id/Confirm`,
    {
      config: { adminOnly: true },
      schema: { tags, summary: 'Apply the deactivation a run is holding for confirmation', params: idParam },
    },
    async (request) => {
      await confirmRun(ctx, request.params.id, actorOf(request).name);
      return getRun(ctx.db, request.params.id);
    },
  );
  r.post(
    `${base}/Runs/:id/Reject`,
    {
      config: { adminOnly: true },
      schema: { tags, summary: 'Drop the deactivation a run is holding for confirmation', params: idParam },
    },
    async (request) => {
      await rejectRun(ctx, request.params.id, actorOf(request).name);
      return getRun(ctx.db, request.params.id);
    },
  );

  r.post(
    `${base}/PollAlerts`,
    {
      config: { adminOnly: true },
      schema: {
        tags,
        summary: 'Poll Atera for alerts now; ?wait=true returns the finished run',
        querystring: waitQuery,
      },
    },
    async (request, reply) => {
      const runId = await createRun(ctx.db, {
        integration: INTEGRATION,
        kind: 'alerts',
        dry_run: false,
        started_by: actorOf(request).name,
      });
      // A poll already waiting in the queue ('stately') refuses a second one: then this one runs here.
      // Two polls at once are safe: alert rows and tickets are created exactly once.
      const queued = ctx.jobs
        ? await ctx.jobs.send(POLL_QUEUE, { run_id: runId, started_by: actorOf(request).name })
        : null;
      if (!queued)
        void executeAlertPoll(ctx, { runId, startedBy: actorOf(request).name }).catch((e) =>
          ctx.logger.warn({ err: { message: (e as Error).message } }, 'alert poll failed'),
        );
      return respond(runId, request.query.wait, reply);
    },
  );

  r.post(
    `${base}/Alerts/Preview`,
    {
      config: { adminOnly: true },
      schema: {
        tags,
        summary: 'Which tickets the current alert rules would create, update or close now (writes nothing)',
      },
    },
    async () => {
      const outcome = await pollAlerts(ctx, await ateraClientFor(ctx), { preview: true });
      const pick = (action: string) =>
        outcome.changes
          .filter((c) => c.action === action)
          .map((c) => ({
            alert_id: Number(c.external_id),
            title: c.name,
            severity: c.fields?.severity?.after ?? null,
            reason: c.reason,
            ticket_id: c.local_id,
          }));
      return {
        create: pick('create'),
        update: pick('update').filter((c) => !/in Atera/.test(c.reason ?? '')),
        close: pick('update').filter((c) => /in Atera/.test(c.reason ?? '')),
        record: pick('skip'),
        errors: pick('error'),
      };
    },
  );

  r.get(
    `${base}/Alerts`,
    {
      schema: {
        tags,
        summary: 'Atera alerts Keel knows, with their ticket and the state of the resolve sent back to Atera',
        querystring: z.object({
          ticket_id: qPositiveInt,
          state: z.enum(['open', 'snoozed', 'resolved', 'deleted']).optional(),
          page_no: qPositiveInt,
          page_size: z.coerce.number().int().min(1).max(500).optional(),
        }),
      },
    },
    async (request) => {
      const q = request.query;
      const size = q.page_size ?? 50;
      const page = q.page_no ?? 1;
      let query = ctx.db.selectFrom('atera_alert as a').leftJoin('alert_outbox as o', 'o.alert_id', 'a.alert_id');
      if (q.ticket_id) query = query.where('a.ticket_id', '=', q.ticket_id);
      if (q.state) query = query.where('a.state', '=', q.state);
      const [rows, count] = await Promise.all([
        query
          .select([
            'a.alert_id',
            'a.ticket_id',
            'a.title',
            'a.severity',
            'a.category',
            'a.device_name',
            'a.customer_name',
            'a.state',
            'a.disposition',
            'a.pending_reason',
            'a.atera_created',
            'a.first_seen',
            'a.resolved_at',
            'o.action as outbox_action',
            'o.status as outbox_status',
            'o.attempts as outbox_attempts',
            'o.last_error as outbox_last_error',
            'o.next_attempt_at as outbox_next_attempt_at',
          ])
          .orderBy('a.alert_id', 'desc')
          .limit(size)
          .offset((page - 1) * size)
          .execute(),
        query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return {
        page_no: page,
        page_size: size,
        record_count: count.n,
        alerts: rows.map(
          ({ outbox_action, outbox_status, outbox_attempts, outbox_last_error, outbox_next_attempt_at, ...a }) => ({
            ...a,
            outbox: outbox_action
              ? {
                  action: outbox_action,
                  status: outbox_status,
                  attempts: outbox_attempts,
                  last_error: outbox_last_error,
                  next_attempt_at: outbox_next_attempt_at,
                }
              : null,
          }),
        ),
      };
    },
  );

  r.get(
    `${base}/Runs`,
    { schema: { tags, summary: 'History of runs, newest first', querystring: pageQuery } },
    async (request) => {
      const size = request.query.page_size ?? 50;
      const page = request.query.page_no ?? 1;
      const { rows, total } = await listRuns(ctx.db, INTEGRATION, {
        limit: size,
        offset: (page - 1) * size,
        kind: request.query.kind,
        status: request.query.status,
      });
      return { page_no: page, page_size: size, record_count: total, runs: rows };
    },
  );

  r.get(
    `${base}/Runs/:id`,
    { schema: { tags, summary: 'One run with counts, progress and summary', params: idParam } },
    async (request) => getRun(ctx.db, request.params.id, INTEGRATION),
  );

  r.get(
    `${base}/Runs/:id/Changes`,
    {
      schema: {
        tags,
        summary: "A run's per-record changes (paged, filterable by action)",
        params: idParam,
        querystring: changesQuery,
      },
    },
    async (request) => {
      await getRun(ctx.db, request.params.id, INTEGRATION);
      const size = request.query.page_size ?? 100;
      const page = request.query.page_no ?? 1;
      const { rows, total } = await listChanges(ctx.db, request.params.id, {
        limit: size,
        offset: (page - 1) * size,
        action: request.query.action,
        entity: request.query.entity,
        search: request.query.search,
      });
      return { page_no: page, page_size: size, record_count: total, changes: rows };
    },
  );
}
