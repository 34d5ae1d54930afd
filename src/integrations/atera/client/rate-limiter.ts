import { createHash } from 'node:crypto';
import { type Clock, systemClock } from '../../../core/clock.js';

/**
 * Client-side request pacing for Atera's budget (700 requests/minute per key: a third-party figure, not an Atera
 * contract — reference §3).
 *
 * It is a scheduler of evenly spaced slots: the k-th request may start at `start + k * 60000/N`, so any 60-second
 * window holds at most N requests whatever algorithm Atera uses server-side (fixed window, sliding window or
 * token bucket all accept evenly spaced traffic at their rate). A bursty limiter would finish small jobs sooner
 * but could trip an unknown server-side window. Slots are absolute times, so timer lateness never accumulates
 * into drift, and a caller waits only for its own slot (no polling).
 *
 * Concurrent callers share one instance and get consecutive slots in call order. After a 429 the client calls
 * `pause()`, which holds every caller back until Atera's Retry-After has passed.
 */
export class RateLimiter {
  private intervalMs: number;
  private nextSlot = Number.NEGATIVE_INFINITY;
  private pausedUntil = Number.NEGATIVE_INFINITY;
  private readonly clock: Clock;
  private granted = 0;
  private waitedMs = 0;

  constructor(opts: { requestsPerMinute: number; clock?: Clock }) {
    this.clock = opts.clock ?? systemClock;
    this.intervalMs = RateLimiter.interval(opts.requestsPerMinute);
  }

  private static interval(requestsPerMinute: number): number {
    if (!(requestsPerMinute > 0)) throw new RangeError('requestsPerMinute must be a positive number (or Infinity)');
    return Number.isFinite(requestsPerMinute) ? 60_000 / requestsPerMinute : 0;
  }

  /** Requests per minute this limiter lets through; Infinity when it does not limit. */
  get requestsPerMinute(): number {
    return this.intervalMs === 0 ? Number.POSITIVE_INFINITY : 60_000 / this.intervalMs;
  }

  /** Minimum spacing between two requests in ms (0 = unlimited). The paged reader sizes its window from it. */
  get spacingMs(): number {
    return this.intervalMs;
  }

  /** Changes the budget (a settings change); slots already handed out keep their times. */
  setRequestsPerMinute(requestsPerMinute: number): void {
    this.intervalMs = RateLimiter.interval(requestsPerMinute);
  }

  /**
   * Resolves when the caller may send one request, with the milliseconds it had to wait (0 = none).
   * Rejects with the signal's reason if aborted while waiting.
   */
  async acquire(signal?: AbortSignal): Promise<number> {
    signal?.throwIfAborted();
    const began = this.clock.now().getTime();
    let waitedAny = false;
    for (;;) {
      const now = this.clock.now().getTime();
      const slot = Math.max(now, this.nextSlot, this.pausedUntil);
      this.nextSlot = slot + this.intervalMs;
      const wait = slot - now;
      if (wait > 0) {
        waitedAny = true;
        try {
          await sleepUnlessAborted(this.clock, wait, signal);
        } catch (err) {
          // Hand the slot back if nobody queued behind it; otherwise leave a gap (sends fewer, never more).
          if (this.nextSlot === slot + this.intervalMs) this.nextSlot = slot;
          throw err;
        }
      }
      // A 429 may have paused everyone while this caller slept on a slot inside the pause: queue again after it.
      if (this.clock.now().getTime() + 1 < this.pausedUntil) continue;
      const waited = waitedAny ? this.clock.now().getTime() - began : 0;
      this.granted += 1;
      this.waitedMs += waited;
      return waited;
    }
  }

  /** Holds every caller back for `ms` (from now), e.g. Atera's Retry-After after a 429. Never shortens a pause. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now().getTime() + Math.max(0, ms));
  }

  stats(): { granted: number; waitedMs: number } {
    return { granted: this.granted, waitedMs: this.waitedMs };
  }
}

/** Clock.sleep, but rejecting on abort even for clocks whose sleep ignores the signal (e.g. ManualClock). */
function sleepUnlessAborted(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (!signal) return clock.sleep(ms);
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    clock.sleep(ms, signal).then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

const shared = new Map<string, RateLimiter>();

/**
 * The process-wide limiter for one Atera account: every client built for the same base URL and key shares it, so
 * the sync, the alert poller and outbound resolves together stay inside one budget. The map key holds a hash of
 * the API key, never the key itself.
 */
export function sharedRateLimiter(
  baseUrl: string,
  apiKey: string,
  requestsPerMinute = 700,
  clock?: Clock,
): RateLimiter {
  const keyHash = createHash('sha256').update(apiKey).digest('hex').slice(0, 16);
  const id = `${baseUrl}|${keyHash}`;
  let limiter = shared.get(id);
  if (!limiter) {
    limiter = new RateLimiter({ requestsPerMinute, clock });
    shared.set(id, limiter);
  } else if (limiter.requestsPerMinute !== requestsPerMinute) {
    limiter.setRequestsPerMinute(requestsPerMinute);
  }
  return limiter;
}
