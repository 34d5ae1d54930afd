import { createHash } from 'node:crypto';
import { type Clock, systemClock } from '../../../core/clock.js';
import { sleep } from './sleep.js';

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
          await sleep(this.clock, wait, signal);
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

const shared = new Map<string, RateLimiter>();

/** A short, one-way fingerprint of an API key, for keying per-account state without holding the key. */
export function keyHash(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex').slice(0, 16);
}

/**
 * The process-wide limiter for one Atera account: every client built for the same base URL and key shares it, so
 * the sync, the alert poller and outbound resolves together stay inside one budget. The map key holds a hash of
 * the API key, never the key itself. It always runs on the system clock: it paces real network traffic, and a
 * test's manual clock must not leak into a limiter that outlives the test.
 */
export function sharedRateLimiter(baseUrl: string, apiKey: string, requestsPerMinute = 700): RateLimiter {
  const id = `${baseUrl}|${keyHash(apiKey)}`;
  let limiter = shared.get(id);
  if (!limiter) {
    limiter = new RateLimiter({ requestsPerMinute });
    shared.set(id, limiter);
  } else if (limiter.requestsPerMinute !== requestsPerMinute) {
    limiter.setRequestsPerMinute(requestsPerMinute);
  }
  return limiter;
}

/** The process's shared limiters (for metrics): budget and totals, never the key. */
export function sharedLimiters(): { requestsPerMinute: number; granted: number; waitedMs: number }[] {
  return [...shared.values()].map((l) => ({ requestsPerMinute: l.requestsPerMinute, ...l.stats() }));
}
