import { createHash } from 'node:crypto';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';
import type { Logger } from 'pino';
import type { AteraAgent, DecodedPage, PageDecoder } from '../client/index.js';
import type { HashSettings, SoundSnapshot } from './device-hash.js';
import { decodePage, type PageAnswer, type PageRequest, type RunState, runState } from './page-worker-thread.js';

/**
 * Decodes an asset import's agent pages on a second thread, while the main thread reads them.
 *
 * Why: a scheduled sync where little changed spends its time reading pages and deciding, device by device, that
 * nothing changed: the planned fields' JSON and its SHA-1 (~2 µs a device, and the garbage) on top of parsing
 * and checking the page (~12 µs). With the worker, each page body is decoded, checked, hashed and sorted there
 * as it arrives (pages are prefetched), and the main thread receives the page's totals, ids and only the
 * devices that changed: it neither parses nor hashes an unchanged page (page-worker-thread.ts).
 *
 * Only where it pays: the worker starts for a run once the run's sound-link snapshot holds links (a first import
 * has none: every device is new, and the main thread would parse every page anyway). It costs ~25 MB while it
 * runs, so it stops after a minute without runs.
 *
 * An optimisation, never a dependency: pages that arrive before the snapshot, or that the worker cannot decode,
 * are parsed on the main thread as before; pages that arrive after it while the worker is not up, behind, or gone
 * are sorted on the main thread at once with the worker's own decodePage (see decoder). One worker serves the
 * process; each import is a run with its own settings and snapshot.
 */

export type { DecodedAgentsPayload } from './page-worker-thread.js';

type Waiter = (answer: PageAnswer | null) => void;

interface WorkerHandle {
  worker: Worker | null;
  ready: boolean;
  /** Per run, per page: who waits for the answer. */
  waiting: Map<number, Map<number, Waiter>>;
  /** Messages posted while the worker is being built; sent once it exists. */
  queue: [PageRequest, ArrayBuffer[] | undefined][];
  idleTimer: NodeJS.Timeout | null;
}

let shared: WorkerHandle | null = null;
let nextRun = 1;
/** When the worker last failed to start or stopped: it is tried again a minute later, not for every run. */
let failedAt = Number.NEGATIVE_INFINITY;
const RETRY_AFTER_MS = 60_000;
/** Without runs for this long, the worker stops (and its memory is returned). */
const IDLE_MS = 60_000;
/**
 * Pages of one run waiting in the worker at most (half the client's default window); a page that arrives when
 * this many wait is decoded in line (see decoder). Measured with 100,000 unchanged devices, 6-16 were alike.
 */
const MAX_QUEUED = 8;
/**
 * A small young generation: the worker allocates a page's records and drops them, so a large one bought no
 * speed and held ~15 MB more. The old generation holds the snapshots of the runs in progress (a few MB each).
 */
const RESOURCE_LIMITS = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 256 };

function workerHandle(logger: Logger): WorkerHandle | null {
  if (shared) return shared;
  if (Date.now() - failedAt < RETRY_AFTER_MS) return null;
  const handle: WorkerHandle = { worker: null, ready: false, waiting: new Map(), queue: [], idleTimer: null };
  shared = handle;
  const fail = (why: string) => {
    if (shared === handle) {
      shared = null;
      failedAt = Date.now();
      logger.warn({ why }, 'the asset page worker stopped; pages are decoded in line');
    }
    // Every page still owed an answer gets none: the main thread decodes it.
    for (const waiters of handle.waiting.values()) for (const waiter of waiters.values()) waiter(null);
    handle.waiting.clear();
  };
  workerScript()
    .then((script) => {
      if (shared !== handle) return;
      const worker = new Worker(script, { resourceLimits: RESOURCE_LIMITS });
      handle.worker = worker;
      worker.unref();
      worker.on('message', (msg: PageAnswer) => {
        if (msg.kind === 'ready') {
          handle.ready = true;
          return;
        }
        const waiters = handle.waiting.get(msg.run);
        const waiter = waiters?.get(msg.page);
        if (!waiter) return;
        waiters!.delete(msg.page);
        waiter(msg);
      });
      worker.on('error', (e) => fail(e.message));
      worker.on('exit', (code) => fail(`exit ${code}`));
      for (const [msg, transfer] of handle.queue) worker.postMessage(msg, transfer);
      handle.queue = [];
    })
    .catch((e: unknown) => fail(`the worker could not be built: ${(e as Error).message}`));
  return handle;
}

/**
 * The worker's code as one JavaScript file: worker threads do not inherit tsx's TypeScript loader, and loading
 * tsx in the worker cost ~55 MB. Bundled from the sources on first use (~20 ms), so it always matches the code
 * the main thread runs; packages stay imports, resolved from the project's node_modules, where the file lives.
 */
async function workerScript(): Promise<string> {
  const entry = fileURLToPath(new URL('./page-worker-entry.ts', import.meta.url));
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    write: false,
    logLevel: 'silent',
  });
  const code = out.outputFiles[0]!.text;
  const dir = fileURLToPath(new URL('../../../../node_modules/.cache/keel/', import.meta.url));
  const file = `${dir}page-worker-${createHash('sha1').update(code).digest('hex').slice(0, 16)}.mjs`;
  const exists = await stat(file).then(
    () => true,
    () => false,
  );
  if (!exists) {
    await mkdir(dir, { recursive: true });
    // Written under a temporary name and renamed: another process may be starting the same worker.
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, code);
    await rename(tmp, file);
  }
  return file;
}

