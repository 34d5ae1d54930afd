import { z } from 'zod';
import { qBool, qPositiveInt } from '../../http/halo-query.js';
import { fk, nullableText, optionalId, text } from '../common.js';
import { fieldValueInput, fieldValueOutput } from '../fields/values.js';

const MAX_INT = 2_147_483_647;

/**
 * A comma-separated list of ids (`status=1,2,3`), as Halo sends its "List<int>" parameters. A repeated
 * parameter (`status=1&status=2`) is accepted too.
 */
export const qIdList = z
  .preprocess(
    (v) => (Array.isArray(v) ? v.join(',') : v),
    z
      .string()
      .max(10_000, 'must be at most 10000 characters')
      .transform((s, ctx) => {
        const out: number[] = [];
        for (const raw of s.split(',')) {
          const part = raw.trim();
          if (part === '') continue;
          const n = Number(part);
          if (!/^\d{1,10}$/.test(part) || n < 1 || n > MAX_INT) {
            ctx.addIssue({
              code: 'custom',
              message: `"${part.slice(0, 20)}" is not an id: send whole numbers separated by commas`,
            });
            return z.NEVER;
          }
          out.push(n);
        }
        return out;
      }),
  )
  .optional();

/** Date-times without a zone ("2026-01-31T12:00:00", as Halo sends them) are taken as UTC. */
export function toUtcIso(s: string): string | null {
  const t = s.trim();
  const zoned = /(?:[zZ]|[+-]\d\d(?::?\d\d)?)$/.test(t) || !t.includes('T') ? t : `${t}Z`;
  const ms = Date.parse(zoned);
  if (Number.isNaN(ms)) return null;
  // Years outside 1-9999 (JavaScript's ±YYYYYY forms) are not timestamps PostgreSQL reads back.
  const year = new Date(ms).getUTCFullYear();
  return year >= 1 && year <= 9999 ? new Date(ms).toISOString() : null;
}

export const dateTime = z
  .string()
  .max(40, 'must be a date and time, e.g. 2026-01-31T12:00:00Z')
  .transform((s, ctx) => {
    const iso = toUtcIso(s);
    if (iso === null) {
      ctx.addIssue({ code: 'custom', message: 'must be a date and time, e.g. 2026-01-31T12:00:00Z' });
      return z.NEVER;
    }
    return iso;
  });

/** `lastupdatefromdate` is typed bool in Halo's spec but sent as a date-time; a bare true/false is ignored. */
const qDateOrBool = z
  .preprocess(
    (v) => (v === 'true' || v === 'false' || v === 'True' || v === 'False' ? undefined : v),
    dateTime.optional(),
  )
  .optional();

/**
 * An optional reference that may be cleared. Halo clients send 0 for "none" as often as null, so 0 is
 * taken as null.
 */
const clearableFk = z
  .number({ error: 'must be a whole number or null' })
  .int('must be a whole number')
  .min(0, 'must be 0 or more')
  .max(MAX_INT, 'is too large')
  .nullable()
  .transform((v) => (v === 0 ? null : v));

export const ticketOutput = z.object({
  id: z.number(),
  summary: z.string(),
  details: z.string().nullable(),
  tickettype_id: z.number(),
  tickettype_name: z.string().nullable(),
  status_id: z.number(),
  status_name: z.string().nullable(),
  priority_id: z.number().nullable(),
  priority_name: z.string().nullable(),
  client_id: z.number().nullable(),
  client_name: z.string().nullable(),
  site_id: z.number().nullable(),
  site_name: z.string().nullable(),
  user_id: z.number().nullable(),
  user_name: z.string().nullable(),
  agent_id: z.number().nullable(),
  agent_name: z.string().nullable(),
  assets: z.array(z.object({ id: z.number(), inventory_number: z.string().nullable() })),
  dateoccurred: z.string(),
  datecreated: z.string(),
  dateclosed: z.string().nullable(),
  /** True once the ticket has been closed, even if it was reopened since. */
  hasbeenclosed: z.boolean(),
  _isalert: z.boolean(),
  atera_alert_id: z.number().nullable(),
  customfields: z.array(fieldValueOutput),
  last_update: z.string(),
});
export type TicketOutput = z.infer<typeof ticketOutput>;

