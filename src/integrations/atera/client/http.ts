import type { Logger } from 'pino';
import { Agent, request } from 'undici';
import type { Clock } from '../../../core/clock.js';
import { isAppError } from '../../../core/errors.js';
import { parseJsonBody } from './decode.js';
import {
  authError,
  badDataError,
  missingKeyError,
  notFoundError,
  problemSummary,
  type RequestContext,
  rateLimitedError,
  scrubError,
  type TemporaryCause,
  temporaryError,
  unknownError,
} from './errors.js';
import type { RateLimiter } from './rate-limiter.js';
import { sleep } from './sleep.js';

/**
 * One Atera HTTP exchange with pacing, timeout, retries and classification. Everything above this file works
 * with parsed bodies and AppErrors; nothing above it sees a status code or a socket error.
 */

export interface HttpConfig {
  /** e.g. `https://app.atera.com` (no trailing slash); paths passed to request() start with `/api/v3/`. */
  baseUrl: string;
  apiKey: string;
  scheme: 'x-api-key' | 'bearer';
  timeoutMs: number;
  maxAttempts: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  /** A Retry-After longer than this fails the call instead of parking a job for that long. */
  maxRetryAfterMs: number;
  limiter: RateLimiter;
  logger: Logger;
  clock: Clock;
  random: () => number;
}

export interface AteraRequest {
  method: 'GET' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, string | number | undefined>;
  /** Safe to send twice (reads, resolve, delete): retried on 5xx, timeouts and broken connections. */
  idempotent: boolean;
  /** What is being read or written, for messages ("agents page 3", "alert 123"). */
  what: string;
  /** Return null on 404 instead of throwing atera_not_found (getAlert). */
  nullOn404?: boolean;
  /**
   * 'json' parses the body; 'none' ignores it (PUT resolve and DELETE answer 204 with no body); 'json-later'
   * keeps the raw body and returns `parse` instead, for prefetched pages (see AteraResponse.parse).
   */
  expect: 'json' | 'json-later' | 'none';
  signal?: AbortSignal;
}

export interface AteraResponse {
  status: number;
  body: unknown;
  /**
   * With expect 'json-later': parses the body when called (throws the same bad_data error 'json' would).
   * Why: a prefetched page waits for its turn; as raw bytes (outside the JS heap) it costs the garbage collector
   * nothing, parsed it is ~50 records of live objects copied by every young-generation collection meanwhile.
   */
  parse?: () => unknown;
  /** With expect 'json-later': the body as it arrived (for a reader that also decodes it elsewhere). */
  raw?: Buffer;
}

export interface HttpStats {
  requests: number;
  retries: number;
  throttledMs: number;
  rateLimited: number;
}

type Attempt =
  | { kind: 'response'; status: number; body: Buffer; retryAfter: string | null }
  | { kind: 'failed'; cause: TemporaryCause };

export class AteraHttp {
  private readonly counters: HttpStats = { requests: 0, retries: 0, throttledMs: 0, rateLimited: 0 };

  constructor(private readonly cfg: HttpConfig) {}

  stats(): HttpStats {
    return { ...this.counters };
  }

