import type { FastifyInstance, FastifySchema } from 'fastify';
import { z } from 'zod';
import type { Actor, AppContext } from '../app/context.js';
import { actorOf } from './auth-hook.js';
import { envelope, type HaloListQuery, haloListQuery, type Paging, paging } from './halo-query.js';

/**
 * One Halo resource: list / get / create-or-update (POST array) / delete at /api/<path>, the same way
 * Halo serves them. Routes stay thin: validate with the resource's zod schemas, call its use case,
 * shape the answer (envelope or bare array) the way Halo clients expect.
 */
export interface HaloResource<Q extends z.ZodRawShape, W extends z.ZodType, O extends z.ZodType> {
  path: string;
  tag: string;
  /** Envelope key (`clients`, `tickets`...). */
  listKey: string;
  /** Halo returns a bare array for some resources unless `pageinate=true` is sent. */
  bareArray?: boolean;
  query: Q;
  write: W;
  output: O;
  /** Writes (POST, DELETE) need the admin role: configuration, users, agents. */
  adminWrite?: boolean;
  list(
    ctx: AppContext,
    q: z.infer<z.ZodObject<Q>> & HaloListQuery,
    p: Paging,
  ): Promise<{ rows: z.infer<O>[]; total: number }>;
  get(ctx: AppContext, id: number): Promise<z.infer<O>>;
  save(ctx: AppContext, items: z.infer<W>[], actor: Actor): Promise<z.infer<O>[]>;
  remove(ctx: AppContext, id: number, actor: Actor): Promise<void>;
}

export const idParam = z.object({
  id: z.coerce
    .number({ error: 'id must be a whole number' })
    .int('id must be a whole number')
    .min(1, 'id must be 1 or more')
    .max(2_147_483_647, 'id is too large'),
});

export const MAX_POST_ITEMS = 1000;

export function registerHaloResource<Q extends z.ZodRawShape, W extends z.ZodType, O extends z.ZodType>(
  app: FastifyInstance,
  ctx: AppContext,
  res: HaloResource<Q, W, O>,
): void {
  // Generic over the resource's schemas, so the handlers cast what the zod validator already checked.
  const r = app;
  const query = haloListQuery.extend(res.query);
  const base = `/api/${res.path}`;
  const listResponse = z.union([
    z.object({
      page_no: z.number(),
      page_size: z.number(),
      record_count: z.number(),
      [res.listKey]: z.array(res.output),
    }),
    z.array(res.output),
  ]);

  r.get(
    base,
    {
      schema: {
        tags: [res.tag],
        summary: `List ${res.path}`,
        querystring: query,
        response: { 200: listResponse },
      } as FastifySchema,
    },
    async (request) => {
      const q = request.query as HaloListQuery;
      const p = paging(q);
      const { rows, total } = await res.list(ctx, q as never, p);
      if (res.bareArray && !q.pageinate) return rows;
      return envelope(res.listKey, rows, total, p);
    },
  );

  r.get(
    `${base}/:id`,
    {
      schema: {
        tags: [res.tag],
        summary: `Get one ${res.path}`,
        params: idParam,
        response: { 200: res.output },
      } as FastifySchema,
    },
    async (request) => res.get(ctx, (request.params as { id: number }).id),
  );

  // Halo posts arrays; a lone object is accepted too, as a convenience for hand-written calls.
  const body = z.preprocess(
    (v) => (Array.isArray(v) ? v : v && typeof v === 'object' ? [v] : v),
    z
      .array(res.write, { error: 'the body must be a JSON array of records' })
      .min(1, 'send at least one record')
      .max(MAX_POST_ITEMS, `send at most ${MAX_POST_ITEMS} records per request`),
  );
  r.post(
    base,
    {
      config: { adminOnly: res.adminWrite },
      schema: {
        tags: [res.tag],
        summary: `Create (no id) or update (with id, only the fields sent) ${res.path} records`,
        body,
        response: { 200: z.union([res.output, z.array(res.output)]) },
      } as FastifySchema,
    },
    async (request) => {
      const items = request.body as z.infer<W>[];
      const saved = await res.save(ctx, items, actorOf(request));
      return saved.length === 1 ? saved[0] : saved;
    },
  );

  r.delete(
    `${base}/:id`,
    {
      config: { adminOnly: res.adminWrite },
      schema: {
        tags: [res.tag],
        summary: `Delete one ${res.path}`,
        params: idParam,
        response: { 200: z.object({ id: z.number(), deleted: z.literal(true) }) },
      } as FastifySchema,
    },
    async (request) => {
      const { id } = request.params as { id: number };
      await res.remove(ctx, id, actorOf(request));
      return { id, deleted: true as const };
    },
  );
}
