import { describe, expect, it } from 'vitest';
import {
  type AssetCandidate,
  type CustomerCandidate,
  type CustomerIndex,
  foldName,
  matchAsset,
  matchCustomer,
} from './matching.js';

const cand = (client_id: number, name: string, linked_to: string | null = null): CustomerCandidate => ({
  client_id,
  name,
  main_site_id: client_id * 10,
  linked_to,
});

function index(cands: CustomerCandidate[], mappings: [string, number, number][] = []): CustomerIndex {
  const byName = new Map<string, CustomerCandidate[]>();
  const byFoldedName = new Map<string, CustomerCandidate[]>();
  const linked = new Map<string, CustomerCandidate>();
  for (const c of cands) {
    byName.set(c.name, [...(byName.get(c.name) ?? []), c]);
    byFoldedName.set(foldName(c.name), [...(byFoldedName.get(foldName(c.name)) ?? []), c]);
    if (c.linked_to) linked.set(c.linked_to, c);
  }
  return {
    mappings: new Map(mappings.map(([ext, site, client]) => [ext, { site_id: site, client_id: client }])),
    linked,
    byName,
    byFoldedName,
  };
}

describe('matchCustomer', () => {
  const cases: { name: string; ext: string; atera: string; idx: CustomerIndex; expect: Record<string, unknown> }[] = [
    {
      name: 'mapping wins over everything',
      ext: '7',
      atera: 'Acme',
      idx: index([cand(1, 'Acme')], [['7', 55, 5]]),
      expect: { rule: 'mapping', outcome: 'link', client_id: 5, site_id: 55 },
    },
    {
      name: 'already linked',
      ext: '7',
      atera: 'Renamed',
      idx: index([cand(2, 'Old', '7')]),
      expect: { rule: 'linked', outcome: 'link', client_id: 2, site_id: 20 },
    },
    {
      name: 'zero exact matches, nothing similar → create',
      ext: '7',
      atera: 'Acme',
      idx: index([cand(1, 'Other')]),
      expect: { rule: 'none', outcome: 'create' },
    },
    {
      name: 'one exact match → link to its main site',
      ext: '7',
      atera: 'Acme',
      idx: index([cand(1, 'Acme')]),
      expect: { rule: 'name', outcome: 'link', client_id: 1, site_id: 10 },
    },
    {
      name: 'several exact matches → conflict',
      ext: '7',
      atera: 'Acme',
      idx: index([cand(1, 'Acme'), cand(2, 'Acme')]),
      expect: { rule: 'name', outcome: 'conflict' },
    },
    {
      name: 'exact match already linked elsewhere is not a candidate',
      ext: '7',
      atera: 'Acme',
      idx: index([cand(1, 'Acme', '8')]),
      expect: { rule: 'none', outcome: 'create' },
    },
    {
      name: 'case/space/accent differences → suggestion only',
      ext: '7',
      atera: ' ACMÉ  ',
      idx: index([cand(1, 'acme')]),
      expect: { rule: 'none', outcome: 'suggest' },
    },
    {
      name: 'no name → create',
      ext: '7',
      atera: '',
      idx: index([cand(1, '')]),
      expect: { rule: 'none', outcome: 'create' },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(matchCustomer(c.ext, c.atera || null, c.idx)).toMatchObject(c.expect);
    });
  }
});

describe('matchAsset', () => {
  const placeholders = new Set(['', 'to be filled by o.e.m.', 'default string', '0']);
  const byExt = new Map([['100', 1]]);
  const byValue = new Map<string, AssetCandidate[]>([
    ['sn-1', [{ id: 2, external_id: null }]],
    [
      'sn-dup',
      [
        { id: 3, external_id: null },
        { id: 4, external_id: null },
      ],
    ],
    ['sn-other', [{ id: 5, external_id: '999' }]],
    ['to be filled by o.e.m.', [{ id: 6, external_id: null }]],
  ]);
  const cases: [string, string, string | null, Record<string, unknown>][] = [
    [
      'stored Atera id first, even when the field would match another asset',
      '100',
      'SN-1',
      { rule: 'external_id', outcome: 'update', asset_id: 1 },
    ],
    [
      'one asset with the matching value → update it',
      '101',
      'SN-1',
      { rule: 'matching_field', outcome: 'update', asset_id: 2 },
    ],
    [
      'matching is case and space insensitive',
      '101',
      '  sn-1 ',
      { rule: 'matching_field', outcome: 'update', asset_id: 2 },
    ],
    ['no asset with the value → create', '101', 'SN-NEW', { rule: 'none', outcome: 'create' }],
    ['several assets with the value → conflict', '101', 'SN-DUP', { rule: 'matching_field', outcome: 'conflict' }],
    [
      'the only match is linked to another agent → conflict',
      '101',
      'SN-OTHER',
      { rule: 'matching_field', outcome: 'conflict' },
    ],
    ['placeholder never matches → create', '101', 'To be filled by O.E.M.', { rule: 'none', outcome: 'create' }],
    ['"0" is a placeholder', '101', '0', { rule: 'none', outcome: 'create' }],
    ['no value → create', '101', null, { rule: 'none', outcome: 'create' }],
  ];
  for (const [name, ext, value, expected] of cases) {
    it(name, () => {
      expect(matchAsset(ext, value, byExt, byValue, placeholders)).toMatchObject(expected);
    });
  }
});
