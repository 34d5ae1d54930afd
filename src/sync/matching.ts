/**
 * Matching rules as pure functions (DESIGN rule 3): each returns which rule fired and what happens for
 * zero, one or several candidates, so the import, the preview and the tests evaluate the same rules.
 */

/** Trim, collapse spaces, lower-case and strip accents: the "looks like the same name" comparison. */
export function foldName(name: string): string {
  return name.normalize('NFKD').replace(/\p{M}/gu, '').replace(/\s+/g, ' ').trim().toLowerCase();
}

export interface CustomerCandidate {
  client_id: number;
  name: string;
  main_site_id: number | null;
  /** The external id this local customer is already linked to, if any. */
  linked_to: string | null;
}

export interface CustomerIndex {
  /** Admin's site mappings: external customer id → site (and its client). */
  mappings: Map<string, { site_id: number; client_id: number }>;
  /** Local customers already linked to an external id. */
  linked: Map<string, CustomerCandidate>;
  /** Local customers by exact name. */
  byName: Map<string, CustomerCandidate[]>;
  /** Local customers by folded name. */
  byFoldedName: Map<string, CustomerCandidate[]>;
}

export type CustomerMatch =
  | { rule: 'mapping'; outcome: 'link'; client_id: number; site_id: number }
  | { rule: 'linked'; outcome: 'link'; client_id: number; site_id: number | null }
  | { rule: 'name'; outcome: 'link'; client_id: number; site_id: number | null }
  | { rule: 'name'; outcome: 'conflict'; candidates: CustomerCandidate[] }
  | { rule: 'none'; outcome: 'suggest'; candidates: CustomerCandidate[] }
  | { rule: 'none'; outcome: 'create' };

/** A local customer linked to a different external customer is never a candidate for this one. */
const free = (externalId: string) => (c: CustomerCandidate) => c.linked_to === null || c.linked_to === externalId;

export function matchCustomer(externalId: string, name: string | null, index: CustomerIndex): CustomerMatch {
  const mapped = index.mappings.get(externalId);
  if (mapped) return { rule: 'mapping', outcome: 'link', client_id: mapped.client_id, site_id: mapped.site_id };
  const linked = index.linked.get(externalId);
  if (linked) return { rule: 'linked', outcome: 'link', client_id: linked.client_id, site_id: linked.main_site_id };
  if (name) {
    const exact = (index.byName.get(name) ?? []).filter(free(externalId));
    if (exact.length === 1)
      return { rule: 'name', outcome: 'link', client_id: exact[0]!.client_id, site_id: exact[0]!.main_site_id };
    if (exact.length > 1) return { rule: 'name', outcome: 'conflict', candidates: exact };
    const similar = (index.byFoldedName.get(foldName(name)) ?? []).filter(free(externalId));
    if (similar.length > 0) return { rule: 'none', outcome: 'suggest', candidates: similar };
  }
  return { rule: 'none', outcome: 'create' };
}

export interface AssetCandidate {
  id: number;
  external_id: string | null;
}

/** Candidates by normalized matching value: a Map, or a compact index with the same lookup. */
export interface AssetCandidateLookup {
  get(normalizedValue: string): readonly AssetCandidate[] | undefined;
}

export type AssetMatch =
  | { rule: 'external_id'; outcome: 'update'; asset_id: number }
  | { rule: 'matching_field'; outcome: 'update'; asset_id: number }
  | { rule: 'matching_field'; outcome: 'conflict'; candidates: readonly AssetCandidate[]; reason: string }
  | { rule: 'none'; outcome: 'create'; reason?: string };

/**
 * The stored external id is checked first (the guide: "the Atera RMM ID will always be checked first");
 * then the matching field's value, unless it is a placeholder such as "To be filled by O.E.M.".
 */
export function matchAsset(
  externalId: string,
  matchValue: string | null,
  byExternalId: Map<string, number>,
  byMatchValue: AssetCandidateLookup,
  placeholders: Set<string>,
): AssetMatch {
  const linked = byExternalId.get(externalId);
  if (linked !== undefined) return { rule: 'external_id', outcome: 'update', asset_id: linked };
  if (matchValue === null || isPlaceholder(matchValue, placeholders)) {
    return {
      rule: 'none',
      outcome: 'create',
      ...(matchValue !== null ? { reason: `matching value "${matchValue}" is a placeholder` } : {}),
    };
  }
  const candidates = byMatchValue.get(normalizeMatchValue(matchValue)) ?? [];
  if (candidates.length === 0) return { rule: 'none', outcome: 'create' };
  if (candidates.length > 1) {
    return {
      rule: 'matching_field',
      outcome: 'conflict',
      candidates,
      reason: `${candidates.length} assets have the matching value "${matchValue}"`,
    };
  }
  const only = candidates[0]!;
  if (only.external_id !== null && only.external_id !== externalId) {
    return {
      rule: 'matching_field',
      outcome: 'conflict',
      candidates,
      reason: `asset ${only.id} has the matching value "${matchValue}" but is linked to Atera agent ${only.external_id}`,
    };
  }
  return { rule: 'matching_field', outcome: 'update', asset_id: only.id };
}

export const normalizeMatchValue = (v: string): string => v.trim().toLowerCase();

export function isPlaceholder(value: string, placeholders: Set<string>): boolean {
  return placeholders.has(value.trim().toLowerCase());
}
