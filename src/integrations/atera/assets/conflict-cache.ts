import { type Kysely, type SqlBool, sql } from 'kysely';
import type { ConflictCandidate, DB } from '../../../db/schema.js';
import { type CachedConflict, cachedConflicts } from '../../../sync/conflicts.js';
import { matchAsset, normalizeMatchValue } from '../../../sync/matching.js';
import type { Change } from '../../../sync/runs.js';
import { INTEGRATION } from '../settings/settings.js';
import type { AgentContext } from './device.js';
import type { AssetLookups } from './lookups.js';
import { type MatchingField, matchValueColumn } from './match-index.js';
import { assetName, matchValue, type NewAssetRow, type PlannedAction } from './plan.js';

/**
 * Remembered asset conflicts (issue 5). A device whose matching value several assets share, or whose only
 * candidate is linked to another agent, is not linked, so every run planned it again and needed the whole
 * matching index for it. Its outcome is now remembered in sync_conflict: the device's content hash and
 * matching value, the candidates (asset id and the atera_id each had; their normalized matching value is the
 * device's, which is how the index found them) and the reason. A later run reports the same conflict, without
 * the index, while all of this holds:
 * - the device's content hash is the same (the record's planned fields, its site and the settings fingerprint:
 *   matching field, mappings and placeholders included) and its matching value, as the mappings produce it now,
 *   is the same (a changed field definition can convert the same text differently);
 * - no asset holds the device's Atera id (it would match by Atera id first);
 * - every candidate still exists with the same normalized matching value and the same atera_id, checked with
 *   one primary-key query per batch, and no update earlier in this run re-points one (in a preview that update
 *   is not written, so the database alone would answer differently than in the import).
 * More assets with the value cannot resolve the conflict under matchAsset's rules (several candidates stay
 * several, and the one linked elsewhere stays a candidate), so new assets are not looked for: the reason then
 * still names the count or asset seen when the conflict was planned. Removing, editing or relinking a
 * candidate can resolve it; then the device is planned normally.
 */

/** The remembered conflicts of a batch's devices (one query; most batches have a handful). */
export function rememberedConflicts(db: Kysely<DB>, externalIds: string[]): Promise<Map<string, CachedConflict>> {
  return cachedConflicts(db, INTEGRATION, 'asset', externalIds);
}

/** The devices whose remembered conflict still holds, with the change a fresh plan would record. */
export async function conflictsStillHolding(
  db: Kysely<DB>,
  lk: AssetLookups,
  devices: AgentContext[],
  remembered: Map<string, CachedConflict>,
  hasOwnAsset: (ext: string) => boolean,
  repointed: ReadonlySet<number>,
): Promise<Map<string, Change>> {
  const holding = new Map<string, Change>();
  const field = lk.settings.atera_matchingfield;
  if (field === null || remembered.size === 0) return holding;
  const worth = devices.filter((c) => {
    const r = remembered.get(c.ext);
    return (
      r !== undefined &&
      r.hash === c.hash &&
      !hasOwnAsset(c.ext) &&
      matchValue(c.desired, field) === r.match_value &&
      r.candidates.every((x) => !repointed.has(x.id))
    );
  });
  if (worth.length === 0) return holding;
  const now = await currentCandidates(
    db,
    field,
    worth.flatMap((c) => remembered.get(c.ext)!.candidates.map((x) => x.id)),
  );
  for (const c of worth) {
    const r = remembered.get(c.ext)!;
    const value = normalizeMatchValue(r.match_value);
    const unchanged = r.candidates.every((x) => {
      const a = now.get(x.id);
      return a !== undefined && a.atera_id === x.external_id && a.v !== null && normalizeMatchValue(a.v) === value;
    });
    if (unchanged)
      holding.set(c.ext, {
        entity: 'asset',
        external_id: c.ext,
        local_id: null,
        action: 'conflict',
        name: assetName(c),
        reason: r.reason,
        fields: null,
      });
  }
  return holding;
}

async function currentCandidates(
  db: Kysely<DB>,
  field: MatchingField,
  ids: number[],
): Promise<Map<number, { atera_id: string | null; v: string | null }>> {
  const rows = await db
    .selectFrom('asset')
    .select(['id', 'atera_id', matchValueColumn(field).as('v')])
    .where(sql<SqlBool>`id = ANY(${[...new Set(ids)]}::int[])`)
    .execute();
  return new Map(rows.map((r) => [r.id, r]));
}

/**
 * The batch's conflicts to remember, after its creates are written (inside the batch's transaction). Candidates
 * this run created carry provisional ids in the plan; they are stored under their real ids, with the reason a
 * later plan gives (it names the real asset). Conflicts with another device of the same run are not remembered:
 * they depend on the run's order, not on the database. A candidate an earlier device of this run linked (the
 * index then names that agent, see batch.ts) is remembered like any linked candidate: the link is written by
 * the time the conflict is, so a fresh plan gives the same conflict and the usual checks apply.
 */
export async function conflictsToRemember(
  tx: Kysely<DB>,
  lk: AssetLookups,
  devices: AgentContext[],
  plans: PlannedAction[],
): Promise<CachedConflict[]> {
  const conflicts: { device: AgentContext; value: string; candidates: ConflictCandidate[] }[] = [];
  plans.forEach((p, i) => {
    if (p.kind === 'conflict' && p.match) conflicts.push({ device: devices[i]!, ...p.match });
  });
  const created = [
    ...new Set(conflicts.flatMap((c) => c.candidates.filter((x) => x.id < 0).map((x) => x.external_id!))),
  ];
  const realId = new Map<string, number>();
  if (created.length > 0) {
    const rows = await tx
      .selectFrom('asset')
      .select(['id', 'atera_id'])
      .where(sql<SqlBool>`atera_id = ANY(${created}::text[])`)
      .execute();
    for (const r of rows) realId.set(r.atera_id!, r.id);
  }
  const out: CachedConflict[] = [];
  for (const { device, value, candidates } of conflicts) {
    const real = candidates.map((x) =>
      x.id > 0 ? x : { id: realId.get(x.external_id!) ?? 0, external_id: x.external_id },
    );
    if (real.some((x) => x.id <= 0)) continue;
    const m = matchAsset(device.ext, value, new Map(), new Map([[normalizeMatchValue(value), real]]), lk.placeholders);
    if (m.outcome !== 'conflict') continue;
    out.push({ external_id: device.ext, hash: device.hash, match_value: value, candidates: real, reason: m.reason });
  }
  return out;
}

/**
 * Whether an update moves an asset's Atera id or matching value: a remembered conflict naming that asset is
 * then planned again for the rest of the run.
 */
export function repoints(
  current: { fields: NewAssetRow['fields'] },
  set: Partial<NewAssetRow>,
  field: MatchingField | null,
): boolean {
  if (set.atera_id !== undefined) return true;
  if (field === null) return false;
  if (field === 'inventory_number') return set.inventory_number !== undefined;
  return set.fields !== undefined && set.fields[String(field)] !== current.fields[String(field)];
}
