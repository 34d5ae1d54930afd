import type { FieldValues } from '../../../db/schema.js';
import { coerceFieldValue, type FieldDef } from '../../../psa/fields/values.js';
import { type AssetCandidate, type AssetCandidateLookup, type AssetMatch, matchAsset } from '../../../sync/matching.js';
import type { Change } from '../../../sync/runs.js';
import { agentFieldText, loginCandidates } from '../mappers.js';
import type { AgentContext, PlannedAgent } from './device.js';
import type { AssetLookups, ExistingAsset } from './lookups.js';

/** What the mappings say a device's asset should hold. */
export interface DesiredValues {
  inventory_number: string | null;
  fields: FieldValues;
  customfields: FieldValues;
  /** Mappings whose value could not be converted to the target field's type. */
  problems: string[];
}

export function desiredValues(agent: PlannedAgent, lk: AssetLookups): DesiredValues {
  const out: DesiredValues = { inventory_number: null, fields: {}, customfields: {}, problems: [] };
  for (const m of lk.settings.atera_fieldmappings) {
    const text = agentFieldText(agent, m.atera_field);
    if (m.field_id === 'inventory_number') {
      out.inventory_number = text;
      continue;
    }
    const defs = m.field_type === 'asset_field' ? lk.assetFields : lk.customFields;
    const def = defs.find((d) => d.id === m.field_id);
    if (!def) continue;
    try {
      const v = coerceFieldValue(def, text);
      (m.field_type === 'asset_field' ? out.fields : out.customfields)[String(def.id)] = v;
    } catch (e) {
      out.problems.push(`${m.atera_field} → ${def.name}: ${(e as Error).message}`);
    }
  }
  return out;
}

/** The candidate value for the asset matching field: what the mappings would write into it. */
export function matchValue(d: DesiredValues, field: number | 'inventory_number' | null): string | null {
  if (field === null) return null;
  const v = field === 'inventory_number' ? d.inventory_number : d.fields[String(field)];
  return v === null || v === undefined ? null : String(v);
}

export type PlannedAction =
  | { kind: 'skip' | 'error'; change: Change }
  /** `match` is set when the matching rule decided (not another device of the same run): it can be remembered. */
  | { kind: 'conflict'; change: Change; match?: { value: string; candidates: AssetCandidate[] } }
  | { kind: 'unchanged'; change: Change }
  | { kind: 'create'; change: Change; row: NewAssetRow; hash: string; newType: string | null }
  | {
      kind: 'update';
      change: Change;
      assetId: number;
      set: Partial<NewAssetRow>;
      hash: string;
      newType: string | null;
    };

export interface NewAssetRow {
  atera_id: string;
  inventory_number: string | null;
  key_field: string | null;
  client_id: number;
  site_id: number;
  assettype_id: number | null;
  user_id: number | null;
  inactive: boolean;
  fields: FieldValues;
  customfields: FieldValues;
}

const sameValue = (a: unknown, b: unknown) => (a ?? null) === (b ?? null);

/** The name a device's changes carry: its inventory number as mapped, else its machine or agent name. */
export function assetName(ac: AgentContext): string {
  return ac.desired.inventory_number ?? ac.agent.MachineName ?? ac.agent.AgentName ?? `Atera agent ${ac.ext}`;
}

function isEmpty(v: unknown): boolean {
  return v === null || v === undefined || v === '';
}

/**
 * The plan for one device: create, update (with per-field before → after), unchanged, skip or
 * conflict, and why. Pure: the caller supplies what the database holds.
 */
