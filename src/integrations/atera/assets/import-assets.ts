import type { AppContext } from '../../../app/context.js';
import { AppError } from '../../../core/errors.js';
import { recordIntegrationError } from '../../../psa/integration-errors/integration-errors.js';
import { linksFor, upsertLinks } from '../../../sync/links.js';
import { type AssetCandidate, normalizeMatchValue } from '../../../sync/matching.js';
import type { RunRecorder } from '../../../sync/runs.js';
import type { AteraAgent, AteraClient, ReadSummary } from '../client/index.js';
import { loginCandidates } from '../mappers.js';
import { INTEGRATION, loadAteraSettings, rememberDeviceTypes } from '../settings/settings.js';
import { applyBatch, ensureAssetTypes } from './apply.js';
import {
  type AssetLookups,
  assetsByAteraId,
  assetsById,
  loadAssetLookups,
  matchIndex,
  usersForLogins,
} from './lookups.js';
import { agentContext, matchValue, type PlannedAction, pickUser, planAsset } from './plan.js';

/** Devices planned and written together: one transaction and a handful of queries per batch. */
export const BATCH_SIZE = 1000;

export interface AssetImportResult {
  recorder: RunRecorder;
  read: ReadSummary;
  /** Atera ids of every device seen in this read (for deactivation by the Integrator). */
  seen: Set<string>;
  /** Atera ids of devices whose OSType is not imported (they are not "deleted"). */
  excludedTypes: Set<string>;
}

/**
 * Asset import (guide: "Import Assets"): streams Atera's agents, plans each device (site, asset type,
 * match by Atera ID then the matching field, field mappings) and, unless this is a preview, writes
 * the plan. A preview produces the same per-record changes and writes nothing but its run record.
 */
export async function importAssets(
  ctx: AppContext,
  client: AteraClient,
  opts: { preview: boolean; recorder: RunRecorder; plannedCustomers?: Map<number, string> },
): Promise<AssetImportResult> {
  const { recorder } = opts;
  const settings = await loadAteraSettings(ctx.db);
  const lk = await loadAssetLookups(ctx.db, settings);
  // In a dry run, customers the same run would create have no site yet: plan their devices onto a
  // provisional (negative) site so the dry run reports what the real run will do.
  for (const [ateraId] of opts.plannedCustomers ?? []) {
    if (!lk.mappedSites.has(ateraId) && !lk.linkedCustomers.has(ateraId))
      lk.linkedCustomers.set(ateraId, { site_id: -ateraId, client_id: -ateraId, rule: 'linked_customer' });
  }
  if (!opts.preview && settings.atera_defaultgroup === null) {
    throw new AppError(
      'validation',
      'Choose a "Default Group for new Asset Types" (atera_defaultgroup) before importing assets',
      [{ path: 'atera_defaultgroup', message: 'not set' }],
    );
  }
  const read = client.agents();
  const seen = new Set<string>();
  const excludedTypes = new Set<string>();
  const osTypes = new Set<string>();
  const state = { matchIndex: null as Map<string, AssetCandidate[]> | null, plannedTypes: new Set<string>() };
  let batch: AteraAgent[] = [];
  // One batch is written while the next pages are read: the database and Atera work in parallel,
  // batches still run one after another (each sees what the previous one wrote).
  let writing: Promise<void> = Promise.resolve();
  const run = async () => {
    await writing;
    if (batch.length === 0) return;
    const agents = batch;
    batch = [];
    writing = (async () => {
      await processBatch(ctx, lk, agents, opts.preview, recorder, state);
      const s = read.summary();
      recorder.progress = {
        ...recorder.progress,
        assets: {
          pages_read: s.pagesRead,
          total_pages: s.totalPages,
          records: s.recordsRead,
          total_records: s.totalItemCount,
        },
      };
      await recorder.flush();
    })();
    // Keep a failure observed; it is rethrown by the next await of `writing`.
    writing.catch(() => {});
  };
  try {
    for await (const page of read) {
      for (const rejected of page.rejected) {
        if (rejected.id !== null) seen.add(String(rejected.id));
        const reason = `${rejected.field}: ${rejected.reason}`;
        recorder.record({
          entity: 'asset',
          external_id: rejected.id === null ? null : String(rejected.id),
          local_id: null,
          action: 'error',
          name: null,
          reason,
          fields: null,
        });
        await recordIntegrationError(ctx.db, {
          module: 'Atera',
          entity_type: 'asset',
          entity_id: rejected.id,
          entity_name: null,
          error: reason,
          run_id: recorder.runId,
        });
      }
      for (const agent of page.records) {
        seen.add(String(agent.AgentID));
        if (agent.OSType) osTypes.add(agent.OSType.trim());
        if (!agent.OSType || !lk.deviceTypes.has(agent.OSType.trim().toLowerCase()))
          excludedTypes.add(String(agent.AgentID));
        batch.push(agent);
      }
      if (batch.length >= BATCH_SIZE) await run();
    }
    await run();
    await writing;
    await rememberDeviceTypes(ctx.db, osTypes);
  } finally {
    recorder.summary = {
      ...recorder.summary,
      assets_read: read.summary(),
      ...(state.plannedTypes.size ? { new_asset_types: [...state.plannedTypes] } : {}),
    };
  }
  return { recorder, read: read.summary(), seen, excludedTypes };
}

