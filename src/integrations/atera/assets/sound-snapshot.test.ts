import { describe, expect, it } from 'vitest';
import { HASH_WIDTH, SoundSnapshot } from './device-hash.js';
import { snapshotOf } from './lookups.js';

const hashOf = (i: number) => `h${String(i).padStart(HASH_WIDTH - 1, '0')}`;

describe('the sound-link snapshot', () => {
  it('finds the hash of every id, and nothing for other ids or other hashes', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => 100_000 + i * 7919);
    const s = snapshotOf(ids.join(','), ids.map(hashOf).join(''));
    expect(s.size).toBe(ids.length);
    for (const id of ids) {
      expect(s.matches(id, hashOf(id))).toBe(true);
      expect(s.matches(id, hashOf(id + 1))).toBe(false);
      expect(s.matches(id + 1, hashOf(id))).toBe(false);
    }
    // A prefix or a longer string is not the hash.
    expect(s.matches(ids[0]!, hashOf(ids[0]!).slice(0, -1))).toBe(false);
    expect(s.matches(ids[0]!, `${hashOf(ids[0]!)}x`)).toBe(false);
    // Ids above 2^32 hash on both halves.
    const big = snapshotOf(`${2 ** 40 + 1},${2 ** 40 + 2}`, hashOf(1) + hashOf(2));
    expect(big.matches(2 ** 40 + 1, hashOf(1))).toBe(true);
    expect(big.matches(2 ** 40 + 2, hashOf(2))).toBe(true);
    expect(big.matches(1, hashOf(1))).toBe(false);
  });

  it('leaves out ids that are not plain AgentIDs, with their hashes, and keeps the rest paired', () => {
    const idText = ['101', '0102', 'abc', '', '1234567890123456', '-5', '7 ', '103'].join(',');
    const hashes = [1, 2, 3, 4, 5, 6, 7, 8].map(hashOf).join('');
    const s = snapshotOf(idText, hashes);
    expect(s.size).toBe(2);
    expect(s.matches(101, hashOf(1))).toBe(true);
    expect(s.matches(103, hashOf(8))).toBe(true);
    expect(s.matches(102, hashOf(2))).toBe(false);
    expect(s.matches(7, hashOf(7))).toBe(false);
  });

  it('an empty snapshot matches nothing; ids and hashes that do not pair up are refused', () => {
    expect(snapshotOf('', '').matches(1, hashOf(1))).toBe(false);
    expect(() => snapshotOf('1,2', hashOf(1))).toThrow(/differ/);
    expect(() => new SoundSnapshot(Float64Array.of(1), '')).toThrow(/differ/);
  });
});
