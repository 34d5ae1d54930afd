/**
 * Failed-login throttling per IP and per username: after `max` failures inside `windowMs` the key is
 * refused until the oldest failure leaves the window. Kept in memory: it protects one process, which
 * is what a brute-force attempt against one endpoint hits; success clears the username's failures.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly max = 10,
    private readonly windowMs = 5 * 60_000,
  ) {}

  /** Seconds until the key may try again, or 0 when it may try now. */
  retryAfter(keys: string[], now: number): number {
    let wait = 0;
    for (const key of keys) {
      const list = this.prune(key, now);
      if (list.length >= this.max) wait = Math.max(wait, Math.ceil((list[0]! + this.windowMs - now) / 1000));
    }
    return wait;
  }

  fail(keys: string[], now: number): void {
    for (const key of keys) {
      const list = this.prune(key, now);
      list.push(now);
      this.failures.set(key, list);
    }
  }

  succeed(key: string): void {
    this.failures.delete(key);
  }

  private prune(key: string, now: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (list.length === 0) this.failures.delete(key);
    else this.failures.set(key, list);
    return list;
  }
}
