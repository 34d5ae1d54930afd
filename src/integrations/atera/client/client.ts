import type { Logger } from 'pino';
import { type Clock, systemClock } from '../../../core/clock.js';
import { AppError, isAppError } from '../../../core/errors.js';
import { silentLogger } from '../../../core/logger.js';
import { badDataError } from './errors.js';
import { AteraHttp, type AteraRequest } from './http.js';
import { type DecodedPage, type PageAnswer, type PagedRead, pagedRead, rejectionOf } from './paging.js';
import { keyHash, type RateLimiter, sharedRateLimiter } from './rate-limiter.js';
import {
  type AlertStatus,
  type AteraAgent,
  type AteraAlert,
  type AteraContact,
  type AteraCustomer,
  type AteraEnvelope,
  type AteraResource,
  agentResource,
  alertResource,
  ateraEnvelopeSchema,
  contactResource,
  customerResource,
  parseAteraRecord,
} from './schemas.js';

export const ATERA_DEFAULT_BASE_URL = 'https://app.atera.com';
/** Third-party working figure (reference §3); Atera publishes no number. */
export const ATERA_DEFAULT_REQUESTS_PER_MINUTE = 700;
/** Atera's documented maximum itemsInPage on list endpoints. */
export const ATERA_MAX_PAGE_SIZE = 50;

export interface AteraClientOptions {
  /** Atera application URL; default https://app.atera.com. Accepted with or without a trailing slash or /api/v3. */
  baseUrl?: string | null;
  apiKey: string;
  /** auto: keys longer than 100 characters are bearer tokens (JWT), shorter ones legacy X-API-KEY keys (as PSAtera). */
  authScheme?: 'auto' | 'x-api-key' | 'bearer';
  /** Per-request timeout, headers and body included; default 30 000 ms. */
  timeoutMs?: number;
  /** Attempts per request including the first, for 429s, 5xx, timeouts and broken connections; default 5. */
  maxAttempts?: number;
  /** itemsInPage; default and maximum 50. */
  pageSize?: number;
  /** Default: the process-wide limiter shared by every client of this base URL and key. */
  limiter?: RateLimiter;
  /** Budget of the shared limiter when `limiter` is not given; default 700 requests/minute. */
  requestsPerMinute?: number;
  /** Pages a list read keeps in flight; default 16 (enough to reach 700/min with page latencies up to ~1.3 s). */
  concurrency?: number;
  /** First backoff step for 5xx/timeouts/429 without Retry-After; doubles per attempt. Default 500 ms. */
  retryBaseDelayMs?: number;
  /** Upper bound of one backoff step; default 30 000 ms. */
  retryMaxDelayMs?: number;
  /** A Retry-After beyond this fails the call (atera_rate_limited) instead of waiting; default 120 000 ms. */
  maxRetryAfterMs?: number;
  logger?: Logger;
  /**
   * Times backoff sleeps and Retry-After dates (default: system clock). These are real network waits: a manual
   * clock here must be advanced by the test or retries never fire. The default shared limiter ignores it.
   */
  clock?: Clock;
  /** Source of jitter; injectable for deterministic tests. */
  random?: () => number;
}

export interface ListOptions {
  signal?: AbortSignal;
}

/**
 * Decodes a page body as it arrives, elsewhere (the asset import's worker thread) or at once; null means "parse
 * it here as usual, when the reader reaches it", which is also what happens to a decoded page that does not claim
 * the page number asked for.
 */
export type PageDecoder<T> = (page: number, body: Buffer) => DecodedPage<T> | Promise<DecodedPage<T> | null> | null;

export interface AteraClientStats {
  requests: number;
  retries: number;
  throttledMs: number;
  rateLimited: number;
}

/**
 * Normalises what users paste as "application URL": blank → Atera's default, trailing slashes and a trailing
 * /api/v3 removed. Rejects anything that is not an absolute http(s) URL, with a message saying so.
 */
export function normalizeAteraBaseUrl(input: string | null | undefined): string {
  const raw = (input ?? '').trim();
  if (raw === '') return ATERA_DEFAULT_BASE_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError(
      'validation',
      `The Atera application URL "${raw}" is not a URL; use https://app.atera.com unless Atera gave you another one.`,
      [{ path: 'baseUrl', message: 'not a URL' }],
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new AppError('validation', `The Atera application URL must start with https:// (got ${url.protocol}).`, [
      { path: 'baseUrl', message: 'not http(s)' },
    ]);
  }
  const path = url.pathname.replace(/\/+$/, '').replace(/\/api\/v3$/i, '');
  return `${url.origin}${path}`;
}

/** PSAtera's rule (reference §1): Atera's 2026 JWT bearer tokens are long, legacy keys are 32 hex characters. */
export function detectAuthScheme(apiKey: string): 'x-api-key' | 'bearer' {
  return apiKey.length > 100 ? 'bearer' : 'x-api-key';
}

