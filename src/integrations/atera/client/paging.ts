import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import { type AteraEnvelope, type AteraResource, parseAteraRecord } from './schemas.js';

/**
 * Streams an Atera list page by page and keeps an honest account of whether it was read completely.
 *
 * Why the care: deactivation (mark-and-sweep, DESIGN rule 4) may only run after a complete read. Atera pages by
 * offset, so a record deleted or added while we read shifts later pages and silently skips or repeats a record.
 * The reader therefore checks, besides "every page arrived": the totals stayed the same on every page, no id
 * appeared twice, and records + rejects add up to totalItemCount. A shift between two page reads repeats records
 * across that page boundary, so comparing each page's ids with the two pages before it finds repeats in O(page)
 * memory instead of remembering every id of a 100k-record list.
 *
 * Pages are prefetched: after page 1 reveals totalPages, up to `concurrency` pages are in flight at once while
 * pages are still yielded strictly in order. With Atera's budget the limiter is the bottleneck, but a page takes
 * longer than one limiter slot (~86 ms at 700/min), so reading one page at a time would be latency-bound.
 * Memory stays bounded by the window: at most `concurrency` pages are held, whatever the list's length.
 *
 * Optionally a page-count hint (what the previous read of the same list found) lets the reader request the
 * first window of pages together with page 1 instead of waiting a round trip for totalPages. If the list has
 * shrunk, the surplus requests are cancelled or ignored: at most `concurrency - 1` wasted requests.
 */

export interface RejectedRecord {
  id: string | number | null;
  field: string;
  reason: string;
}

export interface AteraPage<T> {
  page: number;
  totalPages: number;
  totalItemCount: number;
  records: T[];
  rejected: RejectedRecord[];
  /** Valid records a page decoder kept back (see DecodedPage); 0 for a page parsed here. */
  skipped: number;
  /** What a page decoder attached to the page (see DecodedPage). */
  payload?: unknown;
}

/**
 * A page its caller decoded elsewhere (the asset import decodes agent pages in a worker thread and hands over
 * only the devices that changed): the reader checks and counts it exactly like a page it parsed itself. The
 * items were checked one by one with checkItem, as parsePage does.
 */
export interface DecodedPage<T> {
  kind: 'decoded';
  page: number;
  totalPages: number;
  totalItemCount: number;
  /** The envelope had a non-empty nextLink. */
  hasNextLink: boolean;
  /** Per item, in page order: checkItem's key (for duplicate checks); its length is the number of items. */
  keys: (number | null)[];
  /** The valid records handed over. */
  records: T[];
  /** Valid records kept back: read, counted, not handed over. */
  skipped: number;
  rejected: RejectedRecord[];
  payload?: unknown;
}

export interface ReadSummary {
  pagesRead: number;
  totalPages: number;
  totalItemCount: number;
  recordsRead: number;
  rejected: number;
  complete: boolean;
  incompleteReason?: string;
}

export interface PagedRead<T> extends AsyncIterable<AteraPage<T>> {
  /** Valid during and after iteration. complete=true only after a full, consistent read (see file comment). */
  summary(): ReadSummary;
  /** Reads everything into memory; for short lists (customers, open alerts), not for agents. */
  readAll(): Promise<{ records: T[]; rejected: RejectedRecord[]; summary: ReadSummary }>;
}

export interface PagedReadOptions<T> {
  resource: AteraResource<T>;
  /**
   * Fetches and envelope-checks one page; throws an AppError on failure. It may answer with a function that
   * parses the page: the reader then calls it when the page's turn comes (prefetched pages wait unparsed). Or with
   * a page decoded elsewhere.
   */
  fetchPage: (page: number, signal: AbortSignal) => Promise<PageAnswer<T>>;
  /** Pages in flight at once (>= 1). */
  concurrency: number;
  logger: Logger;
  signal?: AbortSignal;
  /** Check ids across page boundaries for records repeated by a list that shifted mid-read (default true). */
  trackIds?: boolean;
  /** Page count seen by the previous read of this list, and where to record this read's. */
  pageHint?: { get(): number | undefined; set(totalPages: number): void };
}

export type PageAnswer<T> = AteraEnvelope | (() => AteraEnvelope) | DecodedPage<T>;

interface ReadState {
  pagesRead: number;
  totalPages: number;
  totalItemCount: number;
  recordsRead: number;
  rejected: number;
  firstTotal: number | null;
  totalChanged: string | null;
  duplicates: number;
  firstDuplicate: string | number | null;
  endedEarly: string | null;
  stopped: boolean;
  failed: string | null;
  done: boolean;
}

const freshState = (): ReadState => ({
  pagesRead: 0,
  totalPages: 0,
  totalItemCount: 0,
  recordsRead: 0,
  rejected: 0,
  firstTotal: null,
  totalChanged: null,
  duplicates: 0,
  firstDuplicate: null,
  endedEarly: null,
  stopped: false,
  failed: null,
  done: false,
});

export function pagedRead<T>(opts: PagedReadOptions<T>): PagedRead<T> {
  return new PagedReader(opts);
}

