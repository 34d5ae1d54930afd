import { textHash } from '../../../sync/links.js';
import type { AteraAgent } from '../client/index.js';
import type { AssetLookups, SiteTarget } from './lookups.js';
import { type DesiredValues, desiredValues, resolveSite } from './plan.js';

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
  /**
   * Covers what the plan reads of the device, where it goes and the settings that shape its asset: the same
   * hash as last written means nothing to plan and nothing to write. Only the fields read, not the whole
   * record: hashing all ~60 fields cost 15-20 µs a device, as much as reading its page, and fields no mapping
   * uses (Online, LastRebootTime...) change all the time in a real Atera without changing the asset.
   */
  readonly hash: string;
  private readonly json: string;
  private planned: PlannedAgent | undefined;
  private desiredValues: DesiredValues | undefined;

  constructor(
    agent: AteraAgent | PlannedAgent,
    private readonly lk: AssetLookups,
  ) {
    this.ext = String(agent.AgentID);
    this.site = resolveSite(agent, lk);
    this.json = lk.plannedFields.json(agent);
    this.hash = textHash(`${this.json}|${this.site?.site_id ?? ''}|${this.site?.client_id ?? ''}|${lk.fingerprint}`);
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