export class AteraClient {
  readonly baseUrl: string;
  readonly authScheme: 'x-api-key' | 'bearer';
  /** Base URL plus a hash of the key: identifies the account without holding the key. */
  private readonly accountId: string;
  private readonly http: AteraHttp;
  private readonly pageSize: number;
  private readonly concurrency: number;
  private readonly limiter: RateLimiter;
  private readonly logger: Logger;

  constructor(opts: AteraClientOptions) {
    this.baseUrl = normalizeAteraBaseUrl(opts.baseUrl);
    // Keys pasted from a browser often carry a trailing newline or spaces.
    const apiKey = (opts.apiKey ?? '').trim();
    const scheme = opts.authScheme ?? 'auto';
    this.authScheme = scheme === 'auto' ? detectAuthScheme(apiKey) : scheme;
    this.accountId = `${this.baseUrl}|${keyHash(apiKey)}`;
    const clock = opts.clock ?? systemClock;
    this.limiter =
      opts.limiter ??
      sharedRateLimiter(this.baseUrl, apiKey, opts.requestsPerMinute ?? ATERA_DEFAULT_REQUESTS_PER_MINUTE);
    this.pageSize = Math.min(ATERA_MAX_PAGE_SIZE, Math.max(1, Math.floor(opts.pageSize ?? ATERA_MAX_PAGE_SIZE)));
    this.concurrency = Math.max(1, Math.floor(opts.concurrency ?? 16));
    this.logger = (opts.logger ?? silentLogger).child({ component: 'atera-client' });
    this.http = new AteraHttp({
      baseUrl: this.baseUrl,
      apiKey,
      scheme: this.authScheme,
      timeoutMs: opts.timeoutMs ?? 30_000,
      maxAttempts: Math.max(1, Math.floor(opts.maxAttempts ?? 5)),
      retryBaseDelayMs: opts.retryBaseDelayMs ?? 500,
      retryMaxDelayMs: opts.retryMaxDelayMs ?? 30_000,
      maxRetryAfterMs: opts.maxRetryAfterMs ?? 120_000,
      limiter: this.limiter,
      logger: this.logger,
      clock,
      random: opts.random ?? Math.random,
    });
  }

