import type { Kysely } from 'kysely';
import type { AppContext } from '../../app/context.js';
import type { DB } from '../../db/schema.js';
import { recordIntegrationError } from '../../psa/integration-errors/integration-errors.js';
import { contentHash, type Link, linksFor, upsertLinks } from '../../sync/links.js';
import { type CustomerCandidate, type CustomerIndex, foldName, matchCustomer } from '../../sync/matching.js';
import type { Change, RunRecorder } from '../../sync/runs.js';
import type { AteraClient, AteraCustomer, ReadSummary } from './client/index.js';
import { customerName, customerSiteDetails } from './mappers.js';
import { INTEGRATION, loadAteraSettings, rememberCustomerNames } from './settings/settings.js';

const ENTITY = 'customer';

async function buildIndex(
  db: Kysely<DB>,
  mappings: { site_id: number; atera_customer_id: number }[],
): Promise<CustomerIndex> {
  const clients = await db.selectFrom('client').select(['id', 'name', 'main_site_id', 'ateraid']).execute();
  const links = await db
    .selectFrom('sync_link')
    .select(['external_id', 'local_id'])
    .where('integration', '=', INTEGRATION)
    .where('entity', '=', ENTITY)
    .execute();
  const linkedByClient = new Map(links.map((l) => [l.local_id, l.external_id]));
  const index: CustomerIndex = { mappings: new Map(), linked: new Map(), byName: new Map(), byFoldedName: new Map() };
  for (const c of clients) {
    const linked_to = linkedByClient.get(c.id) ?? (c.ateraid !== null ? String(c.ateraid) : null);
    const cand: CustomerCandidate = { client_id: c.id, name: c.name, main_site_id: c.main_site_id, linked_to };
    if (linked_to) index.linked.set(linked_to, cand);
    index.byName.set(c.name, [...(index.byName.get(c.name) ?? []), cand]);
    const folded = foldName(c.name);
    index.byFoldedName.set(folded, [...(index.byFoldedName.get(folded) ?? []), cand]);
  }
  if (mappings.length) {
    const sites = await db
      .selectFrom('site')
      .select(['id', 'client_id'])
      .where(
        'id',
        'in',
        mappings.map((m) => m.site_id),
      )
      .execute();
    const clientOf = new Map(sites.map((s) => [s.id, s.client_id]));
    for (const m of mappings) {
      const client_id = clientOf.get(m.site_id);
      if (client_id !== undefined) index.mappings.set(String(m.atera_customer_id), { site_id: m.site_id, client_id });
    }
  }
  return index;
}

type SiteRow = {
  id: number;
  address: string | null;
  city: string | null;
  state: string | null;
  postcode: string | null;
  country: string | null;
  phonenumber: string | null;
  ateraid: number | null;
};

/** Site fields Atera has that the Keel site lacks (never overwrites what someone typed). */
function siteFill(site: SiteRow, c: AteraCustomer): Record<string, { before: unknown; after: unknown }> {
  const out: Record<string, { before: unknown; after: unknown }> = {};
  for (const [k, v] of Object.entries(customerSiteDetails(c))) {
    const before = site[k as keyof SiteRow];
    if (v !== null && (before === null || before === '')) out[k] = { before, after: v };
  }
  return out;
}

/**
 * Plans and (unless preview) applies the customer import for one Atera customer, following the
 * issue's order: mapping → linked → exactly one same-name customer → create; several same-name
 * customers are a conflict and similar names only a suggestion.
 */