export const ticketWrite = z.object({
  id: optionalId,
  summary: text(500).trim().min(1, 'must not be empty').optional(),
  details: nullableText(100_000).optional(),
  /** Default on create: the ticket type named "Incident". */
  tickettype_id: fk.optional(),
  /** Default on create: the open status named "New" (else the first open status). A closed status closes the ticket. */
  status_id: fk.optional(),
  /** Default on create: the ticket type's default_priority. */
  priority_id: clearableFk.optional(),
  client_id: clearableFk.optional(),
  site_id: clearableFk.optional(),
  user_id: clearableFk.optional(),
  agent_id: clearableFk.optional(),
  /** Replaces the ticket's set of assets. */
  assets: z
    .array(z.object({ id: fk }))
    .max(500, 'at most 500 assets')
    .optional(),
  dateoccurred: dateTime.optional(),
  _isalert: z.boolean().optional(),
  /** Unique: one ticket per Atera alert (409 when another ticket has it). */
  atera_alert_id: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).nullable().optional(),
  customfields: z.array(fieldValueInput).max(200).optional(),
});
export type TicketWrite = z.infer<typeof ticketWrite>;

export const ticketQuery = {
  /** Halo documents 100 as the largest page of tickets. */
  page_size: z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(1, 'must be 1 or more')
    .max(100, 'must be at most 100 (the largest page Halo serves for tickets)')
    .optional(),
  open_only: qBool,
  closed_only: qBool,
  status_id: qPositiveInt,
  status: qIdList,
  /** Halo's ticket type filter (Halo has no tickettype_id filter). */
  requesttype_id: qPositiveInt,
  /** Not a Halo parameter: a Keel alias of requesttype_id, because the field on the ticket is tickettype_id. */
  tickettype_id: qPositiveInt,
  requesttype: qIdList,
  client_id: qPositiveInt,
  site_id: qPositiveInt,
  user_id: qPositiveInt,
  agent_id: qPositiveInt,
  asset_id: qPositiveInt,
  atera_alert_id: z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(1, 'must be 1 or more')
    .max(Number.MAX_SAFE_INTEGER)
    .optional(),
  /** Only alert tickets (true) or only non-alert tickets (false); matches the `_isalert` field. */
  isalert: qBool,
  ticketids: qIdList,
  lastupdatefromdate: qDateOrBool,
  lastupdatetodate: qDateOrBool,
};
export type TicketQuery = {
  [K in keyof typeof ticketQuery]?: Exclude<z.output<(typeof ticketQuery)[K]>, undefined>;
};

/** Halo /Actions (schema Actions). `who` is not in Halo's spec but real responses carry it. */
export const actionOutput = z.object({
  id: z.number(),
  ticket_id: z.number(),
  outcome: z.string().nullable(),
  note: z.string().nullable(),
  new_status: z.number().nullable(),
  new_status_name: z.string().nullable(),
  old_status: z.number().nullable(),
  hiddenfromuser: z.boolean(),
  /** The same as hiddenfromuser. */
  private: z.boolean(),
  who: z.string().nullable(),
  who_agentid: z.number().nullable(),
  datetime: z.string(),
  is_system: z.boolean(),
});
export type ActionOutput = z.infer<typeof actionOutput>;

export const actionWrite = z.object({
  id: optionalId,
  /** Required to create an action. */
  ticket_id: fk.optional(),
  outcome: nullableText(255).optional(),
  note: nullableText(100_000).optional(),
  /** Used as the note when no `note` is sent (Keel stores one body). */
  note_html: nullableText(100_000).optional(),
  /** Moves the ticket to this status (closing or reopening it when the status type changes); 0 or null: no change. */
  new_status: clearableFk.optional(),
  hiddenfromuser: z.boolean().optional(),
  /** Alias of hiddenfromuser. */
  private: z.boolean().optional(),
  /** Defaults to the name of whoever posts the action. */
  who: nullableText(255).optional(),
});
export type ActionWrite = z.infer<typeof actionWrite>;

export const actionQuery = {
  ticket_id: qPositiveInt,
  excludeprivate: qBool,
  excludesys: qBool,
};
export type ActionQuery = {
  [K in keyof typeof actionQuery]?: Exclude<z.output<(typeof actionQuery)[K]>, undefined>;
};