/**
 * Stops the worker as a crash would (for tests): runs in progress finish on the main thread. The next run starts
 * a new worker.
 */
export async function stopPageWorker(): Promise<void> {
  const h = shared;
  if (!h) return;
  shared = null;
  if (h.idleTimer) clearTimeout(h.idleTimer);
  await h.worker?.terminate();
}

export class AgentPageWorker {
  private readonly run = nextRun++;
  private readonly waiting = new Map<number, Waiter>();
  /** Hashes the worker sent for pages the main thread parses itself ('hashes' answers), until taken. */
  private readonly hashes = new Map<number, Map<number, string>>();
  private handle: WorkerHandle | null = null;
  /** The worker knows this run (snapshot): only then are pages sent to it. */
  private registered = false;
  /** The run as the worker holds it, for pages sorted here; set once the snapshot holds links. */
  private local: RunState | null = null;
  /**
   * Pages the worker decoded and devices it hashed; pages sorted here on arrival because the worker was behind or
   * not there (reported in the run summary).
   */
  readonly stats = { pages_decoded: 0, devices_hashed: 0, pages_sorted_here: 0 };

  /**
   * @param enabled false: every page is decoded in line (the import's `pageWorker` option, for comparisons).
   */
  constructor(
    private readonly settings: HashSettings,
    private readonly logger: Logger,
    private readonly enabled = true,
  ) {}

  /**
   * Starts the worker (or keeps it from stopping) before the snapshot is known, when the run will have links:
   * building and starting it then overlaps the run's own start instead of its first pages. Whatever the
   * snapshot turns out to be, close() lets the worker stop again once no run uses it.
   */
  prepare(): void {
    if (!this.enabled || this.handle) return;
    this.handle = workerHandle(this.logger);
    if (this.handle?.idleTimer) {
      clearTimeout(this.handle.idleTimer);
      this.handle.idleTimer = null;
    }
  }

  /** The run's sound-link snapshot: with links in it, the worker takes the run's pages from now on. */
  snapshot(sound: SoundSnapshot): void {
    if (!this.enabled || sound.size === 0 || this.registered) return;
    this.local = { ...runState(this.settings), sound };
    this.prepare();
    if (!this.handle) return;
    this.registered = true;
    this.handle.waiting.set(this.run, this.waiting);
    this.post({ kind: 'run', run: this.run, settings: this.settings });
    this.post({ kind: 'snapshot', run: this.run, ids: sound.ids, hashes: sound.hashes });
  }

  /** For client.agents({ decoder }). */
  readonly decoder: PageDecoder<AteraAgent> = (page, body) => {
    const h = this.handle;
    // Before the snapshot, pages are decoded in line when the reader reaches them. After it, a page the worker
    // cannot take now (not up yet, behind, gone) is sorted here at once, as the worker would: the reader may be
    // waiting on an earlier page the worker holds, and this uses that wait instead of idling through it.
    if (!this.local) return null;
    if (!this.registered || !h?.ready || shared !== h || this.waiting.size >= MAX_QUEUED)
      return this.sortHere(page, body);
    // A copy: the bytes are the client's, which parses them itself if the worker cannot.
    const copy = new Uint8Array(body);
    const answer = new Promise<PageAnswer | null>((resolve) => this.waiting.set(page, resolve));
    this.post({ kind: 'page', run: this.run, page, body: copy }, [copy.buffer]);
    return answer.then((a) => this.taken(page, a));
  };

  /** A page sorted on this thread, with every changed device handed over (nothing is cloned here). */
  private sortHere(page: number, body: Buffer): DecodedPage<AteraAgent> | null {
    const answer = decodePage(this.run, page, body, this.local!, Number.POSITIVE_INFINITY);
    if (answer.kind !== 'decoded') return null;
    this.stats.pages_sorted_here += 1;
    return answer.decoded;
  }

  /** The hashes the worker sent for a page the main thread parsed, by AgentID; null when it sent none. */
  hashesOf(page: number): Map<number, string> | null {
    const m = this.hashes.get(page) ?? null;
    this.hashes.delete(page);
    return m;
  }

  close(): void {
    this.local = null;
    const h = this.handle;
    if (!h) return;
    if (this.registered) this.post({ kind: 'end', run: this.run });
    this.handle = null;
    this.registered = false;
    h.waiting.delete(this.run);
    for (const waiter of this.waiting.values()) waiter(null);
    this.waiting.clear();
    this.hashes.clear();
    if (shared === h && h.waiting.size === 0) {
      h.idleTimer = setTimeout(() => {
        if (shared === h && h.waiting.size === 0) void stopPageWorker();
      }, IDLE_MS);
      h.idleTimer.unref();
    }
  }

  private taken(page: number, a: PageAnswer | null): DecodedPage<AteraAgent> | null {
    if (a?.kind === 'hashes') {
      const m = new Map<number, string>();
      for (let i = 0; i < a.ids.length; i++) m.set(a.ids[i]!, a.hashes[i]!);
      this.hashes.set(page, m);
      this.stats.devices_hashed += m.size;
      return null;
    }
    if (a?.kind !== 'decoded') return null;
    this.stats.pages_decoded += 1;
    this.stats.devices_hashed += a.decoded.records.length + a.decoded.skipped;
    return a.decoded;
  }

  /** Messages sent before the thread exists wait in the handle's queue (see workerHandle). */
  private post(msg: PageRequest, transfer?: ArrayBuffer[]): void {
    const h = this.handle;
    if (!h || shared !== h) return;
    if (h.worker) h.worker.postMessage(msg, transfer);
    else h.queue.push([msg, transfer]);
  }
}
