import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path, { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { bootContext } from '../src/app/boot.js';
import { createApplication } from '../src/auth/accounts.js';
import { clientCredentialsGrant } from '../src/auth/tokens.js';
import { loadConfig } from '../src/core/config.js';
import { silentLogger } from '../src/core/logger.js';
import { buildServer } from '../src/http/server.js';

/**
 * Assets API benchmark (issue text): bulk-create assets through `POST /api/Asset` in arrays of 500 over
 * real HTTP, then list them page by page (`pageinate=true&page_size=50`) at ~200 page numbers spread
 * over the whole range, with and without a client_id filter. Reports assets/s, list p50/p95/p99 and
 * peak RSS for PGlite and PostgreSQL side by side. Goal: a list page under 50 ms p95 with 100,000
 * assets on PostgreSQL.
 *
 * Each backend runs in its own process (this file in --worker mode), so its peak RSS is its own: PGlite
 * lives inside the process, PostgreSQL is a server outside it.
 *
 * Run: npx tsx bench/assets-api.bench.ts [--quick] [--count N] [--only pglite|postgres]
 *      (PostgreSQL at BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres)
 */

const SELF = fileURLToPath(import.meta.url);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BATCH = 500;
const PAGE_SIZE = 50;
const CLIENTS = 5;
const PG_ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

type Backend = 'pglite' | 'postgres';

interface Latencies {
  samples: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

function percentiles(ms: number[]): Latencies {
  const s = [...ms].sort((a, b) => a - b);
  const at = (p: number) => Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! * 100) / 100;
  return { samples: s.length, p50: at(50), p95: at(95), p99: at(99), max: at(100) };
}

/** Peak RSS sampled every 50 ms, overall and per phase. */
class RssSampler {
  peak = 0;
  private phasePeak = 0;
  private readonly timer: NodeJS.Timeout;
  constructor() {
    this.timer = setInterval(() => this.sample(), 50);
    this.timer.unref();
  }
  sample(): void {
    const rss = process.memoryUsage().rss;
    if (rss > this.peak) this.peak = rss;
    if (rss > this.phasePeak) this.phasePeak = rss;
  }
  /** Peak since the last call, in MB. */
  phase(): number {
    this.sample();
    const mb = Math.round(this.phasePeak / 1e5) / 10;
    this.phasePeak = 0;
    return mb;
  }
  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return Math.round(this.peak / 1e5) / 10;
  }
}

async function http(base: string, token: string, method: string, url: string, body?: unknown): Promise<any> {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url} -> ${res.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text);
}

/** One backend, in this process: fresh database, real HTTP server, bulk create, paged list. */
async function benchBackend(backend: Backend, count: number, listSamples: number): Promise<Record<string, unknown>> {
  const rss = new RssSampler();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'keel-bench-'));
  let dbName: string | null = null;
  let dbUrl: string | undefined;
  if (backend === 'postgres') {
    dbName = `keel_bench_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const u = new URL(PG_ADMIN_URL);
    u.pathname = `/${dbName}`;
    dbUrl = u.toString();
  }
  const t0 = performance.now();
  const config = loadConfig({
    KEEL_DATA_DIR: dataDir,
    KEEL_SECRET_KEY: 'bench',
    LOG_LEVEL: 'silent',
    ...(dbUrl ? { DATABASE_URL: dbUrl } : {}),
  });
  const ctx = await bootContext(config, silentLogger); // opens, migrates and seeds
  const app = await buildServer(ctx, { logger: false });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const startupMs = Math.round(performance.now() - t0);
  try {
    const application = await createApplication(ctx.db, 'bench', 'admin');
    const token = (
      await clientCredentialsGrant(ctx.db, new Date(), 3600, application.client_id, application.client_secret)
    ).access_token;

    const clients = (await http(
      base,
      token,
      'POST',
      '/api/Client',
      Array.from({ length: CLIENTS }, (_, i) => ({ name: `Bench Customer ${i + 1}` })),
    )) as { id: number; main_site_id: number }[];
    const fields = (await http(base, token, 'GET', '/api/Field')) as { id: number; name: string }[];
    const fid = (name: string) => fields.find((f) => f.name === name)!.id;
    const type = await http(base, token, 'POST', '/api/AssetType', [
      { name: 'Bench Workstation', assetgroup_id: 1, keyfield_id: fid('Serial Number') },
    ]);
    const setupRss = rss.phase();

    // Bulk create: count/500 requests of 500 assets, one after another.
    const batches = Math.ceil(count / BATCH);
    const postMs: number[] = [];
    const c0 = performance.now();
    for (let b = 0; b < batches; b++) {
      const n = Math.min(BATCH, count - b * BATCH);
      const body = Array.from({ length: n }, (_, j) => {
        const i = b * BATCH + j;
        const client = clients[i % CLIENTS]!;
        return {
          inventory_number: `INV-${String(i).padStart(7, '0')}`,
          client_id: client.id,
          site_id: client.main_site_id,
          assettype_id: type.id,
          atera_id: i % 2 === 0 ? `atera-${i}` : undefined,
          fields: [
            { id: fid('Serial Number'), value: `SN${i}` },
            { id: fid('Manufacturer'), value: i % 3 === 0 ? 'Dell' : 'Lenovo' },
            { id: fid('Model'), value: `Model ${i % 17}` },
            { id: fid('Operating System'), value: 'Windows 11 Pro' },
            { id: fid('IP Address'), value: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` },
            { id: fid('Last Seen'), value: '2026-01-02T03:04:05Z' },
          ],
        };
      });
      const r0 = performance.now();
      const saved = (await http(base, token, 'POST', '/api/Asset', body)) as unknown[];
      postMs.push(performance.now() - r0);
      if (!Array.isArray(saved) || saved.length !== n)
        throw new Error(`batch ${b} saved ${JSON.stringify(saved).length}`);
    }
    const createSeconds = (performance.now() - c0) / 1000;
    const createRss = rss.phase();

    // List: page numbers spread evenly over the whole range, unfiltered and by client.
    const measure = async (qs: string, total: number, n: number): Promise<number[]> => {
      const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
      const numbers = Array.from({ length: n }, (_, i) => 1 + Math.round((i * (pages - 1)) / Math.max(1, n - 1)));
      for (const p of numbers.slice(0, 5)) await http(base, token, 'GET', `/api/Asset?${qs}&page_no=${p}`); // warm-up
      const ms: number[] = [];
      for (const p of numbers) {
        const r0 = performance.now();
        const page = await http(base, token, 'GET', `/api/Asset?${qs}&page_no=${p}`);
        ms.push(performance.now() - r0);
        if (page.record_count !== total) throw new Error(`record_count ${page.record_count} != ${total} for ${qs}`);
        if (page.assets.length === 0) throw new Error(`empty page ${p} for ${qs}`);
      }
      return ms;
    };
    const half = Math.ceil(listSamples / 2);
    const all = await measure(`pageinate=true&page_size=${PAGE_SIZE}`, count, half);
    const perClient = Math.ceil((count - 0) / CLIENTS);
    const byClient = await measure(
      `pageinate=true&page_size=${PAGE_SIZE}&client_id=${clients[0]!.id}`,
      perClient,
      listSamples - half,
    );
    const listRss = rss.phase();
    return {
      backend,
      assets: count,
      batchSize: BATCH,
      startupMs,
      create: {
        seconds: Math.round(createSeconds * 100) / 100,
        assetsPerSecond: Math.round(count / createSeconds),
        postLatencyMs: percentiles(postMs),
      },
      list: {
        pageSize: PAGE_SIZE,
        all: percentiles([...all, ...byClient]),
        unfiltered: percentiles(all),
        byClient: percentiles(byClient),
      },
      peakRssMb: { setup: setupRss, create: createRss, list: listRss, overall: rss.stop() },
    };
  } finally {
    await app.close();
    await ctx.database.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (dbName) {
      const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await admin.end();
    }
  }
}

