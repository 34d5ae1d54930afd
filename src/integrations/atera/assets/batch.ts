import type { AppContext } from '../../../app/context.js';
import type { GrowthAnalyzer } from '../../../db/growth-analyzer.js';
import { clearConflicts, saveConflicts } from '../../../sync/conflicts.js';
import { upsertLinks } from '../../../sync/links.js';
import { normalizeMatchValue } from '../../../sync/matching.js';
import type { RunRecorder } from '../../../sync/runs.js';
import { loginCandidates } from '../mappers.js';
import { INTEGRATION } from '../settings/settings.js';
import { applyBatch, ensureAssetTypes } from './apply.js';
import { conflictsStillHolding, conflictsToRemember, rememberedConflicts, repoints } from './conflict-cache.js';
import type { AgentContext } from './device.js';
import {
  type AssetLookups,
  assetsByAteraId,
  assetsById,
  devicesToPlan,
  type ExistingAsset,
  usersForLogins,
} from './lookups.js';
import { loadMatchIndex, type MatchIndex, type MatchingField } from './match-index.js';
import { matchValue, type NewAssetRow, type PlannedAction, pickUser, planAsset } from './plan.js';

/** What one asset import carries from batch to batch. */
export interface ImportState {
  /** The matching-field index, loaded on first need; planned creates join it under provisional ids. */
  matchIndex: MatchIndex | null;
  plannedTypes: Set<string>;
  /** Assets an update of this run re-points (see conflict-cache.ts). */
  repointed: Set<number>;
  /** Index moves of updates planned before the index was loaded (see MatchIndex.place). */
  pendingMoves: IndexMove[];
  /** Keeps the statistics of the asset and link tables current as an import grows them (not in a preview). */
  analyzer: GrowthAnalyzer | null;
}

export const newImportState = (analyzer: GrowthAnalyzer | null): ImportState => ({
  matchIndex: null,
  plannedTypes: new Set(),
  repointed: new Set(),
  pendingMoves: [],
  analyzer,
});

/**
 * Plans one batch of devices and, unless this is a preview, writes it in one transaction. The batch holds only
 * devices the run's snapshot of sound links could not call unchanged (import-assets.ts); one light query
 * (devicesToPlan: which devices' hashes differ from their links) checks them against the database as it is now,
 * and one or two more their remembered conflicts (conflict-cache.ts). Full asset rows, users and the matching
 * index are read only for devices that still need planning.
 */
export async function processBatch(
  ctx: AppContext,
  lk: AssetLookups,
  contexts: AgentContext[],
  preview: boolean,
  recorder: RunRecorder,
  state: ImportState,
): Promise<void> {
  // Same content hash as last written and the asset still linked: nothing to plan or write.
  const pending = await devicesToPlan(ctx.db, contexts);
  const todo = pending.size ? contexts.filter((c) => pending.has(c.ext)) : [];
  recorder.countUnchanged(contexts.length - todo.length);
  if (todo.length === 0) return;
  const hasOwnAsset = (ext: string) => (pending.get(ext) ?? null) !== null;
  // Devices with an asset of their own are planned whatever they remember, but a remembered conflict of
  // theirs is then forgotten.
  const remembered = await rememberedConflicts(
    ctx.db,
    todo.map((c) => c.ext),
  );
  const holding = await conflictsStillHolding(ctx.db, lk, todo, remembered, hasOwnAsset, state.repointed);
  const toPlan = holding.size ? todo.filter((c) => !holding.has(c.ext)) : todo;
  const field = lk.settings.atera_matchingfield;
  if (field !== null && state.matchIndex === null && toPlan.some((c) => !hasOwnAsset(c.ext))) {
    state.matchIndex = await loadMatchIndex(ctx.db, field);
    for (const move of state.pendingMoves) state.matchIndex.place(...move);
    state.pendingMoves = [];
  }
  const clientIds = [...new Set(toPlan.map((c) => c.site?.client_id).filter((x): x is number => x !== undefined))];
  const logins = [...new Set(toPlan.flatMap((c) => loginCandidates(c.agent.LastLoginUser)))];
  // Assets the matching field could pick need their current values: fetched in one query.
  const candidateIds = new Set<number>();
  for (const c of toPlan) {
    if (hasOwnAsset(c.ext)) continue;
    const v = matchValue(c.desired, field);
    for (const cand of v === null ? [] : (state.matchIndex?.get(normalizeMatchValue(v)) ?? []))
      if (cand.id > 0) candidateIds.add(cand.id);
  }
  const [byAteraId, users, byId] = await Promise.all([
    assetsByAteraId(
      ctx.db,
      toPlan.filter((c) => hasOwnAsset(c.ext)).map((c) => c.ext),
    ),
    usersForLogins(ctx.db, clientIds, logins),
    assetsById(ctx.db, [...candidateIds]),
  ]);
  // Planned one by one in Atera's order; each planned create joins the matching index (with a
  // provisional id, minus its agent id) so a later device with the same value is a conflict, in a
  // preview and an import alike, whatever the batch boundaries. Each asset linked by the matching field
  // is marked linked in the index the same way (below).
  const plans: PlannedAction[] = [];
  // A last guard within the batch (the index already keeps a linked asset from a second device): an asset is
  // updated by one device at most.
  const claimed = new Set<number>();
  for (const c of todo) {
    const held = holding.get(c.ext);
    if (held) {
      plans.push({ kind: 'conflict', change: held });
      continue;
    }
    let plan = planAsset(
      c,
      lk,
      { byAteraId, byId, matchIndex: state.matchIndex },
      c.site ? pickUser(c.agent, c.site.client_id, users) : null,
    );
    if (plan.kind === 'update') {
      if (claimed.has(plan.assetId)) {
        plan = {
          kind: 'conflict',
          change: {
            ...plan.change,
            action: 'conflict',
            reason: `asset ${plan.assetId} is matched by another device in this import`,
            fields: null,
          },
        };
      } else {
        claimed.add(plan.assetId);
        const current = byAteraId.get(c.ext) ?? byId.get(plan.assetId)!;
        if (repoints(current, plan.set, field)) {
          state.repointed.add(plan.assetId);
          // The index, loaded once per run, still holds the asset as it was: move it to the value the update
          // leaves and mark it linked to this agent (see MatchIndex.place). In memory only: no query per device.
          // Not loaded yet: remembered, and applied when a later batch loads it (a preview writes nothing, so
          // the database it loads from would not show the move).
          const move = indexMove(current, plan.set, field, c.ext);
          if (move && state.matchIndex) state.matchIndex.place(...move);
          else if (move) state.pendingMoves.push(move);
        }
      }
    }
    if (plan.kind === 'create' && state.matchIndex) {
      const v = matchValue(c.desired, field);
      if (v !== null) state.matchIndex.addPlanned(normalizeMatchValue(v), c.agent.AgentID);
    }
    plans.push(plan);
  }
  const newTypes = [
    ...new Set(plans.flatMap((p) => ((p.kind === 'create' || p.kind === 'update') && p.newType ? [p.newType] : []))),
  ];
  for (const t of newTypes) state.plannedTypes.add(t);
  if (!preview) {
    const forgettable = [...remembered.keys()].filter((ext) => !holding.has(ext));
    const writes = plans.some(
      (p) =>
        p.kind === 'create' ||
        p.kind === 'update' ||
        (p.kind === 'unchanged' && p.change.local_id !== null) ||
        (p.kind === 'conflict' && p.match),
    );
    // A batch whose only plans are remembered conflicts (or skips) opens no transaction at all.
    if (writes || forgettable.length > 0) await writeBatch(ctx, lk, todo, plans, newTypes, forgettable);
    await state.analyzer?.rowsAdded(plans.filter((p) => p.kind === 'create').length);
  }
  for (const p of plans) recorder.record(p.change);
}

