import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type AppContext, createContext } from '../../src/app/context.js';
import { systemClock } from '../../src/core/clock.js';
import { loadConfig } from '../../src/core/config.js';
import { SecretBox } from '../../src/core/crypto.js';
import { silentLogger } from '../../src/core/logger.js';
import { openDatabase, type QueryObserver } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrator.js';
import { seedDefaults } from '../../src/db/seed.js';
import { registerAlertCloseHandler } from '../../src/integrations/atera/alerts/outbox.js';

/** A Keel context for a benchmark child: PGlite in a temp dir, or the given PostgreSQL database. */
export async function benchContext(databaseUrl: string | undefined, observer?: QueryObserver): Promise<AppContext> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'keel-bench-'));
  const database = await openDatabase(databaseUrl ? { url: databaseUrl, observer } : { dataDir, observer });
  await migrate(database.db);
  await seedDefaults(database.db);
  const ctx = createContext({
    database,
    config: loadConfig({ KEEL_DATA_DIR: dataDir, KEEL_SECRET_KEY: 'bench' }),
    logger: silentLogger,
    secrets: SecretBox.fromConfig('bench', dataDir),
    clock: systemClock,
  });
  registerAlertCloseHandler(ctx);
  return ctx;
}

/** Counts INSERT/UPDATE/DELETE statements per table. */
export function writeCounter(): {
  observer: QueryObserver;
  counts: Map<string, number>;
  reset(): void;
  total(tables: string[]): number;
} {
  const counts = new Map<string, number>();
  return {
    counts,
    observer: (sql) => {
      const m = /^\s*(?:insert into|update|delete from)\s+"([a-z_]+)"/i.exec(sql);
      if (m) counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + 1);
    },
    reset: () => counts.clear(),
    total: (tables) => tables.reduce((n, t) => n + (counts.get(t) ?? 0), 0),
  };
}