/** Runs one backend in a fresh process and returns the JSON it prints. */
async function runWorker(backend: Backend, count: number, listSamples: number): Promise<Record<string, unknown>> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', SELF, '--worker', backend, '--count', String(count), '--samples', String(listSamples)],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`the ${backend} worker exited with ${code}`);
  return JSON.parse(out.slice(out.indexOf('{')));
}

export async function runAssetsApiBench(opts: {
  count?: number;
  quick?: boolean;
  /** Run one backend only (development). */
  only?: Backend;
}): Promise<object> {
  const count = opts.count ?? (opts.quick ? 10_000 : 100_000);
  const listSamples = opts.quick ? 100 : 200;
  const loadAtStart = loadavg().map((l) => Math.round(l * 100) / 100);
  const only = opts.only;
  const pglite = only === 'postgres' ? null : await runWorker('pglite', count, listSamples);
  const postgres = only === 'pglite' ? null : await runWorker('postgres', count, listSamples);
  if (!pglite || !postgres) return { bench: 'assets-api', count, pglite, postgres };
  const p95 = (r: Record<string, unknown>) => (r.list as { all: Latencies }).all.p95;
  return {
    bench: 'assets-api',
    node: process.version,
    mode: opts.quick ? 'quick' : 'full',
    /** Other work on the machine skews latencies: the 1/5/15-minute load averages at start and end. */
    machine: { cpus: availableParallelism(), loadAtStart, loadAtEnd: loadavg().map((l) => Math.round(l * 100) / 100) },
    goal: 'list page p95 < 50 ms with 100,000 assets on PostgreSQL',
    goalMet: count >= 100_000 ? p95(postgres) < 50 : null,
    summary: {
      assetsPerSecond: {
        pglite: (pglite.create as { assetsPerSecond: number }).assetsPerSecond,
        postgres: (postgres.create as { assetsPerSecond: number }).assetsPerSecond,
      },
      listP50Ms: {
        pglite: (pglite.list as { all: Latencies }).all.p50,
        postgres: (postgres.list as { all: Latencies }).all.p50,
      },
      listP95Ms: { pglite: p95(pglite), postgres: p95(postgres) },
      peakRssMb: {
        pglite: (pglite.peakRssMb as { overall: number }).overall,
        postgres: (postgres.peakRssMb as { overall: number }).overall,
      },
    },
    pglite,
    postgres,
  };
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const worker = arg('worker') as Backend | undefined;
  if (worker) {
    const result = await benchBackend(worker, Number(arg('count')), Number(arg('samples')));
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const count = arg('count') ? Number(arg('count')) : undefined;
  const result = await runAssetsApiBench({ count, quick: argv.includes('--quick'), only: arg('only') as Backend });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === SELF) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
