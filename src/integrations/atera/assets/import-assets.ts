import type { AppContext } from '../../../app/context.js';
import { AppError } from '../../../core/errors.js';
import { GrowthAnalyzer } from '../../../db/growth-analyzer.js';
import { recordIntegrationError } from '../../../psa/integration-errors/integration-errors.js';
import { pruneConflicts } from '../../../sync/conflicts.js';
import { ExternalIdSet } from '../../../sync/id-set.js';
import type { RunRecorder } from '../../../sync/runs.js';
import type { AteraClient, ReadSummary } from '../client/index.js';
import { INTEGRATION, loadAteraSettings, rememberDeviceTypes } from '../settings/settings.js';
import { newImportState, processBatch } from './batch.js';
import { BatchPipeline } from './batch-pipeline.js';
import { AgentContext, hashDevice } from './device.js';
import { osTypeClassifier, type SoundSnapshot } from './device-hash.js';
import { hasAssetLinks, hashSettingsOf, loadAssetLookups, soundLinkHashes } from './lookups.js';
import { AgentPageWorker, type DecodedAgentsPayload } from './page-worker.js';

/** Devices planned and written together: one transaction and a handful of queries per batch. */
export const BATCH_SIZE = 1000;
/** Batches read but not yet written, at most (see batch-pipeline.ts). */
const QUEUED_BATCHES = 4;
const RECORD_INTERVAL_MS = 1000;
/** Devices read before the sound-link snapshot arrives, at most, before the read waits for it. */
const WAITING_LIMIT = 10_000;

