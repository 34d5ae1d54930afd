import { type Kysely, sql } from 'kysely';
import type { DB } from './schema.js';

/**
 * Keeps planner statistics current while a bulk import grows tables it also reads. Without them PostgreSQL
 * estimates `integration = 'atera' AND entity = 'asset'` at about one row of sync_link, walks
 * sync_link_local_idx over every link and filters by external id: a 1,000-device lookup against 20,000 links
 * took 840 ms that way and 4 ms with statistics, and a first import's lookups grow with the table. Autovacuum
 * analyzes a table up to a minute after it changed, and PGlite has no autovacuum at all.
 *
 * So the importer reports how many rows it added and this runs ANALYZE whenever the rows added since the last
 * one reach the size the table had then (at least `minRows`): a 100,000-device first import analyzes about
 * seven times, each sampling at most PostgreSQL's usual 30,000 rows; a run that adds little analyzes nothing.
 */
export class GrowthAnalyzer {
  private added = 0;
  /** Rows added (this run) at which the next ANALYZE is due. */
  private next: number;

  private constructor(
    private readonly db: Kysely<DB>,
    private readonly tables: (keyof DB)[],
    /** The table's size when its statistics were last taken, as they say. */
    private readonly initialRows: number,
    private readonly minRows: number,
  ) {
    this.next = Math.max(minRows, initialRows);
  }

  /**
   * `tables[0]` is the one whose size (as the statistics last saw it) sets the first threshold. A table with
   * rows but never analyzed (reltuples -1: PGlite, or a bulk load autovacuum has not reached yet) is analyzed
   * at once, since its lookups are already planned blind.
   */
  static async start(db: Kysely<DB>, tables: (keyof DB)[], minRows = 1000): Promise<GrowthAnalyzer> {
    const { rows } = await sql<{ name: string; tuples: number; pages: number }>`
      SELECT relname AS name, reltuples::float8 AS tuples, relpages AS pages FROM pg_class
      WHERE oid = ANY(${tables.map(quoted)}::regclass[])`.execute(db);
    const analyzer = new GrowthAnalyzer(
      db,
      tables,
      Math.max(0, rows.find((r) => r.name === tables[0])?.tuples ?? 0),
      minRows,
    );
    if (rows.some((r) => r.tuples < 0 && r.pages > 0)) await analyzer.analyze();
    return analyzer;
  }

  async rowsAdded(n: number): Promise<void> {
    this.added += n;
    if (this.added < this.next) return;
    await this.analyze();
    this.next = this.added + Math.max(this.minRows, this.initialRows + this.added);
  }

  /**
   * At the end of the import: vacuums the first table (the one the API lists) when the import added many rows
   * (see vacuumAfterBulkWrite). Only that one: the others are read by index lookups; vacuuming 100,000 fresh
   * rows took ~0.6 s for the asset table and ~0.2 s for the link table. Autovacuum reaches the rest soon enough.
   */
  async finish(): Promise<void> {
    await vacuumAfterBulkWrite(this.db, this.tables.slice(0, 1), this.added, this.minRows);
  }

  /** Best effort: statistics only speed lookups up, so a refusal (not the tables' owner) must not fail the run. */
  private async analyze(): Promise<void> {
    await sql
      .raw(`ANALYZE ${quotedList(this.tables)}`)
      .execute(this.db)
      .catch(() => {});
  }
}

/**
 * VACUUM (ANALYZE) of tables a run has just added at least `minRows` rows to. Why: rows fresh from a bulk insert
 * are not yet marked all-visible, so every index-only scan over them (a list's OFFSET walk, its COUNT) fetches
 * each row from the heap as well. Measured in the load benchmark (100,000 assets, 10,000 tickets just written):
 * 2.3 x the API throughput and list p95 607 -> 229 ms once vacuumed. Autovacuum would get there within a minute or
 * so on PostgreSQL; PGlite has none. Best effort, like ANALYZE above: a refusal must not fail the run.
 */
export async function vacuumAfterBulkWrite(
  db: Kysely<DB>,
  tables: readonly (keyof DB)[],
  rowsAdded: number,
  minRows = 1000,
): Promise<void> {
  if (rowsAdded < minRows || tables.length === 0) return;
  await sql
    .raw(`VACUUM (ANALYZE) ${quotedList(tables)}`)
    .execute(db)
    .catch(() => {});
}

/** Table names come from the schema's own keys (never from input); quoted as identifiers regardless. */
const quoted = (table: keyof DB): string => `"${table}"`;
const quotedList = (tables: readonly (keyof DB)[]): string => tables.map(quoted).join(', ');
