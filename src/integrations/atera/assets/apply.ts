import type { Kysely } from 'kysely';
import type { DB } from '../../../db/schema.js';
import { type Link, upsertLinks } from '../../../sync/links.js';
import { INTEGRATION } from '../settings/settings.js';
import type { PlannedAction } from './plan.js';

/** Creates the asset types a batch needs (named like the OSType, under the default group, with every asset field). */
export async function ensureAssetTypes(tx: Kysely<DB>, names: string[], groupId: number): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const name of names) {
    const existing = await tx
      .selectFrom('asset_type')
      .select('id')
      .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()))
      .executeTakeFirst();
    if (existing) {
      out.set(name.toLowerCase(), existing.id);
      continue;
    }
    const created = await tx
      .insertInto('asset_type')
      .values({ name, assetgroup_id: groupId })
      .returning('id')
      .executeTakeFirstOrThrow();
    const fields = await tx.selectFrom('asset_field').select(['id', 'sequence']).execute();
    if (fields.length)
      await tx
        .insertInto('asset_type_field')
        .values(fields.map((f) => ({ assettype_id: created.id, field_id: f.id, sequence: f.sequence })))
        .execute();
    out.set(name.toLowerCase(), created.id);
  }
  return out;
}

/**
 * Writes one batch's plan: creates as one multi-row INSERT, updates row by row (only changed
 * columns), links as one upsert. Unchanged devices write nothing.
 */
export async function applyBatch(
  tx: Kysely<DB>,
  plans: PlannedAction[],
  typeIds: Map<string, number>,
  now: string,
): Promise<void> {
  const links: Link[] = [];
  const creates = plans.filter((p): p is Extract<PlannedAction, { kind: 'create' }> => p.kind === 'create');
  if (creates.length) {
    const rows = creates.map((p) => ({
      ...p.row,
      assettype_id: p.row.assettype_id ?? typeIds.get(p.newType!.toLowerCase())!,
      fields: JSON.stringify(p.row.fields),
      customfields: JSON.stringify(p.row.customfields),
    }));
    const inserted = await tx.insertInto('asset').values(rows).returning(['id', 'atera_id']).execute();
    const idOf = new Map(inserted.map((r) => [r.atera_id!, r.id]));
    for (const p of creates) {
      const id = idOf.get(p.row.atera_id)!;
      p.change.local_id = id;
      links.push({ external_id: p.row.atera_id, local_id: id, hash: p.hash, origin: 'created' });
    }
  }
  for (const p of plans) {
    if (p.kind !== 'update') continue;
    const set: Record<string, unknown> = { ...p.set, updated_at: now };
    if (p.newType) set.assettype_id = typeIds.get(p.newType.toLowerCase());
    if (p.set.fields) set.fields = JSON.stringify(p.set.fields);
    if (p.set.customfields) set.customfields = JSON.stringify(p.set.customfields);
    await tx.updateTable('asset').set(set).where('id', '=', p.assetId).execute();
    links.push({ external_id: p.change.external_id!, local_id: p.assetId, hash: p.hash, origin: 'matched' });
  }
  await upsertLinks(tx, INTEGRATION, 'asset', links);
}
