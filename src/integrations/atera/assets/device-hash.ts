import { textHash } from '../../../sync/links.js';
import type { AteraAgent } from '../client/index.js';
import type { SiteTarget } from './lookups.js';

/**
 * What a device's content hash covers, and how it is computed: the planned fields of the agent, where it goes and
 * the settings fingerprint. Shared by the main thread and the hash worker (hash-worker.ts), so both compute the
 * same hash; this module imports nothing at run time but node:crypto (via textHash), to keep the worker light.
 */

/** Agent fields planAsset reads whatever the mappings say (the mapped ones are added from the settings). */
export const PLANNED_AGENT_FIELDS = [
  'OSType',
  'MachineName',
  'AgentName',
  'CustomerID',
  'CustomerName',
  'LastLoginUser',
] as const;

/** The part of an agent a plan reads: its id, PLANNED_AGENT_FIELDS and the mapped fields (lk.plannedFields). */
export type PlannedAgent = Pick<AteraAgent, 'AgentID' | (typeof PLANNED_AGENT_FIELDS)[number]> & Partial<AteraAgent>;

/** The fields a plan reads: their values as JSON (what the content hash covers), and back. */
export interface PlannedFields {
  /** The values of the planned fields of an agent, in a fixed order, as a JSON array (absent = null). */
  json: (agent: AteraAgent | PlannedAgent) => string;
  /** The planned part of the agent again, from that JSON. */
  fromJson: (json: string) => PlannedAgent;
}

/**
 * Both as functions generated once per run (the fields depend on the mappings): values serialized without their
 * keys, and one allocation of a fixed shape per device when read back. Field names come from the settings' enum
 * of agent fields and are quoted with JSON.stringify regardless.
 */
export function plannedFields(fields: readonly string[]): PlannedFields {
  const keys = ['AgentID', ...fields.filter((f) => f !== 'AgentID')].map((f) => JSON.stringify(f));
  return {
    // JSON.stringify writes an undefined array element as null, so absent and null fields hash alike.
    json: new Function(
      'a',
      `return JSON.stringify([${keys.map((k) => `a[${k}]`).join(', ')}]);`,
    ) as PlannedFields['json'],
    fromJson: new Function(
      's',
      `const v = JSON.parse(s); return { ${keys.map((k, i) => `${k}: v[${i}]`).join(', ')} };`,
    ) as PlannedFields['fromJson'],
  };
}

/** Where each Atera customer's devices go (the part of AssetLookups a device's site depends on). */
export interface SiteLookups {
  mappedSites: Map<number, SiteTarget>;
  linkedCustomers: Map<number, SiteTarget>;
  clientsByName: Map<string, { client_id: number; main_site_id: number | null }[]>;
  defaultSite: SiteTarget | null;
}

/**
 * Where a device goes: the mapped site, else the main site of the customer linked to (or named like)
 * its Atera customer, else the default site. Several Keel customers with the Atera customer's name
 * give no match (nothing is guessed).
 */
export function resolveSite(agent: PlannedAgent, lk: SiteLookups): SiteTarget | null {
  if (agent.CustomerID !== null) {
    const mapped = lk.mappedSites.get(agent.CustomerID) ?? lk.linkedCustomers.get(agent.CustomerID);
    if (mapped) return mapped;
  }
  const named = agent.CustomerName ? lk.clientsByName.get(agent.CustomerName.trim()) : undefined;
  if (named?.length === 1 && named[0]!.main_site_id)
    return { site_id: named[0]!.main_site_id, client_id: named[0]!.client_id, rule: 'name' };
  return lk.defaultSite;
}

/**
 * Covers what the plan reads of the device, where it goes and the settings that shape its asset: the same
 * hash as last written means nothing to plan and nothing to write. Only the fields read, not the whole
 * record: hashing all ~60 fields cost 15-20 µs a device, as much as reading its page, and fields no mapping
 * uses (Online, LastRebootTime...) change all the time in a real Atera without changing the asset.
 */
export function deviceHash(json: string, site: SiteTarget | null, fingerprint: string): string {
  return textHash(`${json}|${site?.site_id ?? ''}|${site?.client_id ?? ''}|${fingerprint}`);
}

/** What the page worker needs per run to hash and sort devices as the import does. */
export interface HashSettings {
  fields: readonly string[];
  sites: SiteLookups;
  fingerprint: string;
  /** atera_devicetypes, lower-cased (AssetLookups.deviceTypes). */
  deviceTypes: Set<string>;
}

/** An agent's OSType as the import reads it (trimmed; imported or not), worked out once per distinct value. */
export function osTypeClassifier(
  deviceTypes: Set<string>,
): (osType: string | null | undefined) => { name: string | null; imported: boolean } {
  const known = new Map<string, { name: string | null; imported: boolean }>();
  const none = { name: null, imported: false };
  return (osType) => {
    if (!osType) return none;
    let type = known.get(osType);
    if (type === undefined) {
      const name = osType.trim();
      type = { name: name || null, imported: deviceTypes.has(name.toLowerCase()) };
      known.set(osType, type);
    }
    return type;
  };
}

/** A device hash's length: SHA-1 in base64url (textHash). */
export const HASH_WIDTH = 27;

/**
 * The sound-link snapshot (lookups.ts soundLinkHashes): the AgentIDs of the sound links and their hashes
 * concatenated in the same order, with an open-addressing index from id to position. Compact on purpose: both
 * threads of an import hold it for the whole run, and for 100,000 links it is 0.8 MB of ids, a 1 MB index and
 * one 2.7 MB string, where a Map of strings took ~15 MB in each. Built in ~10 ms; unsorted, because sorting in
 * the query cost PGlite 0.2 s on the event loop.
 */
export class SoundSnapshot {
  /** Slot → position + 1 (0 = empty); a power of two at least twice the number of ids. */
  private readonly slots: Int32Array;
  private readonly shift: number;

  constructor(
    readonly ids: Float64Array,
    readonly hashes: string,
  ) {
    if (hashes.length !== ids.length * HASH_WIDTH) throw new Error('sound-link snapshot: ids and hashes differ');
    const bits = Math.max(4, Math.ceil(Math.log2(ids.length * 2 + 1)));
    this.slots = new Int32Array(2 ** bits);
    this.shift = 32 - bits;
    const mask = this.slots.length - 1;
    for (let i = 0; i < ids.length; i++) {
      let slot = this.slotOf(ids[i]!);
      while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
      this.slots[slot] = i + 1;
    }
  }

  get size(): number {
    return this.ids.length;
  }

  /** Whether `hash` is the hash the sound link of device `id` was written with. */
  matches(id: number, hash: string): boolean {
    const mask = this.slots.length - 1;
    for (let slot = this.slotOf(id); ; slot = (slot + 1) & mask) {
      const at = this.slots[slot]!;
      if (at === 0) return false;
      if (this.ids[at - 1] === id)
        return hash.length === HASH_WIDTH && this.hashes.startsWith(hash, (at - 1) * HASH_WIDTH);
    }
  }

  private slotOf(id: number): number {
    // Fibonacci hashing of both 32-bit halves (AgentIDs are integers below 2^53).
    return (Math.imul(id >>> 0, 0x9e3779b1) ^ Math.imul((id / 4294967296) >>> 0, 0x85ebca6b)) >>> this.shift;
  }
}