async function importOne(
  tx: Kysely<DB>,
  c: AteraCustomer,
  index: CustomerIndex,
  toplevel: number | null,
  preview: boolean,
  now: string,
): Promise<{ change: Change; link?: Link }> {
  const ext = String(c.CustomerID);
  const name = customerName(c);
  const match = matchCustomer(ext, name, index);
  const base = { entity: ENTITY, external_id: ext, name: name ?? `(Atera customer ${ext} has no name)` };

  if (match.outcome === 'conflict') {
    return {
      change: {
        ...base,
        local_id: null,
        action: 'conflict',
        reason: `${match.candidates.length} Keel customers are named "${name}": add a mapping for this Atera customer`,
        fields: null,
      },
    };
  }
  if (match.outcome === 'suggest') {
    const s = match.candidates[0]!;
    return {
      change: {
        ...base,
        local_id: s.client_id,
        action: 'suggestion',
        reason: `Keel customer "${s.name}" (id ${s.client_id}) has a similar name; map it to link them, nothing was created`,
        fields: {
          suggested_site_id: { before: null, after: s.main_site_id },
          suggested_client_id: { before: null, after: s.client_id },
        },
      },
    };
  }
  if (match.outcome === 'create') {
    if (!name)
      return {
        change: { ...base, local_id: null, action: 'skip', reason: 'the Atera customer has no name', fields: null },
      };
    const details = customerSiteDetails(c);
    const fields: Record<string, { before: unknown; after: unknown }> = { name: { before: null, after: name } };
    for (const [k, v] of Object.entries(details)) if (v !== null) fields[k] = { before: null, after: v };
    if (preview)
      return {
        change: { ...base, local_id: null, action: 'create', reason: 'no Keel customer with this name', fields },
      };
    const client = await tx
      .insertInto('client')
      .values({
        name,
        toplevel_id: toplevel,
        ateraid: c.CustomerID,
        website: c.Domain?.trim() || null,
        customfields: '{}',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const site = await tx
      .insertInto('site')
      .values({ client_id: client.id, name: 'Main', ateraid: c.CustomerID, customfields: '{}', ...details })
      .returning('id')
      .executeTakeFirstOrThrow();
    await tx.updateTable('client').set({ main_site_id: site.id }).where('id', '=', client.id).execute();
    const cand = { client_id: client.id, name, main_site_id: site.id, linked_to: ext };
    index.linked.set(ext, cand);
    return {
      change: { ...base, local_id: client.id, action: 'create', reason: 'no Keel customer with this name', fields },
      link: { external_id: ext, local_id: client.id, hash: contentHash(c), origin: 'created' },
    };
  }

  // Link (mapping, existing link or exact name): set the Atera ids, fill empty site details, follow renames of customers Keel created.
  const client = await tx
    .selectFrom('client')
    .select(['id', 'name', 'ateraid', 'main_site_id', 'website'])
    .where('id', '=', match.client_id)
    .executeTakeFirstOrThrow();
  const siteId = match.site_id ?? client.main_site_id;
  const site = siteId
    ? await tx
        .selectFrom('site')
        .select(['id', 'address', 'city', 'state', 'postcode', 'country', 'phonenumber', 'ateraid'])
        .where('id', '=', siteId)
        .executeTakeFirst()
    : undefined;
  const link = await tx
    .selectFrom('sync_link')
    .select(['origin'])
    .where('integration', '=', INTEGRATION)
    .where('entity', '=', ENTITY)
    .where('external_id', '=', ext)
    .executeTakeFirst();
  const origin: Link['origin'] = match.rule === 'mapping' ? 'mapped' : (link?.origin ?? 'matched');
  const clientChanges: Record<string, { before: unknown; after: unknown }> = {};
  if (client.ateraid !== c.CustomerID) clientChanges.ateraid = { before: client.ateraid, after: c.CustomerID };
  if (origin === 'created' && name && client.name !== name) clientChanges.name = { before: client.name, after: name };
  if (!client.website && c.Domain?.trim()) clientChanges.website = { before: client.website, after: c.Domain.trim() };
  const siteChanges = site ? siteFill(site as SiteRow, c) : {};
  if (site && site.ateraid !== c.CustomerID) siteChanges.ateraid = { before: site.ateraid, after: c.CustomerID };
  const fields = {
    ...clientChanges,
    ...Object.fromEntries(Object.entries(siteChanges).map(([k, v]) => [`site.${k}`, v])),
  };
  const changed = Object.keys(fields).length > 0;
  const reason = { mapping: 'mapped to a Keel site', linked: 'already linked', name: 'same name as a Keel customer' }[
    match.rule
  ];
  if (!preview && changed) {
    if (Object.keys(clientChanges).length) {
      await tx
        .updateTable('client')
        .set({ ...Object.fromEntries(Object.entries(clientChanges).map(([k, v]) => [k, v.after])), updated_at: now })
        .where('id', '=', client.id)
        .execute();
    }
    if (site && Object.keys(siteChanges).length) {
      await tx
        .updateTable('site')
        .set({ ...Object.fromEntries(Object.entries(siteChanges).map(([k, v]) => [k, v.after])), updated_at: now })
        .where('id', '=', site.id)
        .execute();
    }
  }
  index.linked.set(ext, { client_id: client.id, name: client.name, main_site_id: client.main_site_id, linked_to: ext });
  return {
    change: {
      ...base,
      local_id: client.id,
      action: changed ? 'update' : 'unchanged',
      reason,
      fields: changed ? fields : null,
    },
    link: { external_id: ext, local_id: client.id, hash: contentHash(c), origin },
  };
}

export interface ImportOptions {
  preview: boolean;
  recorder: RunRecorder;
}

/**
 * Customer import (guide: "Importing Customers"). Streams Atera's customers page by page into the
 * caller's run; the caller starts and finishes the run. Throws (after recording what it did) when
 * Atera fails in a way retries could not fix.
 */
export async function importCustomers(
  ctx: AppContext,
  client: AteraClient,
  opts: ImportOptions,
): Promise<{ read: ReadSummary; plannedCreates: Map<number, string> }> {
  const { recorder } = opts;
  const settings = await loadAteraSettings(ctx.db);
  const index = await buildIndex(ctx.db, settings.atera_sitemappings);
  const read = client.customers();
  const names = new Map<number, string>();
  const plannedCreates = new Map<number, string>();
  const mappingOf = new Map(settings.atera_sitemappings.map((m) => [m.atera_customer_id, m.site_id]));
  try {
    for await (const page of read) {
      for (const rejected of page.rejected) {
        recorder.record({
          entity: ENTITY,
          external_id: rejected.id === null ? null : String(rejected.id),
          local_id: null,
          action: 'error',
          name: null,
          reason: `${rejected.field}: ${rejected.reason}`,
          fields: null,
        });
        await recordIntegrationError(ctx.db, {
          module: 'Atera',
          entity_type: 'customer',
          entity_id: rejected.id,
          entity_name: null,
          error: `${rejected.field}: ${rejected.reason}`,
          run_id: recorder.runId,
        });
      }
      const links: Link[] = [];
      const known = await linksFor(
        ctx.db,
        INTEGRATION,
        ENTITY,
        page.records.map((c) => String(c.CustomerID)),
      );
      await ctx.db.transaction().execute(async (tx) => {
        for (const c of page.records) {
          if (c.CustomerName) names.set(c.CustomerID, c.CustomerName);
          // Same Atera record and same mapping as last time: nothing to look at or write.
          const hash = contentHash([c, mappingOf.get(c.CustomerID) ?? null]);
          const prior = known.get(String(c.CustomerID));
          if (prior && prior.hash === hash && index.linked.get(String(c.CustomerID))?.client_id === prior.local_id) {
            recorder.record({
              entity: ENTITY,
              external_id: String(c.CustomerID),
              local_id: prior.local_id,
              action: 'unchanged',
              name: null,
              reason: null,
              fields: null,
            });
            continue;
          }
          const { change, link } = await importOne(
            tx,
            c,
            index,
            settings.atera_toplevel,
            opts.preview,
            ctx.clock.now().toISOString(),
          );
          recorder.record(change);
          if (change.action === 'create' && opts.preview)
            plannedCreates.set(c.CustomerID, change.name ?? String(c.CustomerID));
          if (link) links.push({ ...link, hash });
        }
        if (!opts.preview) await upsertLinks(tx, INTEGRATION, ENTITY, links);
      });
      const s = read.summary();
      recorder.progress = {
        ...recorder.progress,
        customers: {
          pages_read: s.pagesRead,
          total_pages: s.totalPages,
          records: s.recordsRead,
          total_records: s.totalItemCount,
        },
      };
      await recorder.flush();
    }
    if (!opts.preview) await rememberCustomerNames(ctx.db, names);
    return { read: read.summary(), plannedCreates };
  } finally {
    recorder.summary = { ...recorder.summary, customers_read: read.summary() };
  }
}
