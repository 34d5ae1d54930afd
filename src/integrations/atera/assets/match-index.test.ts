import { describe, expect, it } from 'vitest';
import { MatchIndex } from './match-index.js';

describe('MatchIndex.place', () => {
  const unlinked = (id: number) => ({ id, external_id: null });

  it('moves an asset from its old value to its new one, linked to the agent', () => {
    const index = new MatchIndex();
    index.add('old', unlinked(5));
    index.add('new', unlinked(9));
    index.place(5, '100', 'old', 'new');
    expect(index.get('old')).toBeUndefined();
    expect(index.get('new')).toEqual([unlinked(9), { id: 5, external_id: '100' }]);
  });

  it('links an asset whose value stays, leaving the others that share it', () => {
    const index = new MatchIndex();
    index.add('v', unlinked(5));
    index.add('v', unlinked(6));
    index.place(5, '100', 'v', 'v');
    expect(index.get('v')).toEqual([{ id: 5, external_id: '100' }, unlinked(6)]);
  });

  it('drops an asset left without a value, and keeps a shared value with the rest', () => {
    const index = new MatchIndex();
    index.add('v', unlinked(5));
    index.add('v', unlinked(6));
    index.place(5, '100', 'v', null);
    expect(index.get('v')).toEqual([unlinked(6)]);
  });

  it('is idempotent: placing again, or into an index that already holds the result, changes nothing', () => {
    const index = new MatchIndex();
    index.add('new', { id: 5, external_id: '100' });
    index.place(5, '100', 'old', 'new');
    index.place(5, '100', 'old', 'new');
    expect(index.get('new')).toEqual([{ id: 5, external_id: '100' }]);
    expect(index.get('old')).toBeUndefined();
  });
});