type IndexMove = Parameters<MatchIndex['place']>;

/** Where an update leaves an asset in the matching index: [asset, agent, old value, new value], normalized. */
function indexMove(
  current: ExistingAsset,
  set: Partial<NewAssetRow>,
  field: MatchingField | null,
  ext: string,
): IndexMove | null {
  if (field === null) return null;
  const valueIn = (inventory: string | null, values: NewAssetRow['fields']): string | null => {
    const v = field === 'inventory_number' ? inventory : values[String(field)];
    return v === null || v === undefined ? null : normalizeMatchValue(String(v));
  };
  const before = valueIn(current.inventory_number, current.fields);
  const after = valueIn(
    set.inventory_number !== undefined ? set.inventory_number : current.inventory_number,
    set.fields ?? current.fields,
  );
  return [current.id, ext, before, after];
}

/** Writes a batch's plan (plans[i] is the plan of devices[i]) and its conflicts to remember, in one transaction. */
async function writeBatch(
  ctx: AppContext,
  lk: AssetLookups,
  devices: AgentContext[],
  plans: PlannedAction[],
  newTypes: string[],
  forgettable: string[],
): Promise<void> {
  const now = ctx.clock.now().toISOString();
  await ctx.db.transaction().execute(async (tx) => {
    const typeIds = await ensureAssetTypes(tx, newTypes, lk.settings.atera_defaultgroup!);
    for (const [name, id] of typeIds) {
      lk.assetTypes.set(name, id);
      lk.typesCreatedByRun.add(name);
      lk.keyFieldOfType.set(id, null);
    }
    await applyBatch(tx, plans, typeIds, now);
    // Devices whose asset is already right but whose link hash is stale: refresh the hash only.
    const refresh = plans.flatMap((p, i) =>
      p.kind === 'unchanged' && p.change.local_id !== null
        ? [
            {
              external_id: p.change.external_id!,
              local_id: p.change.local_id,
              hash: devices[i]!.hash,
              origin: 'matched' as const,
            },
          ]
        : [],
    );
    if (refresh.length) await upsertLinks(tx, INTEGRATION, 'asset', refresh);
    // Remember this batch's conflicts; forget those of devices now planned otherwise (created, updated,
    // linked, skipped) or whose remembered conflict no longer holds.
    const remember = await conflictsToRemember(tx, lk, devices, plans);
    const kept = new Set(remember.map((r) => r.external_id));
    await saveConflicts(tx, INTEGRATION, 'asset', remember);
    await clearConflicts(
      tx,
      INTEGRATION,
      'asset',
      forgettable.filter((ext) => !kept.has(ext)),
    );
  });
}