class PagedReader<T> implements PagedRead<T> {
  private state: ReadState = freshState();
  private started = false;

  constructor(private readonly opts: PagedReadOptions<T>) {}

  summary(): ReadSummary {
    const s = this.state;
    const base = {
      pagesRead: s.pagesRead,
      totalPages: s.totalPages,
      totalItemCount: s.totalItemCount,
      recordsRead: s.recordsRead,
      rejected: s.rejected,
    };
    const reason = this.incompleteReason();
    return reason === null ? { ...base, complete: true } : { ...base, complete: false, incompleteReason: reason };
  }

  private incompleteReason(): string | null {
    const s = this.state;
    const what = this.opts.resource.name;
    if (s.failed !== null) return `reading ${what} failed after ${s.pagesRead} page(s): ${s.failed}`;
    if (!this.started) return 'not read yet';
    if (s.stopped) return `the read of ${what} was stopped after page ${s.pagesRead} of ${s.totalPages}`;
    if (!s.done) return `still reading ${what} (${s.pagesRead} of ${s.totalPages} page(s) so far)`;
    if (s.endedEarly !== null) return s.endedEarly;
    if (s.totalChanged !== null) return s.totalChanged;
    if (s.duplicates > 0) {
      return (
        `${s.duplicates} ${what} record(s) (first id ${String(s.firstDuplicate)}) appeared on two pages: the list ` +
        'shifted while it was read, so other records may have been skipped; read it again'
      );
    }
    const got = s.recordsRead + s.rejected;
    if (got !== s.totalItemCount) {
      return (
        `Atera said there are ${s.totalItemCount} ${what} but sent ${got} over ${s.pagesRead} page(s)` +
        (got < s.totalItemCount ? ' (a page came back short)' : '')
      );
    }
    return null;
  }

  async readAll(): Promise<{ records: T[]; rejected: RejectedRecord[]; summary: ReadSummary }> {
    const records: T[] = [];
    const rejected: RejectedRecord[] = [];
    for await (const page of this) {
      for (const r of page.records) records.push(r);
      for (const r of page.rejected) rejected.push(r);
    }
    return { records, rejected, summary: this.summary() };
  }

  /** Each iteration is a fresh read from page 1 with a fresh summary. */
  async *[Symbol.asyncIterator](): AsyncIterator<AteraPage<T>> {
    this.state = freshState();
    this.started = true;
    const s = this.state;
    const { fetchPage, logger, resource } = this.opts;
    const window = Math.max(1, Math.floor(this.opts.concurrency));
    const controller = new AbortController();
    const signal = this.opts.signal ? AbortSignal.any([controller.signal, this.opts.signal]) : controller.signal;
    // Every page in the window may wait on this signal (limiter, backoff) at once; that is by design, not a leak.
    setMaxListeners(Math.max(10, window * 3), signal);
    const seen = this.opts.trackIds === false ? null : new RecentIds();
    const inflight = new Map<number, Promise<PageAnswer<T>>>();
    const launch = (n: number): void => {
      const p = fetchPage(n, signal);
      // Prefetched pages may fail before we await them; the failure surfaces when their turn comes.
      p.catch(() => undefined);
      inflight.set(n, p);
    };

    let completedNormally = false;
    try {
      // With a hint, request the first window right away (see file comment); without, page 1 alone.
      const speculative = Math.max(1, Math.min(window, this.opts.pageHint?.get() ?? 1));
      for (let n = 1; n <= speculative; n++) launch(n);
      let nextToLaunch = speculative + 1;
      for (let n = 1; ; n++) {
        const pending = inflight.get(n);
        if (!pending) launch(n);
        const answer = await (pending ?? inflight.get(n)!);
        inflight.delete(n);
        const got = typeof answer === 'function' ? answer() : answer;
        const env = pageMeta(got);

        if (s.firstTotal === null) {
          s.firstTotal = env.totalItemCount;
          this.opts.pageHint?.set(env.totalPages);
        } else if (env.totalItemCount !== s.firstTotal && s.totalChanged === null) {
          s.totalChanged =
            `the number of ${resource.name} changed from ${s.firstTotal} to ${env.totalItemCount} while they were ` +
            'read, so records may have been skipped or repeated; read again';
        }
        s.totalPages = env.totalPages;
        s.totalItemCount = env.totalItemCount;

        seen?.nextPage();
        const page = 'kind' in got ? decodedPage(got, n, seen, s) : parsePage(resource, got, n, seen, s);
        s.pagesRead += 1;
        s.recordsRead += page.records.length + page.skipped;
        s.rejected += page.rejected.length;
        if (page.rejected.length > 0) {
          logger.warn(
            { resource: resource.name, page: n, rejected: page.rejected.length, first: page.rejected.slice(0, 3) },
            'atera records rejected',
          );
        }

        // End of list (reference §2): page >= totalPages, an empty page, or an empty/null/missing nextLink.
        const { itemCount } = env;
        const last = n >= env.totalPages || itemCount === 0 || !env.hasNextLink;
        if (last && n < env.totalPages) {
          s.endedEarly =
            `Atera ended the ${resource.name} list at page ${n} of ${env.totalPages} ` +
            `(${itemCount === 0 ? 'empty page' : 'no nextLink'}), so the read is not complete`;
        }
        if (!last) {
          nextToLaunch = Math.max(nextToLaunch, n + 1);
          while (nextToLaunch <= env.totalPages && inflight.size < window) launch(nextToLaunch++);
        }
        yield page;
        if (last) break;
      }
      completedNormally = true;
      s.done = true;
    } catch (err) {
      s.failed = err instanceof Error ? err.message : String(err);
      throw err;
    } finally {
      if (!completedNormally && s.failed === null) s.stopped = true;
      // Stop prefetched requests nobody will read (consumer stopped early or a page failed).
      controller.abort();
    }
  }
}

