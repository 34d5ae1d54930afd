import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { AteraAgent, DecodedPage, PageDecoder } from '../client/index.js';
import type { HashSettings } from './device-hash.js';
import type { SoundLinks } from './lookups.js';
import type { DecodedAgents, PageAnswer, PageRequest } from './page-worker-thread.js';

/**
 * Decodes an asset import's agent pages on a second thread, while the main thread reads them.
 *
 * Why: a scheduled sync where little changed spends its time reading pages and deciding, device by device, that
 * nothing changed: the planned fields' JSON and its SHA-1 (~2 µs a device, and the garbage) on top of parsing
 * and checking the page (~12 µs). With the worker, each page body is decoded, checked, hashed and sorted there
 * as it arrives (pages are prefetched), and the main thread receives the page's totals, ids and only the
 * devices that changed: it neither parses nor hashes an unchanged page (page-worker-thread.ts).
 *
 * An optimisation, never a dependency: pages that arrive before the worker is up, a page the worker cannot
 * decode, or a worker that fails are parsed and hashed on the main thread as before, with the same functions.
 * One worker serves the process (started on first use, idle between runs, not keeping the process alive); each
 * import is a run with its own settings and snapshot.
 */

/** What a page the worker decoded carries besides its records (AteraPage.payload). */
export interface DecodedAgentsPayload {
  /** The hash of each record handed over, in the same order. */
  hashes: string[];
  skippedIds: Float64Array;
  skippedOsTypes: string[];
}

type Waiter = (answer: PageAnswer | null) => void;

interface WorkerHandle {
  worker: Worker;
  ready: boolean;
  /** Per run, per page: who waits for the answer. */
  waiting: Map<number, Map<number, Waiter>>;
}

let shared: WorkerHandle | null = null;
let nextRun = 1;
/** When the worker last failed to start or stopped: it is tried again a minute later, not for every run. */
let failedAt = Number.NEGATIVE_INFINITY;
const RETRY_AFTER_MS = 60_000;
/**
 * Pages of one run waiting in the worker at most (half the client's default window); a page that arrives when
 * this many wait is decoded in line (see decoder). Measured with 100,000 unchanged devices, 6-16 were alike.
 */
const MAX_QUEUED = 8;

function workerHandle(logger: Logger): WorkerHandle | null {
  if (shared) return shared;
  if (Date.now() - failedAt < RETRY_AFTER_MS) return null;
  let worker: Worker;
  try {
    worker = new Worker(new URL('./page-worker-entry.mjs', import.meta.url));
  } catch (e) {
    failedAt = Date.now();
    logger.warn({ err: (e as Error).message }, 'the asset page worker did not start; pages are decoded in line');
    return null;
  }
  worker.unref();
  const handle: WorkerHandle = { worker, ready: false, waiting: new Map() };
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
  const fail = (why: string) => {
    if (shared !== handle) return;
    shared = null;
    failedAt = Date.now();
    logger.warn({ why }, 'the asset page worker stopped; pages are decoded in line');
    // Every page still owed an answer gets none: the main thread decodes it.
    for (const waiters of handle.waiting.values()) for (const waiter of waiters.values()) waiter(null);
    handle.waiting.clear();
  };
  worker.on('error', (e) => fail(e.message));
  worker.on('exit', (code) => fail(`exit ${code}`));
  shared = handle;
  return handle;
}

export class AgentPageWorker {
  private readonly run = nextRun++;
  private readonly waiting = new Map<number, Waiter>();
  /** Hashes the worker sent for pages the main thread parses itself ('hashes' answers), until taken. */
  private readonly hashes = new Map<number, Map<number, string>>();
  private handle: WorkerHandle | null;
  /** Pages the worker decoded, and devices it hashed (reported in the run summary). */
  readonly stats = { pages_decoded: 0, devices_hashed: 0 };

  constructor(settings: HashSettings, logger: Logger) {
    this.handle = workerHandle(logger);
    if (!this.handle) return;
    this.handle.waiting.set(this.run, this.waiting);
    this.post({ kind: 'run', run: this.run, settings });
  }

  /** The run's snapshot: from now on the worker keeps unchanged devices back. */
  snapshot(links: SoundLinks): void {
    this.post({ kind: 'snapshot', run: this.run, exts: links.exts, hashes: links.hashes });
  }

  /** For client.agents({ decoder }). */
  readonly decoder: PageDecoder<AteraAgent> = (page, body) => {
    const h = this.handle;
    // Before the worker is up, its queue would hold the first pages back; those are decoded in line. So are pages
    // that arrive while the worker is behind: the main thread would otherwise wait idle for it.
    if (!h?.ready || shared !== h || this.waiting.size >= MAX_QUEUED) return null;
    // A copy: the bytes are the client's, which parses them itself if the worker cannot.
    const copy = new Uint8Array(body);
    const answer = new Promise<PageAnswer | null>((resolve) => this.waiting.set(page, resolve));
    this.post({ kind: 'page', run: this.run, page, body: copy }, [copy.buffer]);
    return answer.then((a) => this.taken(page, a));
  };

  /** The hashes the worker sent for a page the main thread parsed, by AgentID; null when it sent none. */
  hashesOf(page: number): Map<number, string> | null {
    const m = this.hashes.get(page) ?? null;
    this.hashes.delete(page);
    return m;
  }

  close(): void {
    if (!this.handle) return;
    this.handle.waiting.delete(this.run);
    if (shared === this.handle) this.post({ kind: 'end', run: this.run });
    for (const waiter of this.waiting.values()) waiter(null);
    this.waiting.clear();
    this.hashes.clear();
    this.handle = null;
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
    const d: DecodedAgents = a.decoded;
    this.stats.pages_decoded += 1;
    this.stats.devices_hashed += d.records.length + d.skippedIds.length;
    const payload: DecodedAgentsPayload = {
      hashes: d.hashes,
      skippedIds: d.skippedIds,
      skippedOsTypes: d.skippedOsTypes,
    };
    return {
      kind: 'decoded',
      page,
      totalPages: d.totalPages,
      totalItemCount: d.totalItemCount,
      hasNextLink: d.hasNextLink,
      keys: d.keys,
      records: d.records,
      skipped: d.skippedIds.length,
      rejected: d.rejected,
      payload,
    };
  }

  private post(msg: PageRequest, transfer?: ArrayBuffer[]): void {
    if (this.handle && shared === this.handle) this.handle.worker.postMessage(msg, transfer);
  }
}
