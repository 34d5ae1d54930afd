import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { bootContext } from '../../src/app/boot.js';
import type { AppContext } from '../../src/app/context.js';
import { type Runtime, startRuntime } from '../../src/app/runtime.js';
import type { AteraSim } from '../../src/atera-sim/index.js';
import { loadConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/logger.js';
import type { DB } from '../../src/db/schema.js';
import type { SettingsInput } from '../../src/integrations/atera/settings/schema.js';
import { saveAteraSettings } from '../../src/integrations/atera/settings/settings.js';
import { withDatabase } from '../helpers/global-setup.js';
import type { Figures } from './figures.js';

/**
 * Shared machinery of the fault suite (issue 9): PostgreSQL databases made and dropped per test, `keel worker`
 * processes that can be killed with SIGKILL, a canonical dump of what a sync and an alert poll produce (compared
 * by Atera ids, never by local ids or timestamps), invariant checks against the simulator, and the figures.
 */

export const REPO = path.resolve(import.meta.dirname, '../..');
export const LONG = process.env.KEEL_FAULTS_LONG === '1';
export const SECRET = 'faults-secret-key';
/** Per-test timeout: the files also run under `npm test`, whose default (30 s) is far too short for kill cycles. */
export const TEST_TIMEOUT = LONG ? 4 * 3_600_000 : 400_000;
export const HOOK_TIMEOUT = 180_000;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Uniform random integer in [lo, hi]. */
export const randInt = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo + 1));

// ------------------------------------------------------------------ PostgreSQL

/** The server the multi-process tests use: TEST_DATABASE_URL (CI), KEEL_FAULTS_DATABASE_URL, or the local one. */
export function pgServerUrl(): string {
  return (
    process.env.TEST_DATABASE_URL ||
    process.env.KEEL_FAULTS_DATABASE_URL ||
    'postgres://postgres@127.0.0.1:5432/postgres'
  );
}

export async function pgReachable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: pgServerUrl(), connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

export async function adminQuery(text: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: pgServerUrl() });
  await c.connect();
  try {
    return await c.query(text, params);
  } finally {
    await c.end();
  }
}

export interface PgDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

const created = new Set<string>();

