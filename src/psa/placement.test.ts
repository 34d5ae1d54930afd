import { describe, expect, it } from 'vitest';
import { type PlacementLookup, resolvePlacement } from './placement.js';

// Client 1 (main site 10, also site 11), client 2 (main site 20).
const lookup: PlacementLookup = {
  sites: new Map([
    [10, { client_id: 1 }],
    [11, { client_id: 1 }],
    [20, { client_id: 2 }],
  ]),
  clients: new Map([
    [1, { main_site_id: 10 }],
    [2, { main_site_id: 20 }],
  ]),
};

describe('resolvePlacement', () => {
  it('takes the client from a site sent alone', () => {
    expect(resolvePlacement({ site_id: 11 }, null, lookup, 'body[0]')).toEqual({ client_id: 1, site_id: 11 });
  });

  it("puts a record sent with a client alone on the client's main site", () => {
    expect(resolvePlacement({ client_id: 2 }, null, lookup, 'body[0]')).toEqual({ client_id: 2, site_id: 20 });
  });

  it('keeps a matching client and site', () => {
    expect(resolvePlacement({ client_id: 1, site_id: 11 }, null, lookup, 'body[0]')).toEqual({
      client_id: 1,
      site_id: 11,
    });
  });

  it('refuses a site of another client, naming site_id', () => {
    expect(() => resolvePlacement({ client_id: 2, site_id: 11 }, null, lookup, 'body[3]')).toThrow(
      /body\[3\]\.site_id: site 11 belongs to client 1, not to client 2/,
    );
  });

  it('refuses unknown ids naming the field', () => {
    expect(() => resolvePlacement({ site_id: 99 }, null, lookup, 'body[0]')).toThrow(/body\[0\]\.site_id/);
    expect(() => resolvePlacement({ client_id: 99 }, null, lookup, 'body[0]')).toThrow(/body\[0\]\.client_id/);
  });

  it('leaves an update that sends neither unchanged, and moves to the main site when only the client changes', () => {
    const current = { client_id: 1, site_id: 11 };
    expect(resolvePlacement({}, current, lookup, 'body[0]')).toEqual(current);
    expect(resolvePlacement({ client_id: 1 }, current, lookup, 'body[0]')).toEqual(current);
    expect(resolvePlacement({ client_id: 2 }, current, lookup, 'body[0]')).toEqual({ client_id: 2, site_id: 20 });
  });

  it('clears the site when the client is cleared, and keeps the client when only the site is cleared', () => {
    const current = { client_id: 1, site_id: 11 };
    expect(resolvePlacement({ client_id: null }, current, lookup, 'body[0]')).toEqual({
      client_id: null,
      site_id: null,
    });
    expect(resolvePlacement({ site_id: null }, current, lookup, 'body[0]')).toEqual({ client_id: 1, site_id: null });
  });

  it('creates a record with neither', () => {
    expect(resolvePlacement({}, null, lookup, 'body[0]')).toEqual({ client_id: null, site_id: null });
  });
});