  url(path: string, query?: AteraRequest['query']): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    return `${this.cfg.baseUrl}${path}${qs ? `?${qs}` : ''}`;
  }

  async request(req: AteraRequest): Promise<AteraResponse | null> {
    try {
      return await this.run(req);
    } catch (err) {
      throw isAppError(err) ? scrubError(err, this.cfg.apiKey) : err;
    }
  }

  private async run(req: AteraRequest): Promise<AteraResponse | null> {
    const { cfg } = this;
    if (cfg.apiKey.length === 0) throw missingKeyError();
    const url = this.url(req.path, req.query);
    const logPath = url.slice(cfg.baseUrl.length);
    const ctx: RequestContext = { method: req.method, path: req.path, what: req.what, attempts: 0 };
    let rateLimitWaitMs = 0;

    for (let attempt = 1; ; attempt++) {
      ctx.attempts = attempt;
      this.counters.throttledMs += await cfg.limiter.acquire(req.signal);
      // Wall time of the exchange for the log line (performance.now, not the injectable clock: it is a measurement).
      const startedAt = performance.now();
      this.counters.requests += 1;

      const result = await this.send(url, req);
      const ms = Math.round(performance.now() - startedAt);
      const last = attempt >= cfg.maxAttempts;

      if (result.kind === 'failed') {
        cfg.logger.warn(
          { method: req.method, path: logPath, attempt, ms, cause: result.cause },
          'atera request failed',
        );
        if (!req.idempotent) throw temporaryError(ctx, result.cause, false);
        if (last) throw temporaryError(ctx, result.cause, true);
        await this.backoff(req, this.backoffMs(attempt));
        continue;
      }

      const { status, body } = result;
      cfg.logger.debug({ method: req.method, path: logPath, status, attempt, ms }, 'atera request');

      if (status >= 200 && status < 300) {
        if (req.expect === 'json-later') return { status, body: null, raw: body, parse: () => parseJson(body, ctx) };
        return { status, body: req.expect === 'json' ? parseJson(body, ctx) : null };
      }
      if (status === 401 || status === 403) throw authError(status, ctx);
      if (status === 404) {
        if (req.nullOn404) return null;
        throw notFoundError(ctx, problemSummary(tryJson(body)));
      }
      if (status === 429) {
        // Atera did not process the request, so even a non-idempotent call may be repeated.
        this.counters.rateLimited += 1;
        const retryAfterMs = parseRetryAfter(result.retryAfter, cfg.clock.now().getTime());
        if (last || (retryAfterMs !== undefined && retryAfterMs > cfg.maxRetryAfterMs)) {
          throw rateLimitedError(ctx, rateLimitWaitMs, retryAfterMs);
        }
        const delay = retryAfterMs ?? this.backoffMs(attempt);
        // Pause the shared limiter rather than sleeping here: every caller on this key is over budget, not just
        // this one. The wait then happens in acquire() at the top of the loop (and is counted as throttling).
        cfg.limiter.pause(delay);
        cfg.logger.warn({ method: req.method, path: logPath, attempt, delayMs: delay }, 'atera rate limited (429)');
        rateLimitWaitMs += delay;
        this.counters.retries += 1;
        continue;
      }
      if (status >= 500 || status === 408) {
        const cause: TemporaryCause = { kind: 'status', status };
        cfg.logger.warn({ method: req.method, path: logPath, attempt, status }, 'atera server error');
        if (!req.idempotent) throw temporaryError(ctx, cause, false);
        if (last) throw temporaryError(ctx, cause, true);
        await this.backoff(req, this.backoffMs(attempt));
        continue;
      }
      throw unknownError(ctx, status, problemSummary(tryJson(body)));
    }
  }

  /** Exponential backoff with "equal jitter": half fixed, half random, so retries of many callers spread out. */
  private backoffMs(attempt: number): number {
    const exp = Math.min(this.cfg.retryMaxDelayMs, this.cfg.retryBaseDelayMs * 2 ** (attempt - 1));
    return exp / 2 + (this.cfg.random() * exp) / 2;
  }

  private async backoff(req: AteraRequest, delayMs: number): Promise<void> {
    this.counters.retries += 1;
    if (delayMs > 0) await sleep(this.cfg.clock, delayMs, req.signal);
  }

  private async send(url: string, req: AteraRequest): Promise<Attempt> {
    const { cfg } = this;
    // One controller and one timer per exchange: AbortSignal.timeout + AbortSignal.any cost ~40 µs a request
    // (weak references and a finalization registry), a few percent of reading a page at full speed.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, cfg.timeoutMs);
    const outer = req.signal;
    const onOuterAbort = () => controller.abort(outer?.reason);
    if (outer) {
      if (outer.aborted) controller.abort(outer.reason);
      else outer.addEventListener('abort', onOuterAbort, { once: true });
    }
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'Keel-Atera-Client/1' };
    if (cfg.scheme === 'bearer') headers.authorization = `Bearer ${cfg.apiKey}`;
    else headers['x-api-key'] = cfg.apiKey;
    let answered = false;
    try {
      const res = await request(url, {
        method: req.method,
        headers,
        signal: controller.signal,
        dispatcher: dispatcher(),
      });
      answered = true;
      // The body is read under the same timeout: a server that stalls mid-body is as dead as one that never answers.
      const body = Buffer.from(await res.body.arrayBuffer());
      const retryAfter = res.headers['retry-after'];
      return {
        kind: 'response',
        status: res.statusCode,
        body,
        retryAfter: Array.isArray(retryAfter) ? (retryAfter[0] ?? null) : (retryAfter ?? null),
      };
    } catch (err) {
      if (outer?.aborted) throw outer.reason;
      if (timedOut) return { kind: 'failed', cause: { kind: 'timeout', timeoutMs: cfg.timeoutMs } };
      return { kind: 'failed', cause: { kind: 'connection', code: connectionCode(err, answered) } };
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
    }
  }
}

/**
 * One connection pool for every Atera client in the process (undici's `request`, not `fetch`: the WHATWG layer
 * costs ~0.2 ms per request, a fifth of the time budget of a page at full speed). Idle keep-alive sockets do
 * not hold the process open.
 */
let pool: Agent | undefined;
const dispatcher = (): Agent => {
  pool ??= new Agent({ connections: 64, keepAliveTimeout: 10_000, pipelining: 1 });
  return pool;
};

/** The body as JSON, decoded only when a caller needs it (most answers to a 429 or a DELETE are never read). */
function parseJson(body: Buffer, ctx: RequestContext): unknown {
  if (body.length === 0) throw badDataError(ctx, 'the response body was empty where JSON was expected');
  try {
    return parseJsonBody(body);
  } catch {
    const start = body.toString('latin1').trimStart().slice(0, 1);
    const kind = start === '<' ? 'an HTML page' : start === '{' || start === '[' ? 'truncated JSON' : 'not JSON';
    throw badDataError(ctx, `the response was ${kind} (${body.length} bytes)`);
  }
}

function tryJson(body: Buffer): unknown {
  try {
    return body.length > 0 ? parseJsonBody(body) : undefined;
  } catch {
    return undefined;
  }
}

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3); returns ms to wait, or undefined. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value == null || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** A short, secret-free code such as ECONNREFUSED for a failed exchange (undici errors carry `code`). */
function connectionCode(err: unknown, answered: boolean): string {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e; depth++) {
    const code = (e as { code?: unknown }).code;
    // undici's generic socket error: say what the user can picture instead of the library's code.
    if (code === 'UND_ERR_SOCKET') return answered ? 'connection closed mid-response' : 'connection closed by Atera';
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  const msg = err instanceof Error ? err.message : 'unknown error';
  return msg.slice(0, 80);
}
