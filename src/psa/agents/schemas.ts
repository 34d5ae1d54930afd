import { z } from 'zod';
import { qBool, qString } from '../../http/halo-query.js';
import { nullableText, optionalId, text } from '../common.js';

export const agentRole = z.enum(['admin', 'technician'], { error: "must be 'admin' or 'technician'" });

/** Halo /Agent (schema Uname): a technician or admin who signs in to Keel. The password is never returned. */
export const agentOutput = z.object({
  id: z.number(),
  name: z.string(),
  login: z.string(),
  email: z.string().nullable(),
  role: agentRole,
  disabled: z.boolean(),
  /** Halo's name for the same flag. */
  isdisabled: z.boolean(),
  lastlogindate: z.string().nullable(),
});
export type AgentOutput = z.infer<typeof agentOutput>;

export const agentWrite = z.object({
  id: optionalId,
  /** Defaults to the login on create. */
  name: text().trim().min(1, 'must not be empty').optional(),
  login: text(100).trim().min(1, 'must not be empty').optional(),
  email: nullableText(320).optional(),
  role: agentRole.optional(),
  disabled: z.boolean().optional(),
  isdisabled: z.boolean().optional(),
  /** Write-only: stored as a scrypt hash. */
  password: z.string().min(8, 'must be at least 8 characters').max(500, 'must be at most 500 characters').optional(),
});
export type AgentWrite = z.infer<typeof agentWrite>;

export const agentQuery = {
  /** Halo: also list disabled agents (includeinactive works too). */
  includedisabled: qBool,
  includeenabled: qBool,
  role: z.enum(['admin', 'technician']).optional(),
  login: qString,
};
