import { z } from 'zod';
import type { Rng } from './random.js';

/**
 * Fault injection: the ways a real Atera (or the network in front of it) misbehaves, switchable per path.
 *
 * Every fault shares one scope: `path` (prefix of the request path, case-insensitive; all paths when absent),
 * `method`, `probability` (0–1, default 1, drawn from the simulator's seeded generator so runs repeat) and
 * `times` (how many requests it hits before it switches itself off; unlimited when absent).
 */

const scope = {
  path: z.string().optional(),
  method: z.string().optional(),
  probability: z.number().min(0).max(1).optional(),
  times: z.int().positive().optional(),
};

export const faultSchema = z.discriminatedUnion('kind', [
  /** Answer with this status and no body (Atera's 500 has no schema). */
  z.object({ kind: z.literal('error'), status: z.int().min(400).max(599), ...scope }),
  /** Delay the answer by `ms`, plus a uniform random 0..jitterMs. */
  z.object({ kind: z.literal('latency'), ms: z.number().min(0), jitterMs: z.number().min(0).optional(), ...scope }),
  /** 429 for every matching request while active (for `durationMs` from now and/or `times` requests). */
  z.object({
    kind: z.literal('rate-limit-storm'),
    retryAfterSeconds: z.int().min(0).nullable().optional(),
    durationMs: z.number().positive().optional(),
    ...scope,
  }),
  /** The last page of a list carries `missing` fewer records than totalItemCount says. */
  z.object({ kind: z.literal('truncate-last-page'), missing: z.int().positive().optional(), ...scope }),
  /** Corrupt records (wrong JSON types) in list pages: every n-th record of the list, and/or these ids. */
  z.object({
    kind: z.literal('malformed-records'),
    every: z.int().positive().optional(),
    ids: z.array(z.int()).optional(),
    ...scope,
  }),
  /** A 200 whose body is not JSON: an HTML error page or JSON cut in half; only page `page` when given. */
  z.object({
    kind: z.literal('non-json'),
    page: z.int().positive().optional(),
    body: z.enum(['html', 'truncated-json']).optional(),
    ...scope,
  }),
  /** Destroy the socket: before any response byte, or after sending half of the body. */
  z.object({ kind: z.literal('drop-connection'), stage: z.enum(['before-response', 'mid-body']).optional(), ...scope }),
]);

export type Fault = z.input<typeof faultSchema>;
export type FaultKind = Fault['kind'];
export type FaultOf<K extends FaultKind> = Extract<Fault, { kind: K }>;

export interface ActiveFault {
  id: string;
  fault: Fault;
  remaining: number | null;
  addedAt: number;
}

export class FaultSet {
  private active: ActiveFault[] = [];
  private seq = 0;

  constructor(private readonly rng: Rng) {}

  add(fault: Fault): string {
    const parsed = faultSchema.parse(fault);
    const id = `f${++this.seq}`;
    this.active.push({ id, fault: parsed, remaining: parsed.times ?? null, addedAt: performance.now() });
    return id;
  }

  /** Replaces all faults. */
  set(faults: Fault[]): string[] {
    this.active = [];
    return faults.map((f) => this.add(f));
  }

  remove(id: string): boolean {
    const before = this.active.length;
    this.active = this.active.filter((f) => f.id !== id);
    return this.active.length !== before;
  }

  reset(): void {
    this.active = [];
  }

  /** Same as reset(). */
  clear(): void {
    this.reset();
  }

  /** A draw from the fault generator (latency jitter), so jittered runs repeat for a seed too. */
  random(): number {
    return this.rng.next();
  }

  list(): ActiveFault[] {
    return this.active.map((f) => ({ ...f }));
  }

  /**
   * The first active fault of `kind` that matches this request (and `accept`, for kind-specific conditions such
   * as the page number). Matching uses up one of its `times`.
   */
  take<K extends FaultKind>(
    kind: K,
    method: string,
    path: string,
    accept?: (fault: FaultOf<K>) => boolean,
  ): FaultOf<K> | null {
    if (this.active.length === 0) return null;
    const lowerPath = path.toLowerCase();
    for (const entry of this.active) {
      const f = entry.fault;
      if (f.kind !== kind) continue;
      if (
        f.kind === 'rate-limit-storm' &&
        f.durationMs !== undefined &&
        performance.now() - entry.addedAt > f.durationMs
      ) {
        continue;
      }
      if (f.path !== undefined && !lowerPath.startsWith(f.path.toLowerCase())) continue;
      if (f.method !== undefined && f.method.toUpperCase() !== method.toUpperCase()) continue;
      const typed = f as FaultOf<K>;
      if (accept && !accept(typed)) continue;
      if (f.probability !== undefined && f.probability < 1 && !(this.rng.next() < f.probability)) continue;
      if (entry.remaining !== null) {
        entry.remaining -= 1;
        if (entry.remaining <= 0) this.active = this.active.filter((a) => a !== entry);
      }
      return typed;
    }
    return null;
  }
}

/**
 * Wrong-typed values per resource, as a broken Atera (or a proxy rewriting JSON) might send them. Each breaks a
 * type published in atera-fields.json. One kind per resource breaks the id itself: agents get their AgentID as a
 * string (a classic serializer drift), customers and alerts lose it.
 */
type Corruption = (record: Record<string, unknown>) => Record<string, unknown>;
const CORRUPTIONS: Record<string, readonly Corruption[]> = {
  customers: [
    () => ({ CustomerName: 42 }),
    () => ({ Latitude: 'north' }),
    () => ({ CreatedOn: '27/09/2026 10:15' }),
    () => ({ CustomerID: null }),
  ],
  agents: [
    () => ({ Monitored: 'yes' }),
    () => ({ Memory: '16 GB' }),
    () => ({ IpAddresses: '10.0.0.7' }),
    () => ({ LastSeen: 'yesterday' }),
    (r) => ({ AgentID: String(r.AgentID) }),
  ],
  alerts: [
    () => ({ Severity: 'Urgent' }),
    () => ({ Archived: 'no' }),
    () => ({ Created: 1727432100 }),
    () => ({ AlertID: null }),
  ],
  contacts: [() => ({ Email: 123 }), () => ({ IsContactPerson: 'Y' }), (r) => ({ EndUserID: String(r.EndUserID) })],
};

/** Returns a corrupted copy of `record`; `n` picks the corruption so consecutive bad records differ. */
export function corrupt(resource: string, record: object, n: number): Record<string, unknown> {
  const kinds = CORRUPTIONS[resource] ?? [() => ({})];
  const r = record as Record<string, unknown>;
  return { ...r, ...kinds[n % kinds.length]!(r) };
}

export const HTML_ERROR_PAGE =
  '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>';
