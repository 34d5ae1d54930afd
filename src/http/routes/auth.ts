import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app/context.js';
import { LoginLimiter } from '../../auth/login-limiter.js';
import { clientCredentialsGrant, type IssuedToken, passwordGrant, revokeToken } from '../../auth/tokens.js';
import { AppError } from '../../core/errors.js';

const tokenBody = z.object({
  grant_type: z.enum(['client_credentials', 'password'], {
    error: 'grant_type must be client_credentials or password',
  }),
  client_id: z.string().max(200).optional(),
  client_secret: z.string().max(500).optional(),
  username: z.string().max(200).optional(),
  password: z.string().max(500).optional(),
  scope: z.string().max(500).optional(),
});

const tokenResponse = z.object({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number(),
  scope: z.string(),
});

/** Halo's auth flow: GET /api/authinfo → auth_url; POST <auth_url>/token (form or JSON) → bearer token. */
export function authRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const limiter = new LoginLimiter();

  r.get(
    '/api/authinfo',
    {
      config: { public: true },
      schema: {
        tags: ['Auth'],
        summary: 'Where to get a token',
        response: { 200: z.object({ auth_url: z.string(), tenant_id: z.string().nullable() }) },
      },
    },
    async (request) => {
      const base = ctx.config.publicUrl ?? `${request.protocol}://${request.host}`;
      return { auth_url: `${base.replace(/\/$/, '')}/auth`, tenant_id: null };
    },
  );

  r.post(
    '/auth/token',
    {
      config: { public: true },
      schema: { tags: ['Auth'], summary: 'Get a bearer token', body: tokenBody, response: { 200: tokenResponse } },
    },
    async (request, reply) => {
      const b = request.body;
      const now = ctx.clock.now();
      const subject = (b.grant_type === 'password' ? b.username : b.client_id) ?? '';
      const keys = [`ip:${request.ip}`, `user:${subject.toLowerCase()}`];
      const wait = limiter.retryAfter(keys, now.getTime());
      if (wait > 0) {
        reply.header('retry-after', String(wait));
        throw new AppError('rate_limited', `Too many failed sign-ins; try again in ${wait} s`);
      }
      try {
        let token: IssuedToken;
        if (b.grant_type === 'password') {
          if (!b.username || !b.password) {
            throw new AppError('validation', 'username and password are required for grant_type=password', [
              { path: 'body.username', message: 'required' },
            ]);
          }
          token = await passwordGrant(ctx.db, now, ctx.config.tokenTtlSeconds, b.username, b.password);
        } else {
          if (!b.client_id || !b.client_secret) {
            throw new AppError(
              'validation',
              'client_id and client_secret are required for grant_type=client_credentials',
              [{ path: 'body.client_id', message: 'required' }],
            );
          }
          token = await clientCredentialsGrant(ctx.db, now, ctx.config.tokenTtlSeconds, b.client_id, b.client_secret);
        }
        limiter.succeed(keys[1]!);
        return token;
      } catch (e) {
        if (e instanceof AppError && e.code === 'unauthorized') limiter.fail(keys, now.getTime());
        throw e;
      }
    },
  );

  r.post(
    '/auth/logout',
    { schema: { tags: ['Auth'], summary: 'Revoke the bearer token sent with this request' } },
    async (request, reply) => {
      const m = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
      if (m) await revokeToken(ctx.db, m[1]!);
      return reply.status(204).send();
    },
  );
}
