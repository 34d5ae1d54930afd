import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/clock.js';
import { RateLimiter, sharedRateLimiter } from './rate-limiter.js';

/** Lets pending promise callbacks run (ManualClock resolves sleeps synchronously on advance). */
const flush = () => new Promise((r) => setImmediate(r));

describe('RateLimiter', () => {
  it('spaces requests evenly at N per minute, in call order, for concurrent callers', async () => {
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const limiter = new RateLimiter({ requestsPerMinute: 60, clock });
    const granted: number[] = [];
    const start = clock.now().getTime();
    const all = Array.from({ length: 5 }, (_, i) =>
      limiter.acquire().then(() => granted.push(i === granted.length ? clock.now().getTime() - start : -1)),
    );
    await flush();
    expect(granted).toEqual([0]);
    for (let s = 1; s <= 4; s++) {
      clock.advance(999);
      await flush();
      expect(granted.length).toBe(s);
      clock.advance(1);
      await flush();
      expect(granted.length).toBe(s + 1);
    }
    await Promise.all(all);
    // Caller i was granted at i seconds, and in call order (-1 would mark one out of order).
    expect(granted).toEqual([0, 1000, 2000, 3000, 4000]);
  });

  it('never lets more than N requests start in any 60-second window', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ requestsPerMinute: 700, clock });
    const times: number[] = [];
    const pending = Array.from({ length: 2000 }, () => limiter.acquire().then(() => times.push(clock.now().getTime())));
    for (let t = 0; t < 200_000 && times.length < 2000; t += 10) {
      clock.advance(10);
      await flush();
    }
    await Promise.all(pending);
    for (let i = 700; i < times.length; i++) expect(times[i]! - times[i - 700]!).toBeGreaterThanOrEqual(60_000 - 10);
    // ...and the pace is the budget, not slower: 2000 requests in ~(2000-1)/700 minutes.
    expect(times[1999]! - times[0]!).toBeLessThanOrEqual(Math.ceil((1999 * 60_000) / 700) + 10);
  });

  it('pause() holds back every caller, including those already queued', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ requestsPerMinute: 6000, clock }); // 10 ms spacing
    await limiter.acquire();
    limiter.pause(5000);
    let done = false;
    const p = limiter.acquire().then(() => {
      done = true;
    });
    clock.advance(4000);
    await flush();
    expect(done).toBe(false);
    clock.advance(1000);
    await flush();
    await p;
    expect(done).toBe(true);
  });

  it('an aborted waiter rejects and hands its slot back', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ requestsPerMinute: 60, clock });
    await limiter.acquire();
    const ac = new AbortController();
    const aborted = limiter.acquire(ac.signal);
    ac.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    // The freed slot (t=1000) goes to the next caller rather than leaving a gap until t=2000.
    let at = -1;
    const next = limiter.acquire().then(() => {
      at = clock.now().getTime();
    });
    clock.advance(1000);
    await flush();
    await next;
    expect(at).toBe(new Date('2026-01-01T00:00:01Z').getTime());
  });

  it('Infinity means no pacing, and reports how long a caller waited', async () => {
    const limiter = new RateLimiter({ requestsPerMinute: Number.POSITIVE_INFINITY });
    for (let i = 0; i < 1000; i++) expect(await limiter.acquire()).toBe(0);
    expect(limiter.spacingMs).toBe(0);
    expect(() => new RateLimiter({ requestsPerMinute: 0 })).toThrow(RangeError);
  });

  it('shares one limiter per base URL and key without keeping the key', () => {
    const a = sharedRateLimiter('https://app.atera.com', 'key-one-secret', 700);
    const b = sharedRateLimiter('https://app.atera.com', 'key-one-secret', 700);
    const c = sharedRateLimiter('https://app.atera.com', 'key-two-secret', 700);
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    sharedRateLimiter('https://app.atera.com', 'key-one-secret', 350);
    expect(a.requestsPerMinute).toBeCloseTo(350);
  });
});
