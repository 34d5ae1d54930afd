import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateData } from '../../../atera-sim/generator.js';
import {
  type AteraResource,
  agentResource,
  alertResource,
  contactResource,
  customerResource,
  fastCheckOf,
  parseAteraRecord,
  parseAteraRecordWithZod,
} from './schemas.js';

/**
 * The compiled fast path (record-parser.ts) must give exactly zod's answer: the same accept/reject decision and,
 * on accept, the same output object. Records start from the simulator's hostile generator and are mutated at
 * random: fields removed, set to null, to the wrong type, to near-miss values (floats for ints, unsafe integers,
 * bad timestamps, unknown enum values, malformed nested disks and batteries) and unknown keys added.
 */

const data = generateData({
  seed: 7,
  customers: 20,
  agents: 200,
  alerts: 200,
  contacts: 60,
  now: new Date('2026-11-01'),
});
const bases: [AteraResource<unknown>, Record<string, unknown>[]][] = [
  [customerResource, data.customers as unknown as Record<string, unknown>[]],
  [agentResource, data.agents as unknown as Record<string, unknown>[]],
  [alertResource, data.alerts as unknown as Record<string, unknown>[]],
  [contactResource, data.contacts as unknown as Record<string, unknown>[]],
];

const oddValue = fc.oneof(
  fc.constant(null),
  fc.constant('DELETE'),
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    '2026-09-27T10:15:00',
    '2026-09-27',
    '2026-13-01T00:00:00',
    'yesterday',
    '2026-09-27T10:15:00.12345678Z',
  ),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(2 ** 53, -(2 ** 53), 1.5, 0, -0),
  fc.boolean(),
  fc.constantFrom('Critical', 'Warning', 'Information', 'Severe', 'Disk', 'Hardware', 'Network', 'Open'),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.array(fc.oneof(fc.integer(), fc.constant(null)), { maxLength: 2 }),
  fc
    .record(
      {
        Drive: fc.oneof(fc.string(), fc.constant(null)),
        Free: fc.integer(),
        Used: fc.double({ noNaN: true }),
        Total: fc.integer(),
        Extra: fc.string(),
      },
      { requiredKeys: [] },
    )
    .map((d) => [d]),
  fc.record(
    {
      Id: fc.oneof(fc.integer(), fc.double()),
      Name: fc.string(),
      BatteryHealth: fc.double({ noNaN: true }),
      DesignedCapacity: fc.integer(),
      FullChargeCapacity: fc.integer(),
      CycleCount: fc.integer(),
    },
    { requiredKeys: [] },
  ),
  fc.object({ maxDepth: 1 }),
);

function mutate(
  base: Record<string, unknown>,
  edits: [number, unknown][],
  extra: string | null,
): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(base);
  const keys = Object.keys(out);
  for (const [at, value] of edits) {
    const key = keys[at % keys.length]!;
    if (value === 'DELETE') delete out[key];
    else out[key] = value;
  }
  if (extra !== null) out[`Unknown_${extra}`] = extra;
  return out;
}

describe('fast record path agrees with zod', () => {
  it.each(bases.map(([r, records]) => [r.name, r, records] as const))('%s', (_name, resource, records) => {
    let accepted = 0;
    let rejected = 0;
    fc.assert(
      fc.property(
        fc.nat(records.length - 1),
        fc.array(fc.tuple(fc.nat(), oddValue), { maxLength: 3 }),
        fc.option(fc.string({ maxLength: 4 })),
        (which, edits, extra) => {
          const raw = mutate(records[which]!, edits, extra);
          const fast = parseAteraRecord(resource, structuredClone(raw));
          const zod = parseAteraRecordWithZod(resource, structuredClone(raw));
          expect(fast.success).toBe(zod.success);
          if (fast.success && zod.success) {
            expect(fast.data).toEqual(zod.data);
            expect(Object.keys(fast.data as object).sort()).toEqual(Object.keys(zod.data as object).sort());
            accepted++;
          } else rejected++;
        },
      ),
      { numRuns: 600, seed: 4242 },
    );
    // Both outcomes must actually be exercised, or the comparison proves little.
    expect(accepted).toBeGreaterThan(50);
    expect(rejected).toBeGreaterThan(50);
  });

  it('every unmodified simulator record takes the fast path and equals zod’s output', () => {
    for (const [resource, records] of bases) {
      for (const raw of records) {
        const zod = parseAteraRecordWithZod(resource, structuredClone(raw));
        expect(zod.success).toBe(true);
        expect(fastCheckOf(resource.schema)(structuredClone(raw))).toBeDefined();
        expect(parseAteraRecord(resource, structuredClone(raw))).toEqual(zod);
      }
    }
  });
});