/** A fresh, empty database (Keel migrates it on first boot); dropped by drop() or dropAllDatabases(). */
export async function createPgDatabase(tag: string): Promise<PgDatabase> {
  const name = `keel_faults_${tag}_${process.pid}_${randomBytes(3).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  created.add(name);
  return {
    name,
    url: withDatabase(pgServerUrl(), name),
    drop: async () => {
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      created.delete(name);
    },
  };
}

export async function dropAllDatabases(): Promise<void> {
  for (const name of [...created]) {
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
    created.delete(name);
  }
}

/** What a PostgreSQL restart does to its clients: every backend of the database is terminated. */
export async function terminateBackends(database: string): Promise<number> {
  const r = await adminQuery(
    'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
    [database],
  );
  return r.rowCount ?? 0;
}

// ------------------------------------------------------------------ Keel in this process

export interface Keel {
  ctx: AppContext;
  /** A job queue without a worker: requestRun and ctx.jobs.send enqueue for the worker processes. */
  runtime: Runtime | null;
  close(): Promise<void>;
}

/** Boots Keel on a database in this process (migrates and seeds it); with `jobs`, sends jobs to the workers. */
export async function bootKeel(url: string | undefined, opts: { jobs?: boolean } = {}): Promise<Keel> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'keel-faults-'));
  const config = loadConfig({ KEEL_SECRET_KEY: SECRET, KEEL_DATA_DIR: dataDir, ...(url ? { DATABASE_URL: url } : {}) });
  const ctx = await bootContext(config, silentLogger);
  const runtime = opts.jobs ? await startRuntime(ctx, { worker: false }) : null;
  return {
    ctx,
    runtime,
    close: async () => {
      await runtime?.stop().catch(() => {});
      await ctx.database.close().catch(() => {});
    },
  };
}

/** Points Keel at the simulator with the suite's defaults (no schedules: the tests request every run). */
export async function configureAtera(ctx: AppContext, sim: AteraSim, extra: SettingsInput = {}): Promise<void> {
  await saveAteraSettings(ctx, {
    atera_enabled: true,
    atera_url: sim.url,
    atera_apikey: sim.apiKey,
    halointegrator_atera: false,
    atera_delete_devices: true,
    atera_deactivation_threshold: 10,
    atera_requests_per_minute: 100_000,
    atera_timeout_seconds: 10,
    atera_max_attempts: 5,
    ...extra,
  });
}

// ------------------------------------------------------------------ worker processes

export interface WorkerProc {
  id: number;
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
  killed: boolean;
}

/**
 * `keel worker` processes (tsx, no build), each in its own process group so SIGKILL takes the whole of it.
 * Every process started here is remembered and killed by stopAll() and, as a last resort, when this process exits.
 */
export class Workers {
  private readonly all = new Set<WorkerProc>();
  private seq = 0;
  kills = 0;
  starts = 0;

  constructor(
    private readonly url: string,
    private readonly env: Record<string, string> = {},
  ) {
    process.once('exit', () => this.killAllSync());
  }

  async start(): Promise<WorkerProc> {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'keel-faults-worker-'));
    const child = spawn(process.execPath, [path.join(REPO, 'bin/keel.mjs'), 'worker'], {
      cwd: REPO,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? tmpdir(),
        DATABASE_URL: this.url,
        KEEL_SECRET_KEY: SECRET,
        KEEL_DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const w: WorkerProc = {
      id: ++this.seq,
      child,
      output: [],
      killed: false,
      exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    };
    this.all.add(w);
    this.starts++;
    const keep = (chunk: Buffer) => {
      w.output.push(chunk.toString());
      if (w.output.length > 400) w.output.splice(0, w.output.length - 400);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const started = await Promise.race([
      new Promise<boolean>((resolve) => {
        const check = () => {
          if (w.output.join('').includes('Keel worker started')) {
            child.stdout!.off('data', check);
            resolve(true);
          }
        };
        child.stdout!.on('data', check);
      }),
      w.exited.then(() => false),
      sleep(60_000).then(() => false),
    ]);
    if (!started) {
      this.kill9(w);
      throw new Error(`keel worker ${w.id} did not start:\n${w.output.join('')}`);
    }
    return w;
  }

  /** kill -9 of the worker's process group; resolves once it is gone. */
  async kill9(w: WorkerProc): Promise<void> {
    if (!w.killed && w.child.exitCode === null && w.child.pid) {
      w.killed = true;
      try {
        process.kill(-w.child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await w.exited;
    this.all.delete(w);
  }

  /** A graceful stop (SIGTERM), SIGKILL if it takes longer than 15 s. */
  async stop(w: WorkerProc): Promise<void> {
    if (w.child.exitCode === null && w.child.pid) {
      try {
        process.kill(w.child.pid, 'SIGTERM');
      } catch {
        // gone
      }
      const done = await Promise.race([w.exited.then(() => true), sleep(15_000).then(() => false)]);
      if (!done) await this.kill9(w);
    }
    this.all.delete(w);
  }

  running(): WorkerProc[] {
    return [...this.all];
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.all].map((w) => this.kill9(w)));
  }

  private killAllSync(): void {
    for (const w of this.all) {
      try {
        if (w.child.pid && w.child.exitCode === null) process.kill(-w.child.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }

  /** The last lines every worker wrote (for a failure message). */
  logs(): string {
    return [...this.all].map((w) => `--- worker ${w.id}\n${w.output.join('').slice(-4000)}`).join('\n');
  }
}

// ------------------------------------------------------------------ canonical state

/**
 * Everything a sync and an alert poll produce, keyed by Atera ids (local ids, timestamps and run ids
 * legitimately differ between two databases and are left out). Two databases that went through the same
 * Atera history must dump identically, however often their workers were killed on the way.
 */
export async function canonicalDump(db: Kysely<DB>): Promise<Record<string, unknown[]>> {
  const clients = await sql<Record<string, unknown>>`
    SELECT c.name, c.ateraid, c.website, c.inactive, c.notes, c.customfields::text AS customfields, s.ateraid AS main_site_ateraid, s.name AS main_site_name
    FROM client c LEFT JOIN site s ON s.id = c.main_site_id
    ORDER BY c.ateraid NULLS LAST, c.name`.execute(db);
  const sites = await sql<Record<string, unknown>>`
    SELECT s.name, s.ateraid, s.address, s.city, s.state, s.postcode, s.country, s.phonenumber, s.inactive, c.ateraid AS client_ateraid, c.name AS client_name
    FROM site s JOIN client c ON c.id = s.client_id
    ORDER BY s.ateraid NULLS LAST, c.name, s.name`.execute(db);
  const assets = await sql<Record<string, unknown>>`
    SELECT a.atera_id, a.inventory_number, a.key_field, a.inactive, a.fields::text AS fields, a.customfields::text AS customfields,
           t.name AS type, c.ateraid AS client_ateraid, s.ateraid AS site_ateraid, u.name AS user_name
    FROM asset a JOIN asset_type t ON t.id = a.assettype_id
    LEFT JOIN client c ON c.id = a.client_id LEFT JOIN site s ON s.id = a.site_id LEFT JOIN users u ON u.id = a.user_id
    ORDER BY a.atera_id NULLS LAST, a.inventory_number`.execute(db);
  // Not the content hash: it covers the resolved site's local id, and serial ids legitimately differ between
  // databases (a killed transaction consumes sequence values), so equal states can carry different hashes.
  const links = await sql<Record<string, unknown>>`
    SELECT l.integration, l.entity, l.external_id, l.origin,
           CASE l.entity WHEN 'customer' THEN (SELECT c.ateraid::text FROM client c WHERE c.id = l.local_id)
                         WHEN 'asset' THEN (SELECT a.atera_id FROM asset a WHERE a.id = l.local_id) END AS local_atera_id
    FROM sync_link l ORDER BY l.integration, l.entity, l.external_id`.execute(db);
  const tickets = await sql<Record<string, unknown>>`
    SELECT t.atera_alert_id, t.summary, t.details, t.isalert, t.dateclosed IS NOT NULL AS closed, st.name AS status, t.priority_id,
           c.ateraid AS client_ateraid, s.ateraid AS site_ateraid,
           (SELECT string_agg(a.atera_id, ',' ORDER BY a.atera_id) FROM ticket_asset ta JOIN asset a ON a.id = ta.asset_id WHERE ta.ticket_id = t.id) AS assets,
           (SELECT count(*) FROM action x WHERE x.ticket_id = t.id AND x.new_status IS NOT NULL) AS status_changes
    FROM ticket t JOIN status st ON st.id = t.status_id LEFT JOIN client c ON c.id = t.client_id LEFT JOIN site s ON s.id = t.site_id
    ORDER BY t.atera_alert_id NULLS LAST, t.summary`.execute(db);
  const alerts = await sql<Record<string, unknown>>`
    SELECT a.alert_id, a.state, a.disposition, a.condition_key, a.agent_id, a.severity, a.title, t.atera_alert_id AS ticket_of_alert
    FROM atera_alert a LEFT JOIN ticket t ON t.id = a.ticket_id ORDER BY a.alert_id`.execute(db);
  const outbox = await sql<Record<string, unknown>>`
    SELECT alert_id, action, status FROM alert_outbox ORDER BY alert_id, action`.execute(db);
  return {
    client: clients.rows,
    site: sites.rows,
    asset: assets.rows,
    sync_link: links.rows,
    ticket: tickets.rows,
    atera_alert: alerts.rows,
    alert_outbox: outbox.rows,
  };
}

/** Row-level differences between two dumps, as readable lines (empty when equal). */
export function diffDumps(a: Record<string, unknown[]>, b: Record<string, unknown[]>, max = 20): string[] {
  const out: string[] = [];
  for (const table of Object.keys(a)) {
    const ra = (a[table] ?? []).map((r) => JSON.stringify(r));
    const rb = (b[table] ?? []).map((r) => JSON.stringify(r));
    if (ra.length !== rb.length) out.push(`${table}: ${ra.length} rows vs ${rb.length} rows`);
    const sa = new Set(ra);
    const sb = new Set(rb);
    for (const r of ra) if (!sb.has(r) && out.length < max) out.push(`${table}: only in reference: ${r}`);
    for (const r of rb) if (!sa.has(r) && out.length < max) out.push(`${table}: only in faulted:   ${r}`);
  }
  return out;
}

// ------------------------------------------------------------------ invariants

export interface Violations {
  duplicates: string[];
  wrongDeactivations: string[];
  lostCloses: string[];
  openAgainstResolved: string[];
}

/**
 * The outcomes issue 9 asks for, checked against the simulator's truth:
 * - duplicates: two Keel customers or assets for one Atera record, two tickets for one alert, two open tickets
 *   for one device condition when de-duplication is on;
 * - wrong deactivations: an inactive asset whose device Atera still has (and whose OSType is imported);
 * - lost closes: a ticket closed in Keel whose alert is still open in Atera (once the outbox has drained);
 * - open against resolved: an open alert ticket none of whose alerts is still open in Atera.
 */
export async function checkInvariants(
  db: Kysely<DB>,
  sim: AteraSim,
  opts: { dedupe?: boolean; checkCloses?: boolean; checkOpenTickets?: boolean; importedTypes?: string[] } = {},
): Promise<Violations> {
  const v: Violations = { duplicates: [], wrongDeactivations: [], lostCloses: [], openAgainstResolved: [] };
  const dupClients = await sql<{ ateraid: number; n: number }>`
    SELECT ateraid, count(*)::int AS n FROM client WHERE ateraid IS NOT NULL GROUP BY ateraid HAVING count(*) > 1`.execute(
    db,
  );
  for (const r of dupClients.rows) v.duplicates.push(`Atera customer ${r.ateraid} has ${r.n} Keel customers`);
  const dupLinks = await sql<{ entity: string; local_id: number; n: number }>`
    SELECT entity, local_id, count(*)::int AS n FROM sync_link GROUP BY entity, local_id HAVING count(*) > 1`.execute(
    db,
  );
  for (const r of dupLinks.rows) v.duplicates.push(`${r.entity} ${r.local_id} is linked ${r.n} times`);
  const dupAssets = await sql<{ inventory_number: string; n: number }>`
    SELECT a.atera_id, count(*)::int AS n FROM asset a WHERE a.atera_id IS NOT NULL GROUP BY a.atera_id HAVING count(*) > 1`.execute(
    db,
  );
  for (const r of dupAssets.rows) v.duplicates.push(`asset ${JSON.stringify(r)} twice`);
  const dupTickets = await sql<{ atera_alert_id: number; n: number }>`
    SELECT atera_alert_id, count(*)::int AS n FROM ticket WHERE atera_alert_id IS NOT NULL GROUP BY atera_alert_id HAVING count(*) > 1`.execute(
    db,
  );
  for (const r of dupTickets.rows) v.duplicates.push(`alert ${r.atera_alert_id} has ${r.n} tickets`);
  const alertsWithoutTicket = await sql<{ alert_id: number }>`
    SELECT a.alert_id FROM atera_alert a WHERE a.disposition IN ('ticket', 'deduplicated') AND a.ticket_id IS NULL`.execute(
    db,
  );
  for (const r of alertsWithoutTicket.rows)
    v.duplicates.push(`alert ${r.alert_id} should have a ticket and has none (lost)`);
  if (opts.dedupe) {
    const dupConditions = await sql<{ agent_id: number; condition_key: string; n: number }>`
      SELECT a.agent_id, a.condition_key, count(DISTINCT t.id)::int AS n
      FROM atera_alert a JOIN ticket t ON t.id = a.ticket_id
      WHERE t.dateclosed IS NULL AND a.state IN ('open', 'snoozed')
      GROUP BY a.agent_id, a.condition_key HAVING count(DISTINCT t.id) > 1`.execute(db);
    for (const r of dupConditions.rows)
      v.duplicates.push(`condition ${r.condition_key} on agent ${r.agent_id} has ${r.n} open tickets`);
  }

  const types = new Set(
    (opts.importedTypes ?? ['Work Station', 'Server', 'Domain Controller', 'Mac', 'Linux']).map((t) => t.toLowerCase()),
  );
  const present = new Set(
    sim.state
      .listAgents({})
      .filter((a) => a.OSType && types.has(a.OSType.trim().toLowerCase()))
      .map((a) => String(a.AgentID)),
  );
  const inactive = await db
    .selectFrom('asset')
    .select(['id', 'atera_id'])
    .where('inactive', '=', true)
    .where('atera_id', 'is not', null)
    .execute();
  for (const a of inactive)
    if (present.has(a.atera_id!))
      v.wrongDeactivations.push(`asset ${a.id} (Atera agent ${a.atera_id}) is inactive but the device is in Atera`);

  if (opts.checkCloses !== false) {
    // A ticket closed in Keel (not because Atera resolved it) must have resolved each of its alerts in Atera.
    const closedByKeel = await sql<{ alert_id: number; ticket_id: number }>`
      SELECT o.alert_id, o.ticket_id FROM alert_outbox o WHERE o.action = 'resolve'`.execute(db);
    for (const r of closedByKeel.rows) {
      const a = sim.state.getAlert(r.alert_id);
      if (a && a.Archived !== true)
        v.lostCloses.push(`ticket ${r.ticket_id} was closed in Keel but Atera alert ${r.alert_id} is still open`);
    }
  }
  if (opts.checkOpenTickets !== false) {
    const open = await sql<{ ticket_id: number; alert_ids: string }>`
      SELECT t.id AS ticket_id, string_agg(a.alert_id::text, ',') AS alert_ids
      FROM ticket t JOIN atera_alert a ON a.ticket_id = t.id
      WHERE t.dateclosed IS NULL AND t.isalert GROUP BY t.id`.execute(db);
    for (const r of open.rows) {
      const ids = r.alert_ids.split(',').map(Number);
      const anyOpen = ids.some((id) => {
        const a = sim.state.getAlert(id);
        return a !== undefined && a.Archived !== true;
      });
      if (!anyOpen)
        v.openAgainstResolved.push(
          `ticket ${r.ticket_id} is open but its alert(s) ${r.alert_ids} are resolved or gone in Atera`,
        );
    }
  }
  return v;
}

export const noViolations = (v: Violations) =>
  v.duplicates.length + v.wrongDeactivations.length + v.lostCloses.length + v.openAgainstResolved.length === 0;

// ------------------------------------------------------------------ figures

export { emptyFigures, type Figures, reportFigures } from './figures.js';

export function addViolations(f: Figures, v: Violations): void {
  f.duplicates += v.duplicates.length;
  f.wrongDeactivations += v.wrongDeactivations.length;
  f.lostCloses += v.lostCloses.length;
}

/** Faulted answers in a simulator's call log: 429s, 5xx, injected 401s and dropped connections. */
export function faultedResponses(sim: AteraSim, sinceSeq = 0): number {
  return sim.state
    .callLog({ sinceSeq })
    .filter((c) => c.status === 0 || c.status === 429 || c.status >= 500 || c.status === 401).length;
}
