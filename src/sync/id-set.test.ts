import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExternalIdSet } from './id-set.js';

describe('ExternalIdSet', () => {
  it('answers like a Set of the ids as strings, whatever the order of adds and lookups', () => {
    const id = fc.oneof(
      fc.integer({ min: -5, max: 3000 }),
      fc.integer({ min: 0, max: 3000 }).map(String),
      fc.constantFrom('07', '7.0', 'abc', '', ' 7', '9007199254740993', '1e3'),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), id), { maxLength: 400 }), (ops) => {
        const set = new ExternalIdSet();
        const reference = new Set<string>();
        for (const [isAdd, value] of ops) {
          if (isAdd) {
            set.add(value);
            reference.add(String(value));
          } else {
            expect(set.has(String(value))).toBe(reference.has(String(value)));
          }
        }
        expect(set.size).toBe(reference.size);
        for (const v of reference) expect(set.has(v)).toBe(true);
      }),
    );
  });

  it('holds 100,000 ids added out of order and finds each once', () => {
    const set = new ExternalIdSet();
    for (let i = 100_000; i > 0; i--) set.add(i * 3);
    set.add(300);
    expect(set.size).toBe(100_000);
    expect(set.has('3')).toBe(true);
    expect(set.has('300000')).toBe(true);
    expect(set.has('4')).toBe(false);
    expect(set.has('03')).toBe(false);
  });
});
