import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toIsoTimestamp } from './database.js';

/** The conversion through Date that the fast path must match exactly. */
function viaDate(text: string): string {
  let s = text.replace(' ', 'T');
  if (/[+-]\d\d$/.test(s)) s += ':00';
  else if (!/(Z|[+-]\d\d:\d\d)$/.test(s)) s += 'Z';
  return new Date(s).toISOString();
}

describe('toIsoTimestamp', () => {
  it('gives what Date gives for every form PostgreSQL sends (UTC session, 0-6 fraction digits, with or without +00)', () => {
    const pad = (n: number, w: number) => String(n).padStart(w, '0');
    fc.assert(
      fc.property(
        fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: 999_999 }),
        fc.constantFrom('+00', '', '+02', '-05:30'),
        (d, digits, micros, zone) => {
          const base = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)} ${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
          const text = `${base}${digits ? `.${pad(micros, 6).slice(0, digits)}` : ''}${zone}`;
          expect(toIsoTimestamp(text)).toBe(viaDate(text));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
