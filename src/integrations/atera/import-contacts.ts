import type { AppContext } from '../../app/context.js';
import { recordIntegrationError } from '../../psa/integration-errors/integration-errors.js';
import { contentHash, type Link, linksFor, upsertLinks } from '../../sync/links.js';
import type { Change, RunRecorder } from '../../sync/runs.js';
import type { AteraClient, AteraContact, ReadSummary } from './client/index.js';
import { INTEGRATION } from './settings/settings.js';

const ENTITY = 'contact';

/** The contact's full name as Keel stores a user's name. */
export function contactName(c: AteraContact): string | null {
  const n = [c.Firstname, c.Lastname]
    .map((s) => s?.trim())
    .filter(Boolean)
    .join(' ');
  return n || c.Email?.trim() || null;
}

/**
 * Contacts import (beyond the guide, run on request): Atera contacts become Users of the Keel customer
 * linked to their Atera customer, matched by email, then by name (exactly one), so asset users and
 * alert tickets find real people. Existing users only get their empty fields filled; archived contacts
 * are skipped. Same run records and preview as the other imports.
 */
export async function importContacts(
  ctx: AppContext,
  client: AteraClient,
  opts: { preview: boolean; recorder: RunRecorder },
): Promise<ReadSummary> {
  const { recorder } = opts;
  const clients = await ctx.db
    .selectFrom('client')
    .select(['id', 'ateraid', 'main_site_id'])
    .where('ateraid', 'is not', null)
    .execute();
  const customerLinks = await ctx.db
    .selectFrom('sync_link')
    .select(['external_id', 'local_id'])
    .where('integration', '=', INTEGRATION)
    .where('entity', '=', 'customer')
    .execute();
  const clientById = new Map(clients.map((c) => [c.id, c]));
  const byAtera = new Map<number, { id: number; main_site_id: number | null }>();
  for (const c of clients) byAtera.set(c.ateraid!, c);
  for (const l of customerLinks) {
    const c = clientById.get(l.local_id);
    if (c) byAtera.set(Number(l.external_id), c);
  }
  const read = client.contacts();
  try {
    for await (const page of read) {
      for (const r of page.rejected) {
        recorder.record({
          entity: ENTITY,
          external_id: r.id === null ? null : String(r.id),
          local_id: null,
          action: 'error',
          name: null,
          reason: `${r.field}: ${r.reason}`,
          fields: null,
        });
        await recordIntegrationError(ctx.db, {
          module: 'Atera',
          entity_type: 'contact',
          entity_id: r.id,
          entity_name: null,
          error: `${r.field}: ${r.reason}`,
          run_id: recorder.runId,
        });
      }
      const known = await linksFor(
        ctx.db,
        INTEGRATION,
        ENTITY,
        page.records.map((c) => String(c.EndUserID)),
      );
      const links: Link[] = [];
      await ctx.db.transaction().execute(async (tx) => {
        for (const c of page.records) {
          const ext = String(c.EndUserID);
          const name = contactName(c);
          const base = { entity: ENTITY, external_id: ext, name };
          const hash = contentHash(c);
          const prior = known.get(ext);
          if (prior && prior.hash === hash) {
            recorder.record({ ...base, local_id: prior.local_id, action: 'unchanged', reason: null, fields: null });
            continue;
          }
          const customer = c.CustomerID !== null ? byAtera.get(c.CustomerID) : undefined;
          const skip = (reason: string): Change => ({ ...base, local_id: null, action: 'skip', reason, fields: null });
          if (c.Archived) {
            recorder.record(skip('the contact is archived in Atera'));
            continue;
          }
          if (!customer) {
            recorder.record(
              skip(
                `Atera customer ${c.CustomerName ?? c.CustomerID} is not linked to a Keel customer: import customers first`,
              ),
            );
            continue;
          }
          if (!name) {
            recorder.record(skip('the contact has no name or email'));
            continue;
          }
          const email = c.Email?.trim().toLowerCase() || null;
          let existing = prior
            ? await tx.selectFrom('users').selectAll().where('id', '=', prior.local_id).executeTakeFirst()
            : undefined;
          let rule = 'already linked';
          if (!existing && email) {
            const m = await tx
              .selectFrom('users')
              .selectAll()
              .where('client_id', '=', customer.id)
              .where((eb) => eb(eb.fn('lower', ['emailaddress']), '=', email))
              .execute();
            if (m.length === 1) [existing, rule] = [m[0], 'same email'];
            else if (m.length > 1) {
              recorder.record({
                ...base,
                local_id: null,
                action: 'conflict',
                reason: `${m.length} users of this customer have the email ${email}`,
                fields: null,
              });
              continue;
            }
          }
          if (!existing) {
            const m = await tx
              .selectFrom('users')
              .selectAll()
              .where('client_id', '=', customer.id)
              .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()))
              .execute();
            if (m.length === 1) [existing, rule] = [m[0], 'same name'];
            else if (m.length > 1) {
              recorder.record({
                ...base,
                local_id: null,
                action: 'conflict',
                reason: `${m.length} users of this customer are named ${name}`,
                fields: null,
              });
              continue;
            }
          }
          const wanted = {
            firstname: c.Firstname?.trim() || null,
            surname: c.Lastname?.trim() || null,
            emailaddress: c.Email?.trim() || null,
            phonenumber: (c.Phone || c.MobilePhone)?.trim() || null,
          };
          if (!existing) {
            const fields = Object.fromEntries(
              Object.entries({ name, ...wanted })
                .filter(([, v]) => v !== null)
                .map(([k, v]) => [k, { before: null, after: v }]),
            );
            let id: number | null = null;
            if (!opts.preview) {
              const row = await tx
                .insertInto('users')
                .values({
                  name,
                  ...wanted,
                  client_id: customer.id,
                  site_id: customer.main_site_id,
                  atera_contact_id: c.EndUserID,
                  customfields: '{}',
                })
                .returning('id')
                .executeTakeFirstOrThrow();
              id = row.id;
              links.push({ external_id: ext, local_id: id, hash, origin: 'created' });
            }
            recorder.record({
              ...base,
              local_id: id,
              action: 'create',
              reason: 'no user of this customer with this email or name',
              fields,
            });
            continue;
          }
          // Fill only what the Keel user lacks: never overwrite what someone typed.
          const fill: Record<string, { before: unknown; after: unknown }> = {};
          for (const [k, v] of Object.entries(wanted)) {
            const before = existing[k as keyof typeof wanted];
            if (v !== null && (before === null || before === '')) fill[k] = { before, after: v };
          }
          if (existing.atera_contact_id !== c.EndUserID)
            fill.atera_contact_id = { before: existing.atera_contact_id, after: c.EndUserID };
          const changed = Object.keys(fill).length > 0;
          if (!opts.preview) {
            if (changed) {
              await tx
                .updateTable('users')
                .set({
                  ...Object.fromEntries(Object.entries(fill).map(([k, v]) => [k, v.after])),
                  updated_at: ctx.clock.now().toISOString(),
                })
                .where('id', '=', existing.id)
                .execute();
            }
            links.push({ external_id: ext, local_id: existing.id, hash, origin: 'matched' });
          }
          recorder.record({
            ...base,
            local_id: existing.id,
            action: changed ? 'update' : 'unchanged',
            reason: rule,
            fields: changed ? fill : null,
          });
        }
        if (!opts.preview) await upsertLinks(tx, INTEGRATION, ENTITY, links);
      });
      const s = read.summary();
      recorder.progress = {
        ...recorder.progress,
        contacts: {
          pages_read: s.pagesRead,
          total_pages: s.totalPages,
          records: s.recordsRead,
          total_records: s.totalItemCount,
        },
      };
      await recorder.flush();
    }
    return read.summary();
  } finally {
    recorder.summary = { ...recorder.summary, contacts_read: read.summary() };
  }
}
