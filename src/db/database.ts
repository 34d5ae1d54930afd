import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import pg from 'pg';
import { DEFAULT_PGLITE_SHARED_BUFFERS } from '../core/config.js';
import { prepareRepeatedStatements } from './prepared.js';
import { attachReadCache, ReadCache } from './read-cache.js';
import type { DB } from './schema.js';

export type DatabaseKind = 'pglite' | 'postgres';

export interface Database {
  db: Kysely<DB>;
  kind: DatabaseKind;
  /** The embedded engine, when kind is pglite (pg-boss attaches to it with fromPglite). */
  pglite?: PGlite;
  /** Connection string, when kind is postgres (pg-boss opens its own pool). */
  url?: string;
  close(): Promise<void>;
}

// OIDs of types whose default JS parsing differs between pg and PGlite. Aligned once so both drivers
// return the same values: int8/numeric as numbers, timestamps as ISO strings, dates as 'YYYY-MM-DD'.
const INT8 = 20;
const NUMERIC = 1700;
const DATE = 1082;
const TIMESTAMP = 1114;
const UTC_TEXT = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?(?:\+00)?$/;
const TIMESTAMPTZ = 1184;
const INTERVAL = 1186;

/** PostgreSQL text timestamps ('2026-01-02 03:04:05.123+00') → ISO 8601 UTC. */
export function toIsoTimestamp(text: string): string {
  // The form a UTC session sends, rewritten without a Date round trip: every listed row has two or more
  // timestamps, and parsing them through Date cost ~0.1 ms per asset page (the same output: milliseconds
  // truncated, as Date does).
  const m = UTC_TEXT.exec(text);
  if (m) return `${m[1]}T${m[2]}.${(m[3] ?? '').padEnd(3, '0').slice(0, 3)}Z`;
  let s = text.replace(' ', 'T');
  if (/[+-]\d\d$/.test(s)) s += ':00';
  else if (!/(Z|[+-]\d\d:\d\d)$/.test(s)) s += 'Z';
  return new Date(s).toISOString();
}

const parsers: Record<number, (v: string) => unknown> = {
  [INT8]: (v) => Number(v),
  [NUMERIC]: (v) => Number(v),
  [DATE]: (v) => v,
  [TIMESTAMP]: toIsoTimestamp,
  [TIMESTAMPTZ]: toIsoTimestamp,
  [INTERVAL]: (v) => v,
};

/**
 * Creates a new PGlite database directory in a worker thread that then exits.
 * Why: creating one runs initdb inside the WebAssembly runtime, and an instance that did so keeps ~500 MB more
 * resident for its whole life than one that opened an existing directory (measured: RSS 850 MB vs 350 MB).
 * Closing it does not give that back until V8 happens to collect it; a worker's memory goes when it exits.
 */
async function createPgliteDirectory(dataDir: string): Promise<void> {
  const worker = new Worker(
    `const { workerData } = require('node:worker_threads');
     import(workerData.module).then(async ({ PGlite }) => { await (await PGlite.create(workerData.dataDir)).close(); });`,
    { eval: true, workerData: { module: import.meta.resolve('@electric-sql/pglite'), dataDir } },
  );
  await new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`creating the database in ${dataDir} failed (exit ${code})`)),
    );
  });
}

export async function openPglite(
  dataDir: string | undefined,
  loadDataDir?: Blob,
  sharedBuffers = DEFAULT_PGLITE_SHARED_BUFFERS,
): Promise<PGlite> {
  if (dataDir) {
    const fresh = !existsSync(join(dataDir, 'PG_VERSION'));
    mkdirSync(dataDir, { recursive: true });
    if (fresh && !loadDataDir) await createPgliteDirectory(dataDir);
  }
  const pglite = await PGlite.create(dataDir, {
    parsers,
    loadDataDir,
    startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${sharedBuffers}`],
  });
  await pglite.exec(`SET TIME ZONE 'UTC'`);
  return pglite;
}

/** Called with every SQL statement executed (benchmarks count writes with it). */
export type QueryObserver = (sql: string) => void;

/** How long cached hot reads (see read-cache.ts) may miss a change made by another process. */
export const READ_CACHE_TTL_MS = 5_000;

/** Every statement goes to the read cache (writes invalidate it) and to the observer, if any. */
function withReadCache(make: (log: (e: { query: { sql: string } }) => void) => Kysely<DB>, observer?: QueryObserver) {
  const reads = new ReadCache(READ_CACHE_TTL_MS);
  const db = make((e) => {
    reads.noteStatement(e.query.sql);
    observer?.(e.query.sql);
  });
  attachReadCache(db, reads);
  return db;
}

export function kyselyForPglite(pglite: PGlite, observer?: QueryObserver): Kysely<DB> {
  return withReadCache((log) => new Kysely<DB>({ dialect: new PGliteDialect({ pglite }), log }), observer);
}

export async function openDatabase(opts: {
  url?: string;
  dataDir?: string;
  pglite?: PGlite;
  poolSize?: number;
  observer?: QueryObserver;
  /** PostgreSQL only: run repeated statements as named prepared statements (prepared.ts); default on. */
  preparedStatements?: boolean;
  /** PGlite only: its shared_buffers (default DEFAULT_PGLITE_SHARED_BUFFERS). */
  pgliteSharedBuffers?: string;
}): Promise<Database> {
  if (opts.url) {
    const pool = new pg.Pool({
      connectionString: opts.url,
      max: opts.poolSize ?? 10,
      options: '-c TimeZone=UTC',
      types: {
        getTypeParser: ((oid: number, format?: string) =>
          parsers[oid] ?? pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
      },
    });
    // A server restart or a terminated backend must not crash the process: idle clients report through the
    // pool, checked-out clients through their own 'error' event; either way the query in flight fails
    // and the run records it.
    pool.on('error', () => {});
    pool.on('connect', (client) => {
      client.on('error', () => {});
      if (opts.preparedStatements !== false) prepareRepeatedStatements(client);
    });
    const db = withReadCache((log) => new Kysely<DB>({ dialect: new PostgresDialect({ pool }), log }), opts.observer);
    return { db, kind: 'postgres', url: opts.url, close: () => db.destroy() };
  }
  const pglite = opts.pglite ?? (await openPglite(opts.dataDir, undefined, opts.pgliteSharedBuffers));
  const db = kyselyForPglite(pglite, opts.observer);
  return {
    db,
    kind: 'pglite',
    pglite,
    close: async () => {
      await db.destroy();
      if (!pglite.closed) await pglite.close();
    },
  };
}
