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
  private readonly entries: LRUCache<string, Entry>;
  /**
   * Keys of the entries a write can drop, so a write costs what it drops, not a scan of every entry (thousands
   * of per-customer list entries): `any:<table>` for entries that read the table, `rows:<table>` for row-set
   * entries of the table (INSERT and DELETE drop them all), `col:<table>.<column>` for those whose filter reads
   * the column (an UPDATE setting it drops them).
   */
  private readonly index = new Map<string, Set<string>>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.entries = new LRUCache<string, Entry>({
      max: 5000,
      dispose: (entry, key) => {
        for (const slot of slotsOf(entry)) this.index.get(slot)?.delete(key);
      },
    });
  }

  /**
   * `tables`: any write to one of them drops the entry. `rows` (for counts of a filtered list): the entry
   * depends on which rows of that table match, so an INSERT or DELETE drops it, but an UPDATE only when it
   * sets one of `columns` (an edit of an asset's notes leaves the count of active assets as it was).
   */
  read<T>(key: string, tables: readonly string[], load: () => Promise<T>, rows?: RowSetDependency): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && hit.expires > this.now()) return hit.value as Promise<T>;
    const value = load();
    const entry: Entry = { value, tables, rows, expires: this.now() + this.ttlMs };
    this.entries.set(key, entry);
    for (const slot of slotsOf(entry)) {
      const keys = this.index.get(slot) ?? new Set<string>();
      this.index.set(slot, keys);
      keys.add(key);
    }
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
    this.drop(`any:${table}`);
    this.drop(`rows:${table}`);
  }

  /** Invalidates the tables a SQL statement writes (INSERT INTO / UPDATE / DELETE FROM, also inside CTEs). */
  noteStatement(sql: string): void {
    if (this.entries.size === 0) return;
    // TRUNCATE may name many tables (test resets, maintenance): drop everything rather than parse the list.
    if (TRUNCATE.test(sql)) {
      this.entries.clear();
      return;
    }
    for (const m of sql.matchAll(WRITE_TARGET)) {
      const table = m[2]!.toLowerCase();
      if (!/^update$/i.test(m[1]!)) {
        this.invalidate(table);
        continue;
      }
      this.drop(`any:${table}`);
      if (!this.index.get(`rows:${table}`)?.size) continue;
      const set = setColumns(sql, m.index! + m[0].length);
      if (set === null) this.drop(`rows:${table}`);
      else for (const column of set) this.drop(`col:${table}.${column}`);
    }
  }

  private drop(slot: string): void {
    const keys = this.index.get(slot);
    if (!keys?.size) return;
    for (const key of [...keys]) this.entries.delete(key);
    keys.clear();
  }
}

function slotsOf(entry: Entry): string[] {
  const slots = entry.tables.map((t) => `any:${t}`);
  if (entry.rows) {
    slots.push(`rows:${entry.rows.table}`);
    for (const c of entry.rows.columns) slots.push(`col:${entry.rows.table}.${c}`);
  }
  return slots;
}

export interface RowSetDependency {
  table: string;
  /** The columns the filter reads. */
  columns: readonly string[];
}

interface Entry {
  value: Promise<unknown>;
  tables: readonly string[];
  rows: RowSetDependency | undefined;
  expires: number;
}

// `update` also matches "do update set" and "for update": they yield "set"/"skip"..., which no entry reads.
const WRITE_TARGET = /\b(insert\s+into|update|delete\s+from)\s+"?([A-Za-z_][A-Za-z0-9_]*)"?/gi;
const TRUNCATE = /\btruncate\b/i;

/**
 * The columns an UPDATE sets, read from its text after the table name: the identifiers before each top-level
 * `=` of the SET list (which ends at a top-level FROM, WHERE or RETURNING). Null when the text does not look like
 * that: the caller then assumes any column may have changed.
 */
export function setColumns(sql: string, from: number): Set<string> | null {
  const setAt = /^\s+(?:as\s+)?(?:"?[A-Za-z_][A-Za-z0-9_]*"?\s+)?set\s/i.exec(sql.slice(from, from + 200));
  if (!setAt) return null;
  const columns = new Set<string>();
  let depth = 0;
  let item = '';
  let expectColumn = true;
  for (let i = from + setAt[0].length; i <= sql.length; i++) {
    const ch = sql[i] ?? ',';
    if (ch === "'" || (ch === '"' && !expectColumn)) {
      const close = sql.indexOf(ch, i + 1);
      if (close < 0) return null;
      i = close;
      continue;
    }
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    if (depth < 0) break;
    if (depth > 0) continue;
    if (expectColumn) {
      if (ch === '=') {
        const name = /^\s*"?([A-Za-z_][A-Za-z0-9_]*)"?\s*$/.exec(item);
        if (!name) return null;
        columns.add(name[1]!.toLowerCase());
        expectColumn = false;
        item = '';
      } else item += ch;
      continue;
    }
    if (ch === ',') {
      expectColumn = true;
      continue;
    }
    if (/\s/.test(ch) && /^\s+(?:from|where|returning)\b/i.test(sql.slice(i, i + 12))) break;
  }
  return columns.size ? columns : null;
}

const CACHES = new WeakMap<object, ReadCache>();

/** Attaches a cache to a database's root Kysely instance (done once by openDatabase). */
export function attachReadCache(db: object, cache: ReadCache): void {
  CACHES.set(db, cache);
}

/**
 * Reads through the cache of `db` when `db` is a root database handle; inside a transaction (or for a handle
 * without a cache) it simply runs `load`.
 */
export function cachedRead<T>(
  db: object,
  key: string,
  tables: readonly string[],
  load: () => Promise<T>,
  rows?: RowSetDependency,
): Promise<T> {
  const cache = CACHES.get(db);
  return cache ? cache.read(key, tables, load, rows) : load();
}
