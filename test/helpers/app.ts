import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { bootContext } from '../../src/app/boot.js';
import type { AppContext } from '../../src/app/context.js';
import { type Runtime, startRuntime } from '../../src/app/runtime.js';
import { createApplication } from '../../src/auth/accounts.js';
import { clientCredentialsGrant } from '../../src/auth/tokens.js';
import { loadConfig } from '../../src/core/config.js';
import { hashPassword } from '../../src/core/crypto.js';
import { silentLogger } from '../../src/core/logger.js';
import type { Database } from '../../src/db/database.js';
import { buildServer, type ServerOptions } from '../../src/http/server.js';

export interface TestApp {
  ctx: AppContext;
  app: FastifyInstance;
  adminToken: string;
  techToken: string;
  /** The job queue with a worker (no scheduler timer: tests call runtime.tick with their own clock). */
  runtime: Runtime | null;
  /** JSON request through Fastify's inject (no socket), as the admin unless a token is given. */
  call(
    method: string,
    url: string,
    body?: unknown,
    token?: string | null,
  ): Promise<{ status: number; body: any; headers: Record<string, unknown> }>;
  close(): Promise<void>;
}

export async function startTestApp(
  database: Database,
  opts: ServerOptions & { env?: NodeJS.ProcessEnv; jobs?: boolean } = {},
): Promise<TestApp> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'keel-test-'));
  const config = loadConfig({ KEEL_DATA_DIR: dataDir, KEEL_SECRET_KEY: 'test-secret', ...opts.env });
  const ctx = await bootContext(config, silentLogger, { database });
  const runtime = opts.jobs === false ? null : await startRuntime(ctx, { worker: true, scheduler: false });
  const app = await buildServer(ctx, { ...opts, logger: false });
  await app.ready();
  const now = new Date();
  const admin = await createApplication(ctx.db, 'test-admin', 'admin');
  const tech = await createApplication(ctx.db, 'test-tech', 'technician');
  const adminToken = (await clientCredentialsGrant(ctx.db, now, 3600, admin.client_id, admin.client_secret))
    .access_token;
  const techToken = (await clientCredentialsGrant(ctx.db, now, 3600, tech.client_id, tech.client_secret)).access_token;
  return {
    ctx,
    app,
    adminToken,
    techToken,
    runtime,
    async call(method, url, body, token = adminToken) {
      const res = await app.inject({
        method: method as 'GET',
        url,
        headers: token ? { authorization: `Bearer ${token}` } : {},
        ...(body !== undefined ? { payload: body as object } : {}),
      });
      let parsed: unknown = res.body;
      try {
        parsed = res.body ? JSON.parse(res.body) : null;
      } catch {
        // not JSON (docs page): keep the text
      }
      return { status: res.statusCode, body: parsed, headers: res.headers };
    },
    close: async () => {
      await runtime?.stop();
      await app.close();
    },
  };
}

/** An agent with a password, for tests of the password grant and of roles. */
export async function createAgent(
  ctx: AppContext,
  login: string,
  password: string,
  role: 'admin' | 'technician' = 'technician',
) {
  return ctx.db
    .insertInto('agent')
    .values({ name: login, login, role, password_hash: await hashPassword(password) })
    .returning('id')
    .executeTakeFirstOrThrow();
}
