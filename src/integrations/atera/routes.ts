import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app/context.js';
import { AppError } from '../../core/errors.js';
import { actorOf } from '../../http/auth-hook.js';
import { qBool, qPositiveInt } from '../../http/halo-query.js';
import { idParam } from '../../http/halo-resource.js';
import { getRun, listChanges, listRuns } from '../../sync/runs.js';
import { confirmRun, rejectRun } from './deactivation.js';
import { requestRun, waitForRun } from './operations.js';
import { ATERA_AGENT_FIELDS, settingsInput } from './settings/schema.js';
import { ateraClientFor, INTEGRATION, knownDeviceTypes, rememberDeviceTypes, saveAteraSettings, settingsView } from './settings/settings.js';

const tags = ['Atera RMM'];
const runBody = z.object({ preview: z.boolean().optional() }).strict().default({});
const waitQuery = z.object({ wait: qBool });
const pageQuery = z.object({
  page_no: qPositiveInt,
  page_size: z.coerce.number().int().min(1).max(500).optional(),
  kind: z.string().max(50).optional(),
  status: z.string().max(50).optional(),
});
const changesQuery = pageQuery.extend({ action: z.string().max(50).optional(), entity: z.string().max(50).optional(), search: z.string().max(200).optional() });

/** The Atera RMM integration's API (Configuration > Integrations > Atera RMM and its runs). */
export function ateraRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const base = '/api/Integration/Atera';

  r.get(base, { schema: { tags, summary: 'The Atera RMM settings (the API key is never returned, only atera_apikey_set)' } }, async () => settingsView(ctx));

  r.post(
    base,
    { config: { adminOnly: true }, schema: { tags, summary: 'Change some Atera RMM settings (all validated, all or nothing)', body: settingsInput } },
    async (request) => {
      await saveAteraSettings(ctx, request.body);
      return settingsView(ctx);
    },
  );

  r.post(
    `${base}/Test`,
    { config: { adminOnly: true }, schema: { tags, summary: 'Test Configuration: connect to Atera with the saved URL and key', response: { 200: z.object({ success: z.boolean(), message: z.string() }) } } },
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
    { schema: { tags, summary: "Atera's customers, device types (OSType) or agent fields, for the setup screens", params: z.object({ kind: z.enum(['customers', 'devicetypes', 'fields']) }) } },
    async (request) => {
      const kind = request.params.kind;
      if (kind === 'fields') return ATERA_AGENT_FIELDS.map((name) => ({ name }));
      const client = await ateraClientFor(ctx);
      if (kind === 'customers') {
        const out: { id: number; name: string | null }[] = [];
        for await (const page of client.customers()) for (const c of page.records) out.push({ id: c.CustomerID, name: c.CustomerName });
        return out.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''));
      }
      const seen = new Set<string>();
      for await (const page of client.agents()) for (const a of page.records) if (a.OSType?.trim()) seen.add(a.OSType.trim());
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
  const importRoute = (path: string, kind: 'import_customers' | 'import_assets', summary: string) =>
    r.post(
      `${base}/${path}`,
      { config: { adminOnly: true }, schema: { tags, summary, body: runBody, querystring: waitQuery } },
      async (request, reply) => {
        const runId = await requestRun(ctx, { kind, dry_run: request.body?.preview ?? false, startedBy: actorOf(request).name });
        return respond(runId, request.query.wait, reply);
      },
    );
  importRoute('ImportCustomers', 'import_customers', 'Import Customers (preview: true plans and writes nothing); ?wait=true returns the finished run');
  importRoute('ImportAssets', 'import_assets', 'Import Assets (preview: true is the import preview); ?wait=true returns the finished run');

  r.post(
    `${base}/Sync`,
    {
      config: { adminOnly: true },
      schema: {
        tags,
        summary: 'Run the Integrator sync now (customers and/or assets; dry_run reports without writing); ?wait=true returns the finished run',
        body: z.object({ entities: z.array(z.enum(['customers', 'assets'])).min(1).optional(), dry_run: z.boolean().optional() }).strict().default({}),
        querystring: waitQuery,
      },
    },
    async (request, reply) => {
      const body = request.body ?? {};
      const runId = await requestRun(ctx, { kind: 'sync', dry_run: body.dry_run ?? false, entities: body.entities ?? ['customers', 'assets'], startedBy: actorOf(request).name });
      return respond(runId, request.query.wait, reply);
    },
  );

  r.post(`${base}/Runs/:id/Confirm`, { config: { adminOnly: true }, schema: { tags, summary: 'Apply the deactivation a run is holding for confirmation', params: idParam } }, async (request) => {
    await confirmRun(ctx, request.params.id, actorOf(request).name);
    return getRun(ctx.db, request.params.id);
  });
  r.post(`${base}/Runs/:id/Reject`, { config: { adminOnly: true }, schema: { tags, summary: 'Drop the deactivation a run is holding for confirmation', params: idParam } }, async (request) => {
    await rejectRun(ctx, request.params.id, actorOf(request).name);
    return getRun(ctx.db, request.params.id);
  });

  r.get(`${base}/Runs`, { schema: { tags, summary: 'History of runs, newest first', querystring: pageQuery } }, async (request) => {
    const size = request.query.page_size ?? 50;
    const page = request.query.page_no ?? 1;
    const { rows, total } = await listRuns(ctx.db, INTEGRATION, { limit: size, offset: (page - 1) * size, kind: request.query.kind, status: request.query.status });
    return { page_no: page, page_size: size, record_count: total, runs: rows };
  });

  r.get(`${base}/Runs/:id`, { schema: { tags, summary: 'One run with counts, progress and summary', params: idParam } }, async (request) =>
    getRun(ctx.db, request.params.id, INTEGRATION),
  );

  r.get(`${base}/Runs/:id/Changes`, { schema: { tags, summary: "A run's per-record changes (paged, filterable by action)", params: idParam, querystring: changesQuery } }, async (request) => {
    await getRun(ctx.db, request.params.id, INTEGRATION);
    const size = request.query.page_size ?? 100;
    const page = request.query.page_no ?? 1;
    const { rows, total } = await listChanges(ctx.db, request.params.id, { limit: size, offset: (page - 1) * size, action: request.query.action, entity: request.query.entity, search: request.query.search });
    return { page_no: page, page_size: size, record_count: total, changes: rows };
  });
}
