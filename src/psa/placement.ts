import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { distinctIds, invalid } from './checks.js';

/** Where a user or an asset sits: a customer and one of its sites. */
export interface Placement {
  client_id: number | null;
  site_id: number | null;
}

/** The sites and customers a batch refers to, loaded with one query per table. */
export interface PlacementLookup {
  sites: Map<number, { client_id: number }>;
  clients: Map<number, { main_site_id: number | null }>;
}

export async function loadPlacementLookup(
  tx: Kysely<DB>,
  sent: { client_id?: number | null; site_id?: number | null }[],
  current: (Placement | null | undefined)[],
): Promise<PlacementLookup> {
  const siteIds = distinctIds([...sent.map((s) => s.site_id), ...current.map((c) => c?.site_id)]);
  const siteRows = siteIds.length
    ? await tx.selectFrom('site').select(['id', 'client_id']).where('id', 'in', siteIds).execute()
    : [];
  const sites = new Map(siteRows.map((s) => [s.id, { client_id: s.client_id }]));
  const clientIds = distinctIds([...sent.map((s) => s.client_id), ...siteRows.map((s) => s.client_id)]);
  const clientRows = clientIds.length
    ? await tx.selectFrom('client').select(['id', 'main_site_id']).where('id', 'in', clientIds).execute()
    : [];
  const clients = new Map(clientRows.map((c) => [c.id, { main_site_id: c.main_site_id }]));
  return { sites, clients };
}

/**
 * Resolves the customer and site of a record being created (`current` null) or updated, keeping the
 * site a site of the customer:
 * - a site sent without a customer brings its customer with it;
 * - a site and a customer that do not belong together are refused, naming `site_id`;
 * - a customer sent without a site (on create, or a move to another customer) lands on that
 *   customer's main site, as Halo does.
 */
export function resolvePlacement(
  sent: { client_id?: number | null; site_id?: number | null },
  current: Placement | null,
  lookup: PlacementLookup,
  path: string,
): Placement {
  const clientSent = sent.client_id !== undefined;
  const siteSent = sent.site_id !== undefined;
  if (!clientSent && !siteSent) return current ?? { client_id: null, site_id: null };
  if (clientSent && sent.client_id !== null && !lookup.clients.has(sent.client_id!)) {
    throw invalid(`${path}.client_id`, `client ${sent.client_id} does not exist`);
  }
  if (siteSent && sent.site_id !== null && !lookup.sites.has(sent.site_id!)) {
    throw invalid(`${path}.site_id`, `site ${sent.site_id} does not exist`);
  }
  let client = clientSent ? sent.client_id! : (current?.client_id ?? null);
  let site = siteSent ? sent.site_id! : (current?.site_id ?? null);
  if (siteSent && site !== null) {
    const siteClient = lookup.sites.get(site)!.client_id;
    if (clientSent && client !== null && client !== siteClient) {
      throw invalid(`${path}.site_id`, `site ${site} belongs to client ${siteClient}, not to client ${client}`);
    }
    client = siteClient;
  } else if (!siteSent) {
    const siteClient = site !== null ? lookup.sites.get(site)?.client_id : undefined;
    if (client === null) site = null;
    else if (site === null || siteClient !== client) site = lookup.clients.get(client)?.main_site_id ?? null;
  }
  return { client_id: client, site_id: site };
}
