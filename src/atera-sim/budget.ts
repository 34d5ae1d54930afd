/**
 * The simulator's server-side rate limit: a token bucket per API key holding one minute's budget and refilling
 * continuously (the reference's simulator guidance, §3). A burst may spend the whole minute at once; after that
 * every request beyond the refill rate gets 429 with Retry-After until a token is back. Real time
 * (performance.now) is used, not the simulator's data clock, because it governs real network traffic.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private requestsPerMinute: number | null) {}

  setRequestsPerMinute(requestsPerMinute: number | null): void {
    this.requestsPerMinute = requestsPerMinute;
    this.buckets.clear();
  }

  get limit(): number | null {
    return this.requestsPerMinute;
  }

  /** Spends one token for `key`: returns null when allowed, or the seconds to wait (>= 1) when over budget. */
  take(key: string): number | null {
    const rpm = this.requestsPerMinute;
    if (rpm === null) return null;
    const now = performance.now();
    const perMs = rpm / 60_000;
    const bucket = this.buckets.get(key) ?? { tokens: rpm, at: now };
    bucket.tokens = Math.min(rpm, bucket.tokens + (now - bucket.at) * perMs);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return null;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
  }
}
