import type { Kysely } from 'kysely';
import type { DB } from '../../../db/schema.js';
import { loadAssetLookups } from '../assets/lookups.js';
import type { AteraAlert } from '../client/index.js';
import type { AteraSettings } from '../settings/schema.js';

export interface AlertTarget {
  asset_id: number | null;
  client_id: number | null;
  site_id: number | null;
  user_id: number | null;
  how: string;
}

/**
 * Where an alert's ticket belongs: the asset linked to the alert's device (its customer, site and
 * user), else the Atera customer's mapping or linked customer, else the default site. The user is the
 * asset's user when it has one, else the "New Alert User".
 */
export async function alertTargets(
  db: Kysely<DB>,
  settings: AteraSettings,
  alerts: AteraAlert[],
): Promise<Map<number, AlertTarget>> {
  const agentIds = [...new Set(alerts.map((a) => a.AgentId).filter((x): x is number => x !== null))].map(String);
  const assets = agentIds.length
    ? await db
        .selectFrom('asset')
        .select(['id', 'atera_id', 'client_id', 'site_id', 'user_id'])
        .where('atera_id', 'in', agentIds)
        .execute()
    : [];
  const byAgent = new Map(assets.map((a) => [a.atera_id!, a]));
  const lk = await loadAssetLookups(db, settings);
  const out = new Map<number, AlertTarget>();
  for (const alert of alerts) {
    const asset = alert.AgentId !== null ? byAgent.get(String(alert.AgentId)) : undefined;
    if (asset) {
      out.set(alert.AlertID, {
        asset_id: asset.id,
        client_id: asset.client_id,
        site_id: asset.site_id,
        user_id: asset.user_id ?? settings.atera_alert_user,
        how: "the device's asset",
      });
      continue;
    }
    const site =
      alert.CustomerID !== null
        ? (lk.mappedSites.get(alert.CustomerID) ?? lk.linkedCustomers.get(alert.CustomerID))
        : undefined;
    if (site) {
      out.set(alert.AlertID, {
        asset_id: null,
        client_id: site.client_id,
        site_id: site.site_id,
        user_id: settings.atera_alert_user,
        how: "the Atera customer's mapping",
      });
      continue;
    }
    const def = lk.defaultSite;
    out.set(alert.AlertID, {
      asset_id: null,
      client_id: def?.client_id ?? null,
      site_id: def?.site_id ?? null,
      user_id: settings.atera_alert_user,
      how: def ? 'the default site' : 'no customer found',
    });
  }
  return out;
}
