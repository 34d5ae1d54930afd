import { type Clock, systemClock } from '../core/clock.js';
import type { KeelConfig } from '../core/config.js';
import { SecretBox } from '../core/crypto.js';
import type { Logger } from '../core/logger.js';
import { type Database, openDatabase } from '../db/database.js';
import { migrate } from '../db/migrator.js';
import { seedDefaults } from '../db/seed.js';
import { registerAlertCloseHandler } from '../integrations/atera/alerts/outbox.js';
import { type AppContext, createContext } from './context.js';

/** Opens the database named by the config (PostgreSQL when DATABASE_URL, else PGlite in the data dir), migrates and seeds it. */
export async function openConfiguredDatabase(config: KeelConfig): Promise<Database> {
  const database = await openDatabase(
    config.databaseUrl
      ? { url: config.databaseUrl, preparedStatements: config.pgPreparedStatements }
      : { dataDir: `${config.dataDir}/pglite`, pgliteSharedBuffers: config.pgliteSharedBuffers },
  );
  await migrate(database.db);
  await seedDefaults(database.db);
  return database;
}

export async function bootContext(
  config: KeelConfig,
  logger: Logger,
  opts: { database?: Database; clock?: Clock } = {},
): Promise<AppContext> {
  const database = opts.database ?? (await openConfiguredDatabase(config));
  const ctx = createContext({
    database,
    config,
    logger,
    secrets: SecretBox.fromConfig(config.secretKey, config.dataDir),
    clock: opts.clock ?? systemClock,
  });
  // Integrations observe ticket closes in every process that can close a ticket (server and worker).
  registerAlertCloseHandler(ctx);
  return ctx;
}
