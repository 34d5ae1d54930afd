import { bootContext } from '../app/boot.js';
import { startRuntime } from '../app/runtime.js';
import { ensureAdmin } from '../auth/accounts.js';
import { loadConfig } from '../core/config.js';
import { createLogger } from '../core/logger.js';
import { buildServer } from '../http/server.js';

/** `keel serve`: boot, make sure an admin exists, listen, and shut down cleanly on SIGINT/SIGTERM. */
export async function serveCommand(opts: { port?: string; host?: string; worker?: boolean }): Promise<number> {
  const config = loadConfig({
    ...process.env,
    ...(opts.port ? { PORT: opts.port } : {}),
    ...(opts.host ? { HOST: opts.host } : {}),
  });
  const logger = createLogger({ level: config.logLevel });
  const ctx = await bootContext(config, logger);
  const admin = await ensureAdmin(ctx.db, config.adminPassword);
  // With --no-worker this process only serves HTTP (and sends jobs); `keel worker` processes execute them.
  const runtime = await startRuntime(ctx, { worker: opts.worker !== false });
  const app = await buildServer(ctx);
  const address = await app.listen({ port: config.port, host: config.host });
  process.stdout.write(`Keel is running at ${address} (database: ${ctx.database.kind})\n`);
  if (admin.generated) {
    process.stdout.write(
      `Sign in as "admin" with the password ${admin.generated} (shown once; change it with keel admin reset-password)\n`,
    );
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await app.close();
  await runtime.stop();
  await ctx.database.close();
  return 0;
}

/** `keel worker`: executes jobs and runs the scheduler, without the web server (PostgreSQL deployments scale out with several). */
export async function workerCommand(): Promise<number> {
  const config = loadConfig();
  if (!config.databaseUrl) {
    process.stderr.write(
      'note: with the embedded database, `keel serve` already runs a worker; separate workers need DATABASE_URL (PostgreSQL)\n',
    );
  }
  const logger = createLogger({ level: config.logLevel });
  const ctx = await bootContext(config, logger);
  const runtime = await startRuntime(ctx, { worker: true });
  process.stdout.write(`Keel worker started (database: ${ctx.database.kind})\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await runtime.stop();
  await ctx.database.close();
  return 0;
}
