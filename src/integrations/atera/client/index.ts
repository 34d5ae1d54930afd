/** Atera RMM API v3 client: the only way Keel talks to Atera. See docs/atera-client-and-simulator.md. */
export {
  ATERA_DEFAULT_BASE_URL,
  ATERA_DEFAULT_REQUESTS_PER_MINUTE,
  ATERA_MAX_PAGE_SIZE,
  AteraClient,
  type AteraClientOptions,
  type AteraClientStats,
  detectAuthScheme,
  type ListOptions,
  normalizeAteraBaseUrl,
  type PageDecoder,
} from './client.js';
export { parseRetryAfter } from './http.js';
export type { AteraPage, DecodedPage, PagedRead, ReadSummary, RejectedRecord } from './paging.js';
export { checkItem } from './paging.js';
export { RateLimiter, sharedLimiters, sharedRateLimiter } from './rate-limiter.js';
export * from './schemas.js';
