import { z } from 'zod';
import { qBool } from '../../http/halo-query.js';
import { fk, optionalId, text } from '../common.js';

/** Status.type values (the spec leaves TStatus.type undocumented; Keel uses these two). */
export const STATUS_OPEN = 0;
export const STATUS_CLOSED = 1;

/** Halo /TicketType (schema RequestType): a bare array. */
export const ticketTypeOutput = z.object({
  id: z.number(),
  name: z.string(),
  inactive: z.boolean(),
  default_priority: z.number().nullable(),
});
export type TicketTypeOutput = z.infer<typeof ticketTypeOutput>;

export const ticketTypeWrite = z.object({
  id: optionalId,
  name: text(100).trim().min(1, 'must not be empty').optional(),
  inactive: z.boolean().optional(),
  /** A Priority's int id (priorityid). */
  default_priority: fk.nullable().optional(),
});
export type TicketTypeWrite = z.infer<typeof ticketTypeWrite>;

/** Halo's `showinactive` / `showall` list inactive types too (as does Keel's generic `includeinactive`). */
export const ticketTypeQuery = { showinactive: qBool, showall: qBool };

/** Halo /Status (schema TStatus): a bare array. type 0 = open, 1 = closed. */
export const statusOutput = z.object({
  id: z.number(),
  name: z.string(),
  type: z.number(),
  sequence: z.number(),
});
export type StatusOutput = z.infer<typeof statusOutput>;

export const statusWrite = z.object({
  id: optionalId,
  name: text(100).trim().min(1, 'must not be empty').optional(),
  type: z
    .number({ error: 'must be 0 (open) or 1 (closed)' })
    .int('must be 0 (open) or 1 (closed)')
    .min(STATUS_OPEN, 'must be 0 (open) or 1 (closed)')
    .max(STATUS_CLOSED, 'must be 0 (open) or 1 (closed)')
    .optional(),
  sequence: z.number().int().min(-1_000_000).max(1_000_000).optional(),
});
export type StatusWrite = z.infer<typeof statusWrite>;

export const statusQuery = {
  excludeclosed: qBool,
  /** Halo types this as a string; Keel accepts 0 (open) or 1 (closed). */
  type: z.coerce
    .number({ error: 'must be 0 (open) or 1 (closed)' })
    .int('must be 0 (open) or 1 (closed)')
    .min(STATUS_OPEN, 'must be 0 (open) or 1 (closed)')
    .max(STATUS_CLOSED, 'must be 0 (open) or 1 (closed)')
    .optional(),
};

/**
 * Halo /Priority (schema Policy). Halo's `id` is a GUID row key (one row per SLA and priority) and
 * `priorityid` is the int tickets use as `priority_id`. Keel has no SLAs, so there is one row per
 * priority and `id` is that same int (a number, not a GUID); GET /api/Priority/{id} takes the int.
 */
export const priorityOutput = z.object({
  id: z.number(),
  priorityid: z.number(),
  name: z.string(),
});
export type PriorityOutput = z.infer<typeof priorityOutput>;

export const priorityWrite = z.object({
  /** With id: update that priority. Without: create one, numbered `priorityid` (or the next free number). */
  id: optionalId,
  priorityid: fk.optional(),
  name: text(100).trim().min(1, 'must not be empty').optional(),
});
export type PriorityWrite = z.infer<typeof priorityWrite>;

export const priorityQuery = {};
