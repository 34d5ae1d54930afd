import { LRUCache } from 'lru-cache';

/**
 * A short-lived, per-database cache for small reads that nearly every API request repeats and that rarely
 * change: the caller behind a bearer token, custom field definitions, asset type fields.
 *
 * Why: under load each PostgreSQL round trip costs far more than its query (a context switch to the backend
 * on every request, on a machine the sync is also using); these reads were 1-3 of the 4-6 round trips of a
 * typical request.
 *
 * Freshness:
 * - Every statement this process runs is seen (the database's query log): a write to a table drops every
 *   entry that read it, at once. So within one process a change is visible to the next request.
 * - Writes by other processes (a worker, a second server) are not seen: entries expire after `ttlMs`
 *   (a few seconds), which bounds how long such a change can go unseen.
 * - Reads inside a transaction never use the cache (a transaction is another Kysely instance): what a
 *   transaction reads is what it will write against.
 */
export class ReadCache {
  private readonly entries = new LRUCache<string, Entry>({ max: 2000 });

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  read<T>(key: string, tables: readonly string[], load: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && hit.expires > this.now()) return hit.value as Promise<T>;
    const value = load();
    const entry: Entry = { value, tables, expires: this.now() + this.ttlMs };
    this.entries.set(key, entry);
    // A failed read is not remembered, nor is "not found" (undefined): a token issued by another process a
    // moment ago must work at once, not after the entry expires.
    const forget = () => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    };
    value.then((v) => v === undefined && forget(), forget);
    return value;
  }

  /** Drops every entry that read `table`. */
  invalidate(table: string): void {
    for (const [key, entry] of this.entries.entries()) if (entry.tables.includes(table)) this.entries.delete(key);
  }

  /** Invalidates the tables a SQL statement writes (INSERT INTO / UPDATE / DELETE FROM, also inside CTEs). */
  noteStatement(sql: string): void {
    if (this.entries.size === 0) return;
    // TRUNCATE may name many tables (test resets, maintenance): drop everything rather than parse the list.
    if (TRUNCATE.test(sql)) this.entries.clear();
    else for (const m of sql.matchAll(WRITE_TARGET)) this.invalidate(m[1]!.toLowerCase());
  }
}

interface Entry {
  value: Promise<unknown>;
  tables: readonly string[];
  expires: number;
}

// `update` also matches "do update set" and "for update": they yield "set"/"skip"..., which no entry reads.
const WRITE_TARGET = /\b(?:insert\s+into|update|delete\s+from)\s+"?([A-Za-z_][A-Za-z0-9_]*)"?/gi;
const TRUNCATE = /\btruncate\b/i;

const CACHES = new WeakMap<object, ReadCache>();

/** Attaches a cache to a database's root Kysely instance (done once by openDatabase). */
export function attachReadCache(db: object, cache: ReadCache): void {
  CACHES.set(db, cache);
}

/**
 * Reads through the cache of `db` when `db` is a root database handle; inside a transaction (or for a handle
 * without a cache) it simply runs `load`.
 */
export function cachedRead<T>(db: object, key: string, tables: readonly string[], load: () => Promise<T>): Promise<T> {
  const cache = CACHES.get(db);
  return cache ? cache.read(key, tables, load) : load();
}
