import type { AteraAgent } from '../client/index.js';
import { deviceHash, type PlannedAgent, resolveSite } from './device-hash.js';
import type { AssetLookups, SiteTarget } from './lookups.js';
import { type DesiredValues, desiredValues } from './plan.js';

export { PLANNED_AGENT_FIELDS, type PlannedAgent, type PlannedFields, plannedFields } from './device-hash.js';

/** A device's content hash, computed on this thread (the page worker computes the same for the pages it decodes). */
export function hashDevice(agent: AteraAgent | PlannedAgent, lk: AssetLookups): string {
  return deviceHash(lk.plannedFields.json(agent), resolveSite(agent, lk), lk.fingerprint);
}

/**
 * A device as the import holds it until its batch is planned: its id, site, content hash and the fields the plan
 * reads, kept as one JSON string. Made as each page arrives; the batches waiting to be written then hold three
 * strings per device instead of whole agents (~2.5 KB, ~60 fields) or a copied object of a dozen fields and
 * their values, which every young-generation collection would copy while the read allocates its pages. Most
 * devices of a scheduled sync are unchanged and never need their fields back.
 */
export class AgentContext {
  /** The Atera agent id as the asset's atera_id and the link's external id hold it. */
  readonly ext: string;
  readonly site: SiteTarget | null;
  private readonly json: string;
  private planned: PlannedAgent | undefined;
  private desiredValues: DesiredValues | undefined;

  constructor(
    agent: AteraAgent | PlannedAgent,
    private readonly lk: AssetLookups,
    /** Its content hash: hashDevice's, or the page worker's (the same function). */
    readonly hash: string,
  ) {
    this.ext = String(agent.AgentID);
    this.site = resolveSite(agent, lk);
    this.json = lk.plannedFields.json(agent);
  }

  /** The fields the plan reads; read back on first use (unchanged devices never need them). */
  get agent(): PlannedAgent {
    this.planned ??= this.lk.plannedFields.fromJson(this.json);
    return this.planned;
  }

  /** What the mappings would write; computed on first use. */
  get desired(): DesiredValues {
    this.desiredValues ??= desiredValues(this.agent, this.lk);
    return this.desiredValues;
  }
}
