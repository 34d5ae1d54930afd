import type { MessagePort } from 'node:worker_threads';
// The modules the work needs, not the client's index (HTTP, logging): the thread loads only what it imports.
import { parseJsonBody } from '../client/decode.js';
import { checkItem, type DecodedPage, type RejectedRecord } from '../client/paging.js';
import { type AteraAgent, agentResource, ateraEnvelopeSchema } from '../client/schemas.js';
import {
  deviceHash,
  type HashSettings,
  osTypeClassifier,
  type PlannedFields,
  plannedFields,
  resolveSite,
  SoundSnapshot,
} from './device-hash.js';

/**
 * The page worker's thread (started by page-worker.ts through page-worker-entry.mjs). For each page body of an
 * asset import it does what the main thread would: decode, check the envelope and every record (checkItem, the
 * reader's own check), and hash every device (device-hash.ts). Once it holds the run's sound-link snapshot it
 * also sorts: a device whose hash equals its link's is unchanged and stays here; only the others are sent back.
 *
 * Answers: 'decoded' (few devices changed: the page as the reader needs it, with only those records), 'hashes'
 * (many changed, or no snapshot yet: cloning most of a page's records to the main thread would cost more than
 * the main thread parsing it, so it parses the page and takes the hashes), 'failed' (the page is not what the
 * reader expects: the main thread parses it and reports exactly what is wrong).
 */

export type PageRequest =
  | { kind: 'run'; run: number; settings: HashSettings }
  | { kind: 'snapshot'; run: number; ids: Float64Array; hashes: string }
  | { kind: 'page'; run: number; page: number; body: Uint8Array }
  | { kind: 'end'; run: number };

/** What a page the worker decoded carries besides its records (AteraPage.payload). */
export interface DecodedAgentsPayload {
  /** The hash of each record handed over (the changed devices), in the same order. */
  hashes: string[];
  /** The unchanged devices kept back: their ids and the distinct OSType values among them. */
  skippedIds: Float64Array;
  skippedOsTypes: string[];
}

export type PageAnswer =
  | { kind: 'ready' }
  | { kind: 'decoded'; run: number; page: number; decoded: DecodedPage<AteraAgent> & { payload: DecodedAgentsPayload } }
  | { kind: 'hashes'; run: number; page: number; ids: Float64Array; hashes: string[] }
  | { kind: 'failed'; run: number; page: number };

/** More changed devices than this on a page, and the main thread parses the page itself (see file comment). */
export const MAX_HANDED_OVER = 10;

export interface RunState {
  planned: PlannedFields;
  settings: HashSettings;
  typeOf: ReturnType<typeof osTypeClassifier>;
  /** The sound-link snapshot (lookups.ts soundLinkHashes), once the main thread has sent it. */
  sound: SoundSnapshot | null;
}

export function runState(settings: HashSettings): RunState {
  return {
    planned: plannedFields(settings.fields),
    settings,
    typeOf: osTypeClassifier(settings.deviceTypes),
    sound: null,
  };
}

/**
 * Decodes, checks, hashes and sorts one page body; what the main thread gets back for it. `maxHandedOver`: past
 * this many changed devices the answer is 'hashes' (the worker's MAX_HANDED_OVER; the main thread, which clones
 * nothing, passes Infinity).
 */
export function decodePage(
  run: number,
  page: number,
  body: Uint8Array,
  st: RunState,
  maxHandedOver = MAX_HANDED_OVER,
): PageAnswer {
  const failed: PageAnswer = { kind: 'failed', run, page };
  let raw: unknown;
  try {
    raw = parseJsonBody(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  } catch {
    return failed;
  }
  const env = ateraEnvelopeSchema.safeParse(raw);
  if (!env.success || env.data.page !== page) return failed;
  const { sites, fingerprint } = st.settings;
  const keys: (number | null)[] = [];
  const rejected: RejectedRecord[] = [];
  const records: AteraAgent[] = [];
  const hashes: string[] = [];
  const ids: number[] = [];
  const allHashes: string[] = [];
  const skippedIds: number[] = [];
  const skippedOsTypes = new Set<string>();
  for (const item of env.data.items ?? []) {
    const checked = checkItem(agentResource, item);
    keys.push(checked.key);
    if (checked.rejected !== null) {
      rejected.push(checked.rejected);
      continue;
    }
    const agent = checked.record;
    const hash = deviceHash(st.planned.json(agent), resolveSite(agent, sites), fingerprint);
    ids.push(agent.AgentID);
    allHashes.push(hash);
    // A device of a type not imported is never kept back: the import lists those ids (excludedTypes).
    if (st.sound?.matches(agent.AgentID, hash) && st.typeOf(agent.OSType).imported) {
      skippedIds.push(agent.AgentID);
      if (agent.OSType) skippedOsTypes.add(agent.OSType);
    } else {
      records.push(agent);
      hashes.push(hash);
    }
  }
  if (st.sound === null || records.length > maxHandedOver) {
    return { kind: 'hashes', run, page, ids: Float64Array.from(ids), hashes: allHashes };
  }
  const { totalPages, totalItemCount, nextLink } = env.data;
  const payload: DecodedAgentsPayload = {
    hashes,
    skippedIds: Float64Array.from(skippedIds),
    skippedOsTypes: [...skippedOsTypes],
  };
  const decoded = {
    kind: 'decoded' as const,
    page,
    totalPages,
    totalItemCount,
    hasNextLink: Boolean(nextLink),
    keys,
    records,
    skipped: skippedIds.length,
    rejected,
    payload,
  };
  return { kind: 'decoded', run, page, decoded };
}

/** Answers the main thread's requests on `port` (the worker's parentPort; page-worker-entry.ts calls this). */
export function serve(port: MessagePort): void {
  const runs = new Map<number, RunState>();
  port.on('message', (msg: PageRequest) => {
    if (msg.kind === 'run') runs.set(msg.run, runState(msg.settings));
    else if (msg.kind === 'end') runs.delete(msg.run);
    else {
      const st = runs.get(msg.run);
      if (!st) return;
      if (msg.kind === 'snapshot') st.sound = new SoundSnapshot(msg.ids, msg.hashes);
      else {
        const answer = decodePage(msg.run, msg.page, msg.body, st);
        const ids =
          answer.kind === 'hashes' ? answer.ids : answer.kind === 'decoded' ? answer.decoded.payload.skippedIds : null;
        port.postMessage(answer, ids ? [ids.buffer as ArrayBuffer] : []);
      }
    }
  });
  port.postMessage({ kind: 'ready' } satisfies PageAnswer);
}