export interface AssetImportResult {
  recorder: RunRecorder;
  read: ReadSummary;
  /** Atera ids of every device seen in this read (for deactivation by the Integrator). */
  seen: ExternalIdSet;
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
  opts: {
    preview: boolean;
    recorder: RunRecorder;
    plannedCustomers?: Map<number, string>;
    /** Devices per batch (default BATCH_SIZE); tests make it small to cross batch boundaries with a few devices. */
    batchSize?: number;
    /** Decode pages in the page worker (default true); tests compare runs without it. */
    pageWorker?: boolean;
    /** The sound-link snapshot (default: loaded from the database); tests delay it or make it fail. */
    soundLinks?: Promise<SoundSnapshot>;
  },
): Promise<AssetImportResult> {
  const { recorder } = opts;
  const batchSize = opts.batchSize ?? BATCH_SIZE;
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
  // Each page body also goes to the page worker as it arrives (page-worker.ts): by the page's turn it is decoded,
  // and once the snapshot is there, only the devices that changed come back.
  const worker = new AgentPageWorker(hashSettingsOf(lk), ctx.logger, opts.pageWorker !== false);
  if (await hasAssetLinks(ctx.db)) worker.prepare();
  const read = client.agents({ decoder: worker.decoder });
  const seen = new ExternalIdSet();
  const excludedTypes = new Set<string>();
  const osTypes = new Set<string>();
  const state = newImportState(opts.preview ? null : await GrowthAnalyzer.start(ctx.db, ['asset', 'sync_link']));
  // The snapshot of sound links loads while the first pages are read (it is a scan of the link table: waiting for
  // it before the first page cost a tenth of an unchanged run). Devices read before it arrives wait in `waiting`.
  const soundLoad = opts.soundLinks ?? soundLinkHashes(ctx.db);
  let sound: SoundSnapshot | null = null;
  let soundFailed = false;
  soundLoad.then(
    (snapshot) => {
      sound = snapshot;
      worker.snapshot(snapshot);
    },
    () => {
      soundFailed = true;
    },
  );
  let waiting: AgentContext[] = [];
  const typeOf = osTypeClassifier(lk.deviceTypes);
  let batch: AgentContext[] = [];
  let recordedAt = 0;
  const pipeline = new BatchPipeline<AgentContext[]>(
    (devices) => processBatch(ctx, lk, devices, opts.preview, recorder, state),
    () => {
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
      // The run record is written once a batch's worth of changes waits, else at most once a second: a reader
      // still sees the run move, and an unchanged run (a handful of changes per batch) does not pay one
      // update per batch (on PGlite, every statement runs on the event loop the read needs too). The run's
      // end writes whatever is left.
      if (recorder.buffered < batchSize && Date.now() - recordedAt < RECORD_INTERVAL_MS) return Promise.resolve();
      recordedAt = Date.now();
      return recorder.flush();
    },
    QUEUED_BATCHES,
  );
  try {
    for await (const page of read) {
      for (const rejected of page.rejected) {
        if (rejected.id !== null) seen.add(rejected.id);
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
      // Bounded: past a few pages without the snapshot, wait for it. A failed one fails the run now (its error
      // is thrown here), not after the rest of the read.
      if (sound === null && (soundFailed || waiting.length >= WAITING_LIMIT)) sound = await soundLoad;
      if (sound !== null && waiting.length > 0) {
        recorder.countUnchanged(sortUnchanged(sound, waiting, batch));
        waiting = [];
      }
      // Decoded by the worker: the unchanged devices were kept back (only counted), the records are those that
      // changed, with their hashes. Decoded here: the worker's hashes by AgentID, if it sent them.
      const decoded = page.payload as DecodedAgentsPayload | undefined;
      const hashes = decoded ? null : worker.hashesOf(page.page);
      if (decoded) {
        for (const id of decoded.skippedIds) seen.add(id);
        for (const t of decoded.skippedOsTypes) {
          const name = typeOf(t).name;
          if (name !== null) osTypes.add(name);
        }
      }
      let unchanged = page.skipped;
      for (let i = 0; i < page.records.length; i++) {
        const agent = page.records[i]!;
        const id = agent.AgentID;
        seen.add(id);
        const type = typeOf(agent.OSType);
        if (type.name !== null) osTypes.add(type.name);
        if (!type.imported) excludedTypes.add(String(id));
        const hash = (decoded ? decoded.hashes[i] : hashes?.get(id)) ?? hashDevice(agent, lk);
        if (sound === null) waiting.push(new AgentContext(agent, lk, hash));
        // The common case of a scheduled sync on a page the main thread parsed: nothing is made for the device.
        else if (sound.matches(id, hash)) unchanged++;
        else batch.push(new AgentContext(agent, lk, hash));
      }
      recorder.countUnchanged(unchanged);
      if (batch.length >= batchSize) {
        await pipeline.submit(batch);
        batch = [];
      }
    }
    if (waiting.length > 0) {
      sound ??= await soundLoad;
      recorder.countUnchanged(sortUnchanged(sound, waiting, batch));
    }
    if (batch.length > 0) await pipeline.submit(batch);
    await pipeline.drain();
    await state.analyzer?.finish();
    await rememberDeviceTypes(ctx.db, osTypes);
    // Remembered conflicts of devices gone from Atera are dropped, once a complete read says they are gone.
    if (!opts.preview && read.summary().complete)
      await pruneConflicts(ctx.db, INTEGRATION, 'asset', (ext) => seen.has(ext));
  } catch (e) {
    await pipeline.stop();
    throw e;
  } finally {
    worker.close();
    recorder.summary = {
      ...recorder.summary,
      assets_read: read.summary(),
      page_worker: worker.stats,
      ...(state.plannedTypes.size ? { new_asset_types: [...state.plannedTypes] } : {}),
    };
  }
  return { recorder, read: read.summary(), seen, excludedTypes };
}

/**
 * Sorts devices in Atera's order: the same content hash as its sound link had when the run began means nothing to
 * plan or write, and nothing to hold until a batch is written (an unchanged sync keeps no per-device state);
 * the rest join the batch. Returns how many were unchanged.
 */
function sortUnchanged(sound: SoundSnapshot, devices: AgentContext[], batch: AgentContext[]): number {
  let unchanged = 0;
  for (const device of devices) {
    if (sound.matches(Number(device.ext), device.hash)) unchanged++;
    else batch.push(device);
  }
  return unchanged;
}