  /** GET /api/v3/customers, optionally only those modified on/after `fromLastModified` (yyyy-MM-dd[THH:mm:ss]). */
  customers(opts: { fromLastModified?: string } & ListOptions = {}): PagedRead<AteraCustomer> {
    const from = opts.fromLastModified;
    if (from !== undefined && !/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2})?$/.test(from)) {
      // Atera accepts no offset here and interprets the value in the account's time zone (reference §5).
      throw new AppError(
        'validation',
        `fromLastModified must look like 2026-09-27 or 2026-09-27T10:15:00 without a time zone (got "${from}").`,
        [{ path: 'fromLastModified', message: 'bad format' }],
      );
    }
    return this.list(customerResource, '/api/v3/customers', { FromLastModifiedDate: from }, opts.signal);
  }

  /** GET /api/v3/agents, or /api/v3/agents/customer/{customerId} for one customer. */
  agents(opts: { customerId?: number; decoder?: PageDecoder<AteraAgent> } & ListOptions = {}): PagedRead<AteraAgent> {
    const path =
      opts.customerId === undefined ? '/api/v3/agents' : `/api/v3/agents/customer/${positiveId(opts.customerId)}`;
    return this.list(agentResource, path, {}, opts.signal, opts.decoder);
  }

  /** GET /api/v3/alerts?alertStatus=...; the status is always sent because the unfiltered mix is undocumented. */
  alerts(opts: { status: AlertStatus } & ListOptions): PagedRead<AteraAlert> {
    return this.list(alertResource, '/api/v3/alerts', { alertStatus: opts.status }, opts.signal);
  }

  /** GET /api/v3/contacts. */
  contacts(opts: ListOptions = {}): PagedRead<AteraContact> {
    return this.list(contactResource, '/api/v3/contacts', {}, opts.signal);
  }

  /** GET /api/v3/alerts/{id}; null when Atera answers 404. A malformed record is atera_bad_data. */
  async getAlert(alertId: number, opts: ListOptions = {}): Promise<AteraAlert | null> {
    const id = positiveId(alertId);
    const what = `alert ${id}`;
    const res = await this.http.request({
      method: 'GET',
      path: `/api/v3/alerts/${id}`,
      idempotent: true,
      what,
      nullOn404: true,
      expect: 'json',
      signal: opts.signal,
    });
    if (res === null) return null;
    const parsed = parseAteraRecord(alertResource, res.body);
    if (parsed.success) return parsed.data;
    const rejection = rejectionOf(res.body, 'AlertID', parsed.issues);
    throw badDataError(
      { method: 'GET', path: `/api/v3/alerts/${id}`, what },
      `field ${rejection.field}: ${rejection.reason}`,
    );
  }

  /**
   * PUT /api/v3/alerts/{id} with no body → 204 resolves the alert. Resolving twice leaves it resolved, so the
   * call is retried like a read. An unknown alert is atera_not_found (the caller may treat that as done).
   */
  async resolveAlert(alertId: number, opts: ListOptions = {}): Promise<void> {
    const id = positiveId(alertId);
    await this.http.request({
      method: 'PUT',
      path: `/api/v3/alerts/${id}`,
      idempotent: true,
      what: `alert ${id}`,
      expect: 'none',
      signal: opts.signal,
    });
  }

  /**
   * DELETE /api/v3/alerts/{id} → 204. Deletion is idempotent in effect, so it is retried; a 404 (already gone,
   * possibly removed by our own earlier attempt whose answer was lost) counts as success.
   */
  async deleteAlert(alertId: number, opts: ListOptions = {}): Promise<void> {
    const id = positiveId(alertId);
    await this.http.request({
      method: 'DELETE',
      path: `/api/v3/alerts/${id}`,
      idempotent: true,
      what: `alert ${id}`,
      expect: 'none',
      nullOn404: true,
      signal: opts.signal,
    });
  }

  /** Halo's "Test Configuration": reads one customer to prove URL and key, and says what to fix if it fails. */
  async testConnection(): Promise<{ success: boolean; message: string }> {
    try {
      const res = await this.http.request({
        method: 'GET',
        path: '/api/v3/customers',
        query: { page: 1, itemsInPage: 1 },
        idempotent: true,
        what: 'the customer list',
        expect: 'json',
      });
      const env = this.envelope(res?.body, { method: 'GET', path: '/api/v3/customers', what: 'the customer list' });
      const n = env.totalItemCount;
      return {
        success: true,
        message:
          `Connected to Atera at ${this.baseUrl} (${this.authScheme === 'bearer' ? 'bearer token' : 'X-API-KEY'}): ` +
          `${n} customer${n === 1 ? '' : 's'} visible.`,
      };
    } catch (err) {
      if (isAppError(err)) return { success: false, message: err.message };
      this.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'atera test connection crashed');
      return { success: false, message: 'The connection test failed unexpectedly; see the server log.' };
    }
  }

  stats(): AteraClientStats {
    return this.http.stats();
  }

  private list<T>(
    resource: AteraResource<T>,
    path: string,
    filters: AteraRequest['query'],
    signal: AbortSignal | undefined,
    decoder?: PageDecoder<T>,
  ): PagedRead<T> {
    // Each page URL is rebuilt from the page number and our own filters: whether Atera's nextLink carries filters
    // such as alertStatus is [unverified] (reference §2), so nextLink is only used as an end-of-list signal.
    const fetchPage = async (page: number, pageSignal: AbortSignal): Promise<PageAnswer<T>> => {
      const what = `${resource.name} page ${page}`;
      const res = await this.http.request({
        method: 'GET',
        path,
        query: { page, itemsInPage: this.pageSize, ...filters },
        idempotent: true,
        what,
        expect: 'json-later',
        signal: pageSignal,
      });
      const decoded = decoder && res?.raw ? await decoder(page, res.raw) : null;
      if (decoded?.page === page) return decoded;
      // Parsed when the reader reaches this page, not on arrival (see AteraResponse.parse).
      return () => {
        const env = this.envelope(res?.parse?.(), { method: 'GET', path, what });
        if (env.page !== page) {
          throw badDataError({ method: 'GET', path, what }, `Atera answered page ${env.page} instead`);
        }
        return env;
      };
    };
    const hintKey = `${this.accountId}|${path}|${JSON.stringify(filters)}`;
    const pageHint = {
      get: () => PAGE_HINTS.get(hintKey),
      set: (pages: number) => {
        if (PAGE_HINTS.size >= 1000) PAGE_HINTS.clear();
        PAGE_HINTS.set(hintKey, pages);
      },
    };
    return pagedRead({ resource, fetchPage, concurrency: this.concurrency, logger: this.logger, signal, pageHint });
  }

  private envelope(body: unknown, ctx: { method: string; path: string; what: string }): AteraEnvelope {
    const parsed = ateraEnvelopeSchema.safeParse(body);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : '(body)';
    throw badDataError(ctx, `the paging envelope is not Atera's (${field}: ${issue?.message ?? 'invalid'})`);
  }
}

/**
 * Page counts of the lists read in this process, keyed by account (URL + key hash), path and filters. The next
 * read of the same list prefetches its first window at once instead of waiting for page 1 (see paging.ts).
 */
const PAGE_HINTS = new Map<string, number>();

function positiveId(id: number): number {
  if (!Number.isSafeInteger(id) || id <= 0) {
    throw new AppError('validation', `An Atera id must be a positive integer (got ${String(id)}).`, [
      { path: 'id', message: 'not a positive integer' },
    ]);
  }
  return id;
}