async function processBatch(
  ctx: AppContext,
  lk: AssetLookups,
  agents: AteraAgent[],
  preview: boolean,
  recorder: RunRecorder,
  state: { matchIndex: Map<string, AssetCandidate[]> | null; plannedTypes: Set<string> },
): Promise<void> {
  const contexts = agents.map((a) => agentContext(a, lk));
  const ids = agents.map((a) => String(a.AgentID));

  const [links, byAteraId] = await Promise.all([
    linksFor(ctx.db, INTEGRATION, 'asset', ids),
    assetsByAteraId(ctx.db, ids),
  ]);
  // Same content hash as last written and the asset still linked: nothing to plan or write.
  const todo = contexts.filter((c) => {
    const ext = String(c.agent.AgentID);
    const link = links.get(ext);
    const asset = byAteraId.get(ext);
    if (link && asset && link.hash === c.hash && link.local_id === asset.id && !asset.inactive) {
      recorder.record({
        entity: 'asset',
        external_id: ext,
        local_id: asset.id,
        action: 'unchanged',
        name: null,
        reason: null,
        fields: null,
      });
      return false;
    }
    return true;
  });
  if (todo.length === 0) return;
  if (
    todo.some((c) => !byAteraId.has(String(c.agent.AgentID))) &&
    state.matchIndex === null &&
    lk.settings.atera_matchingfield !== null
  ) {
    state.matchIndex = await matchIndex(ctx.db, lk.settings.atera_matchingfield);
  }
  const clientIds = [...new Set(todo.map((c) => c.site?.client_id).filter((x): x is number => x !== undefined))];
  const logins = [...new Set(todo.flatMap((c) => loginCandidates(c.agent.LastLoginUser)))];
  const field = lk.settings.atera_matchingfield;
  // Assets the matching field could pick need their current values: fetched in one query.
  const candidateIds = new Set<number>();
  for (const c of todo) {
    const v = matchValue(c.desired, field);
    for (const cand of v === null ? [] : (state.matchIndex?.get(normalizeMatchValue(v)) ?? []))
      if (cand.id > 0) candidateIds.add(cand.id);
  }
  const [users, byId] = await Promise.all([
    usersForLogins(ctx.db, clientIds, logins),
    assetsById(ctx.db, [...candidateIds]),
  ]);
  // Planned one by one in Atera's order; each planned create joins the matching index (with a
  // provisional negative id) so a later device with the same value is a conflict, in a preview and
  // an import alike, whatever the batch boundaries.
  const plans: PlannedAction[] = [];
  const claimed = new Set<number>();
  let provisional = 0;
  for (const c of todo) {
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
      } else claimed.add(plan.assetId);
    }
    if (plan.kind === 'create' && state.matchIndex) {
      const v = matchValue(c.desired, field);
      if (v !== null) {
        const key = normalizeMatchValue(v);
        state.matchIndex.set(key, [
          ...(state.matchIndex.get(key) ?? []),
          { id: --provisional, external_id: plan.row.atera_id },
        ]);
      }
    }
    plans.push(plan);
  }
  const newTypes = [
    ...new Set(plans.flatMap((p) => ((p.kind === 'create' || p.kind === 'update') && p.newType ? [p.newType] : []))),
  ];
  for (const t of newTypes) state.plannedTypes.add(t);
  const now = ctx.clock.now().toISOString();
  if (!preview) {
    await ctx.db.transaction().execute(async (tx) => {
      const typeIds = await ensureAssetTypes(tx, newTypes, lk.settings.atera_defaultgroup!);
      for (const [name, id] of typeIds) {
        lk.assetTypes.set(name, id);
        lk.keyFieldOfType.set(id, null);
      }
      await applyBatch(tx, plans, typeIds, now);
      // Devices whose asset is already right but whose link hash is stale: refresh the hash only.
      const refresh = plans.filter((p) => p.kind === 'unchanged' && p.change.local_id !== null);
      if (refresh.length) {
        const byExt = new Map(todo.map((c) => [String(c.agent.AgentID), c.hash]));
        await upsertLinks(
          tx,
          INTEGRATION,
          'asset',
          refresh.map((p) => ({
            external_id: p.change.external_id!,
            local_id: p.change.local_id!,
            hash: byExt.get(p.change.external_id!)!,
            origin: 'matched',
          })),
        );
      }
    });
  }
  for (const p of plans) recorder.record(p.change);
}