/** What the reader checks of a page besides its items, whether it parsed the page or got it decoded. */
function pageMeta<T>(got: AteraEnvelope | DecodedPage<T>) {
  if ('kind' in got) {
    const { totalPages, totalItemCount, hasNextLink } = got;
    return { totalPages, totalItemCount, hasNextLink, itemCount: got.keys.length };
  }
  const { totalPages, totalItemCount, nextLink, items } = got;
  return { totalPages, totalItemCount, hasNextLink: Boolean(nextLink), itemCount: (items ?? []).length };
}

/** One item of a page, checked: its record or why it was rejected, and the key for duplicate checks. */
export function checkItem<T>(
  resource: AteraResource<T>,
  item: unknown,
): { record: T; rejected: null; key: number } | { record: null; rejected: RejectedRecord; key: number | null } {
  const parsed = parseAteraRecord(resource, item);
  if (parsed.success) {
    return {
      record: parsed.data,
      rejected: null,
      key: (parsed.data as Record<string, unknown>)[resource.idField] as number,
    };
  }
  const rejected = rejectionOf(item, resource.idField, parsed.issues);
  return { record: null, rejected, key: numericId(rejected.id) };
}

function parsePage<T>(
  resource: AteraResource<T>,
  env: AteraEnvelope,
  page: number,
  seen: RecentIds | null,
  s: ReadState,
): AteraPage<T> {
  const records: T[] = [];
  const rejected: RejectedRecord[] = [];
  for (const item of env.items ?? []) {
    const checked = checkItem(resource, item);
    if (checked.rejected === null) records.push(checked.record);
    else rejected.push(checked.rejected);
    countRepeat(checked.key, seen, s);
  }
  return { page, totalPages: env.totalPages, totalItemCount: env.totalItemCount, records, rejected, skipped: 0 };
}

function decodedPage<T>(got: DecodedPage<T>, page: number, seen: RecentIds | null, s: ReadState): AteraPage<T> {
  for (const key of got.keys) countRepeat(key, seen, s);
  const { totalPages, totalItemCount, records, rejected, skipped, payload } = got;
  return { page, totalPages, totalItemCount, records, rejected, skipped, payload };
}

function countRepeat(key: number | null, seen: RecentIds | null, s: ReadState): void {
  if (seen !== null && key !== null && seen.addIsRepeat(key)) {
    s.duplicates += 1;
    if (s.firstDuplicate === null) s.firstDuplicate = key;
  }
}

/** Ids of the current page and the two before it (see the file comment for why that is enough). */
class RecentIds {
  private pages: Set<number>[] = [new Set()];

  nextPage(): void {
    this.pages.push(new Set());
    if (this.pages.length > 3) this.pages.shift();
  }

  /** Records `id` on the current page; true if it was already on it or on one of the two pages before. */
  addIsRepeat(id: number): boolean {
    const repeat = this.pages.some((p) => p.has(id));
    this.pages[this.pages.length - 1]!.add(id);
    return repeat;
  }
}

/** A rejected record's id as a number when it is one ("100010" counts; "abc" does not), for duplicate checks. */
function numericId(id: string | number | null): number | null {
  if (typeof id === 'number') return id;
  return id !== null && /^\d+$/.test(id) ? Number(id) : null;
}

interface Issue {
  path: PropertyKey[];
  message: string;
}

/** Builds the report for a record that failed validation: its id if readable, the first bad field, why. */
export function rejectionOf(item: unknown, idField: string, issues: readonly Issue[]): RejectedRecord {
  const raw = item !== null && typeof item === 'object' ? (item as Record<string, unknown>)[idField] : undefined;
  const id = typeof raw === 'number' || typeof raw === 'string' ? raw : null;
  const first = issues[0];
  const field = first && first.path.length > 0 ? first.path.map(String).join('.') : '(record)';
  let reason = first?.message ?? 'invalid record';
  if (issues.length > 1) {
    const others = issues.slice(1, 4).map((i) => (i.path.length > 0 ? i.path.map(String).join('.') : '(record)'));
    reason += ` (+${issues.length - 1} more: ${others.join(', ')}${issues.length > 4 ? ', ...' : ''})`;
  }
  return { id, field, reason };
}
