import path from 'node:path';
import { z } from 'zod';
import { AppError } from './errors.js';

/**
 * The embedded database's buffer cache. PGlite's own default (128MB) becomes resident as a large database is
 * read (the RSS of a 100,000-device import grew by it); reads past the cache come from the OS page cache.
 */
export const DEFAULT_PGLITE_SHARED_BUFFERS = '32MB';

/** Everything Keel reads from the environment, parsed once; a bad value stops start-up with its name. */
const envSchema = z.object({
  DATABASE_URL: z.string().min(1).optional(),
  KEEL_DATA_DIR: z.string().min(1).default('./data'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('127.0.0.1'),
  KEEL_SECRET_KEY: z.string().min(1).optional(),
  KEEL_ADMIN_PASSWORD: z.string().min(8, 'KEEL_ADMIN_PASSWORD must be at least 8 characters').optional(),
  KEEL_PUBLIC_URL: z.string().url().optional(),
  KEEL_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).default(3600),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  KEEL_PG_PREPARED_STATEMENTS: z
    .enum(['on', 'off'], { message: 'KEEL_PG_PREPARED_STATEMENTS must be on or off' })
    .default('on'),
  KEEL_PGLITE_SHARED_BUFFERS: z
    .string()
    .regex(/^[1-9]\d*(kB|MB|GB)$/, 'KEEL_PGLITE_SHARED_BUFFERS must be a size such as 32MB')
    .default(DEFAULT_PGLITE_SHARED_BUFFERS),
});

export type KeelConfig = {
  databaseUrl?: string;
  dataDir: string;
  port: number;
  host: string;
  secretKey?: string;
  adminPassword?: string;
  publicUrl?: string;
  tokenTtlSeconds: number;
  logLevel: string;
  /** Named prepared statements on PostgreSQL (off behind a pooler in transaction mode, e.g. older PgBouncer). */
  pgPreparedStatements: boolean;
  /** PGlite's shared_buffers (a PostgreSQL size such as 32MB). */
  pgliteSharedBuffers: string;
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): KeelConfig {
  // An empty variable (DATABASE_URL=) means "not set", as shells and .env files commonly write it.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new AppError(
      'validation',
      `Invalid environment: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
      details,
    );
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.KEEL_DATA_DIR),
    port: e.PORT,
    host: e.HOST,
    secretKey: e.KEEL_SECRET_KEY,
    adminPassword: e.KEEL_ADMIN_PASSWORD,
    publicUrl: e.KEEL_PUBLIC_URL,
    tokenTtlSeconds: e.KEEL_TOKEN_TTL_SECONDS,
    logLevel: e.LOG_LEVEL,
    pgPreparedStatements: e.KEEL_PG_PREPARED_STATEMENTS === 'on',
    pgliteSharedBuffers: e.KEEL_PGLITE_SHARED_BUFFERS,
  };
}
