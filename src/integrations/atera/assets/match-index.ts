import { type Kysely, type RawBuilder, type SqlBool, sql } from 'kysely';
import type { DB } from '../../../db/schema.js';
import { type AssetCandidate, type AssetCandidateLookup, normalizeMatchValue } from '../../../sync/matching.js';

export type MatchingField = number | 'inventory_number';

/** The asset matching field's value as text, as the matching rule compares it. */
export function matchValueColumn(field: MatchingField): RawBuilder<string | null> {
  return field === 'inventory_number'
    ? sql<string | null>`inventory_number`
    : sql<string | null>`fields->>${String(field)}::text`;
}

/**
 * An entry: an asset not linked to any agent as its id (a positive number), a device this run plans to create
 * as minus its agent id (the provisional id its conflicts name), any other asset as a candidate object, and a
 * value several share as an array of those.
 */
type Entry = number | AssetCandidate;

/**
 * Assets by normalized matching value, and the devices this run plans to create. It is the largest thing an
 * import keeps for its whole run (every asset of a database it matches against, or every device a first
 * import creates), and V8 lets the heap grow to a multiple of what stays alive, so entries are kept small:
 * most are a number, and only a value several share holds an array.
 */
export class MatchIndex implements AssetCandidateLookup {
  private readonly byValue = new Map<string, Entry | Entry[]>();

  get(normalizedValue: string): readonly AssetCandidate[] | undefined {
    const entry = this.byValue.get(normalizedValue);
    if (entry === undefined) return undefined;
    return Array.isArray(entry) ? entry.map(candidateOf) : [candidateOf(entry)];
  }

  add(normalizedValue: string, candidate: AssetCandidate): void {
    this.put(normalizedValue, candidate.external_id === null && candidate.id > 0 ? candidate.id : candidate);
  }

  /** A device this run plans to create; returns its provisional asset id (minus the agent id). */
  addPlanned(normalizedValue: string, agentId: number): number {
    const id = -agentId;
    this.put(normalizedValue, Number.isSafeInteger(agentId) && agentId > 0 ? id : { id, external_id: String(agentId) });
    return id;
  }

  /**
   * An asset this run updates: from now on the index holds it under the matching value it has after the update
   * (`to`, normalized; null when it has none) and names the agent it is linked to, as an index loaded after the
   * write would. So a later device with the new value gets the conflict an asset linked before the run gives
   * (not the asset, and not a duplicate), and one with the old value no longer finds it, in a preview and an
   * import alike. Idempotent: an index loaded after the write already holds the result.
   */
  place(assetId: number, externalId: string, from: string | null, to: string | null): void {
    if (from !== null && from !== to) this.remove(from, assetId);
    if (to === null) return;
    const linked: AssetCandidate = { id: assetId, external_id: externalId };
    const current = this.byValue.get(to);
    if (Array.isArray(current)) {
      const i = current.findIndex((e) => idOf(e) === assetId);
      if (i >= 0) current[i] = linked;
      else current.push(linked);
    } else if (current !== undefined && idOf(current) === assetId) this.byValue.set(to, linked);
    else this.put(to, linked);
  }

  private remove(key: string, assetId: number): void {
    const current = this.byValue.get(key);
    if (current === undefined) return;
    if (!Array.isArray(current)) {
      if (idOf(current) === assetId) this.byValue.delete(key);
      return;
    }
    const rest = current.filter((e) => idOf(e) !== assetId);
    if (rest.length === current.length) return;
    if (rest.length === 0) this.byValue.delete(key);
    else this.byValue.set(key, rest.length === 1 ? rest[0]! : rest);
  }

  private put(key: string, entry: Entry): void {
    const current = this.byValue.get(key);
    if (current === undefined) this.byValue.set(key, entry);
    else if (Array.isArray(current)) current.push(entry);
    else this.byValue.set(key, [current, entry]);
  }
}

const idOf = (entry: Entry): number => (typeof entry === 'number' ? entry : entry.id);

function candidateOf(entry: Entry): AssetCandidate {
  if (typeof entry !== 'number') return entry;
  return entry > 0 ? { id: entry, external_id: null } : { id: entry, external_id: String(-entry) };
}

/** Rows read per query while loading the index: bounds the transient result array, not the index. */
const PAGE = 10_000;

/**
 * The matching-field index of every asset, built on first need: a run where every device is linked, unchanged
 * or a remembered conflict never reads it.
 */
export async function loadMatchIndex(db: Kysely<DB>, field: MatchingField): Promise<MatchIndex> {
  const index = new MatchIndex();
  const value = matchValueColumn(field);
  for (let after = 0; ; ) {
    const rows = await db
      .selectFrom('asset')
      .select(['id', 'atera_id', value.as('v')])
      .where('id', '>', after)
      .where(sql<SqlBool>`${value} IS NOT NULL`)
      .orderBy('id')
      .limit(PAGE)
      .execute();
    for (const r of rows) index.add(normalizeMatchValue(r.v!), { id: r.id, external_id: r.atera_id });
    if (rows.length < PAGE) return index;
    after = rows[rows.length - 1]!.id;
  }
}