export function planAsset(
  ac: AgentContext,
  lk: AssetLookups,
  existing: {
    byAteraId: Map<string, ExistingAsset>;
    byId: Map<number, ExistingAsset>;
    matchIndex: AssetCandidateLookup | null;
  },
  userId: number | null,
): PlannedAction {
  const { agent, desired, site, ext } = ac;
  const base = { entity: 'asset', external_id: ext, name: assetName(ac) };
  const osType = agent.OSType?.trim() ?? '';
  if (!osType || !lk.deviceTypes.has(osType.toLowerCase())) {
    return {
      kind: 'skip',
      change: {
        ...base,
        local_id: existing.byAteraId.get(ext)?.id ?? null,
        action: 'skip',
        reason: osType ? `device type "${osType}" is not imported` : 'the device has no OSType',
        fields: null,
      },
    };
  }
  if (!site) {
    return {
      kind: 'skip',
      change: {
        ...base,
        local_id: null,
        action: 'skip',
        reason: `Atera customer "${agent.CustomerName ?? agent.CustomerID}" is not mapped or matched and no default site is set`,
        fields: null,
      },
    };
  }
  const byExt = new Map<string, number>();
  const linked = existing.byAteraId.get(ext);
  if (linked) byExt.set(ext, linked.id);
  const value = matchValue(desired, lk.settings.atera_matchingfield);
  const match: AssetMatch = matchAsset(ext, value, byExt, existing.matchIndex ?? new Map(), lk.placeholders);
  if (match.outcome === 'conflict') {
    return {
      kind: 'conflict',
      change: { ...base, local_id: null, action: 'conflict', reason: match.reason, fields: null },
      // A copy: the index's list can grow later in the run.
      match: { value: value!, candidates: [...match.candidates] },
    };
  }
  const typeId = lk.assetTypes.get(osType.toLowerCase()) ?? null;
  const newType = typeId === null ? osType : null;
  const keyFieldId = typeId !== null ? lk.keyFieldOfType.get(typeId) : null;
  const problems = desired.problems.length ? ` (not converted: ${desired.problems.join('; ')})` : '';

  if (match.outcome === 'create') {
    const keyField = keyFieldId ? desired.fields[String(keyFieldId)] : null;
    const row: NewAssetRow = {
      atera_id: ext,
      inventory_number: desired.inventory_number,
      key_field: keyField !== null && keyField !== undefined ? String(keyField) : desired.inventory_number,
      client_id: site.client_id,
      site_id: site.site_id,
      assettype_id: typeId,
      user_id: userId,
      inactive: false,
      fields: stripNulls(desired.fields),
      customfields: stripNulls(desired.customfields),
    };
    const fields: Record<string, { before: unknown; after: unknown }> = {
      inventory_number: { before: null, after: row.inventory_number },
      site_id: {
        before: null,
        after: site.site_id < 0 ? `the new site of Atera customer ${-site.site_id}` : site.site_id,
      },
      assettype: { before: null, after: osType },
    };
    for (const f of lk.assetFields)
      if (row.fields[String(f.id)] !== undefined) fields[f.name] = { before: null, after: row.fields[String(f.id)] };
    for (const f of lk.customFields)
      if (row.customfields[String(f.id)] !== undefined)
        fields[`custom: ${f.name}`] = { before: null, after: row.customfields[String(f.id)] };
    const typeIsNew = newType !== null || lk.typesCreatedByRun.has(osType.toLowerCase());
    const reason = `${match.reason ?? 'no matching asset'}; site by ${site.rule}${typeIsNew ? `; new asset type "${osType}"` : ''}${problems}`;
    return {
      kind: 'create',
      change: { ...base, local_id: null, action: 'create', reason, fields },
      row,
      hash: ac.hash,
      newType,
    };
  }

  const current = existing.byAteraId.get(ext) ?? existing.byId.get(match.asset_id)!;
  const set: Partial<NewAssetRow> = {};
  const fields: Record<string, { before: unknown; after: unknown }> = {};
  const onlyNew = new Map(
    lk.settings.atera_fieldmappings.map((m) => [`${m.field_type}:${m.field_id}`, m.only_new_or_empty]),
  );
  const keep = (kind: string, id: string | number, before: unknown, after: unknown) =>
    Boolean(onlyNew.get(`${kind}:${id}`)) && !isEmpty(before) && !sameValue(before, after);

  if (current.atera_id !== ext) {
    set.atera_id = ext;
    fields.atera_id = { before: current.atera_id, after: ext };
  }
  if (current.inactive) {
    set.inactive = false;
    fields.inactive = { before: true, after: false };
  }
  if (current.site_id !== site.site_id) {
    set.site_id = site.site_id;
    set.client_id = site.client_id;
    fields.site_id = { before: current.site_id, after: site.site_id };
  }
  if (newType || (typeId !== null && current.assettype_id !== typeId)) {
    set.assettype_id = typeId;
    fields.assettype = { before: current.assettype_id, after: osType };
  }
  if (userId !== null && current.user_id !== userId) {
    set.user_id = userId;
    fields.user_id = { before: current.user_id, after: userId };
  }
  if (
    lk.settings.atera_fieldmappings.some((m) => m.field_id === 'inventory_number') &&
    !sameValue(current.inventory_number, desired.inventory_number) &&
    !keep('asset_field', 'inventory_number', current.inventory_number, desired.inventory_number)
  ) {
    set.inventory_number = desired.inventory_number;
    fields.inventory_number = { before: current.inventory_number, after: desired.inventory_number };
  }
  const newFields = mergeValues(current.fields, desired.fields, lk.assetFields, 'asset_field', keep, fields, '');
  if (newFields) set.fields = newFields;
  const newCustom = mergeValues(
    current.customfields,
    desired.customfields,
    lk.customFields,
    'custom_field',
    keep,
    fields,
    'custom: ',
  );
  if (newCustom) set.customfields = newCustom;
  const finalFields = set.fields ?? current.fields;
  const finalKeyFieldId = keyFieldId ?? (typeId === null ? null : lk.keyFieldOfType.get(typeId));
  const desiredKey = finalKeyFieldId
    ? finalFields[String(finalKeyFieldId)]
    : (set.inventory_number ?? current.inventory_number);
  if (desiredKey !== undefined && !sameValue(current.key_field, desiredKey === null ? null : String(desiredKey))) {
    set.key_field = desiredKey === null ? null : String(desiredKey);
  }
  if (Object.keys(fields).length === 0 && set.key_field === undefined) {
    return {
      kind: 'unchanged',
      change: { ...base, local_id: current.id, action: 'unchanged', reason: null, fields: null },
    };
  }
  const reason = `matched by ${match.rule === 'external_id' ? 'Atera ID' : 'asset matching field'}${problems}`;
  // A device that came back after being deactivated is a reactivation (and relinked).
  const action = fields.inactive ? 'reactivate' : 'update';
  return {
    kind: 'update',
    change: { ...base, local_id: current.id, action, reason, fields },
    assetId: current.id,
    set,
    hash: ac.hash,
    newType,
  };
}

function stripNulls(v: FieldValues): FieldValues {
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null));
}

/** New stored values when any mapped field changes (respecting "only new or empty"), else null. */
function mergeValues(
  current: FieldValues,
  desired: FieldValues,
  defs: FieldDef[],
  kind: string,
  keep: (kind: string, id: string | number, before: unknown, after: unknown) => boolean,
  changes: Record<string, { before: unknown; after: unknown }>,
  prefix: string,
): FieldValues | null {
  let out: FieldValues | null = null;
  for (const [id, after] of Object.entries(desired)) {
    const before = current[id] ?? null;
    if (sameValue(before, after) || keep(kind, Number(id), before, after)) continue;
    out ??= { ...current };
    if (after === null) delete out[id];
    else out[id] = after;
    const def = defs.find((d) => String(d.id) === id);
    changes[`${prefix}${def?.name ?? id}`] = { before, after };
  }
  return out;
}

/** The Users record for a device's LastLoginUser within its customer: by login, then by name. */
export function pickUser(
  agent: PlannedAgent,
  clientId: number,
  users: { id: number; client_id: number | null; login: string | null; name: string }[],
): number | null {
  const cands = loginCandidates(agent.LastLoginUser);
  if (cands.length === 0) return null;
  const mine = users.filter((u) => u.client_id === clientId);
  const byLogin = mine.filter((u) => u.login && cands.includes(u.login.toLowerCase()));
  if (byLogin.length === 1) return byLogin[0]!.id;
  const byName = mine.filter((u) => cands.includes(u.name.toLowerCase()));
  return byName.length === 1 ? byName[0]!.id : null;
}
