import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { describeEachDb } from '../helpers/db.js';
import { HOSTILE_STRINGS } from './support.js';

/**
 * Stored text comes back exactly: arbitrary unicode (graphemes, astral planes, combining marks, RTL
 * overrides, zero-width joiners), HTML and SQL, written through the API and read back byte for byte.
 * Names and summaries are trimmed on purpose (Halo trims them too); every other text field is verbatim.
 * What PostgreSQL cannot store (NUL, unpaired UTF-16 surrogates) is refused with a 400 naming the
 * field rather than stored altered.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_260_102);
const RUNS = Number(process.env.FUZZ_RUNS ?? 25);

/** Text PostgreSQL can hold: no NUL, no lone surrogate (both are refused, tested below). */
const storable = (s: string) => !/[\0\p{Cs}]/u.test(s);

const anyText = (maxLength: number) =>
  fc
    .oneof(
      fc.string({ unit: 'grapheme', maxLength }),
      fc.string({ unit: 'grapheme-composite', maxLength }),
      fc.string({ unit: 'binary', maxLength }),
      fc.constantFrom(...HOSTILE_STRINGS),
      fc
        .tuple(fc.constantFrom(...HOSTILE_STRINGS), fc.string({ unit: 'grapheme', maxLength: 20 }))
        .map(([a, b]) => a + b),
    )
    .filter((s) => storable(s) && s.length <= maxLength);

/** Names are trimmed; one must remain. */
const nameText = anyText(200).filter((s) => s.trim().length > 0);

/**
 * Known limitation of the embedded database: PGlite decodes each text value with a default
 * TextDecoder, which drops one leading U+FEFF (byte order mark) from it. The value is stored intact
 * (length() counts it) and PostgreSQL returns it; only PGlite's reading loses it. Any other position is exact.
 */
const bomLost = (backend: string) => (s: string) => (backend === 'pglite' ? s.replace(/^\uFEFF/, '') : s);

const sameBytes = (actual: unknown, expected: string) => {
  expect(typeof actual).toBe('string');
  expect(
    Buffer.from(actual as string, 'utf8').equals(Buffer.from(expected, 'utf8')),
    `${JSON.stringify(actual)} !== ${JSON.stringify(expected)}`,
  ).toBe(true);
};

describeEachDb('fuzz: stored text is returned exactly', (ctx) => {
  let t: TestApp;
  let assetTypeId: number;
  const stored = (s: string) => bomLost(ctx.backend)(s);
  beforeAll(async () => {
    t = await startTestApp(ctx.database, { jobs: false });
    assetTypeId = (await t.call('POST', '/api/AssetType', [{ name: 'Roundtrip type', assetgroup_id: 1 }])).body.id;
  });
  afterAll(() => t?.close());

  it('customers: name (trimmed), notes and website; found again by searching for the name', async () => {
    await fc.assert(
      fc.asyncProperty(nameText, anyText(2000), anyText(255), async (name, notes, website) => {
        const created = await t.call('POST', '/api/Client', [{ name, notes, website }]);
        expect(created.status, JSON.stringify(created.body)).toBe(200);
        const read = (await t.call('GET', `/api/Client/${created.body.id}`)).body;
        sameBytes(read.name, stored(name.trim()));
        sameBytes(read.notes, stored(notes));
        sameBytes(read.website, stored(website));
        const found = await t.call('GET', `/api/Client?search=${encodeURIComponent(name.trim())}&count=5000`);
        expect(found.status).toBe(200);
        expect(found.body.clients.map((c: { id: number }) => c.id)).toContain(created.body.id);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('tickets and notes: summary (trimmed), details, action note and outcome', async () => {
    await fc.assert(
      fc.asyncProperty(
        nameText,
        anyText(5000),
        anyText(5000),
        anyText(255),
        async (summary, details, note, outcome) => {
          const ticket = await t.call('POST', '/api/Tickets', [{ summary, details }]);
          expect(ticket.status, JSON.stringify(ticket.body)).toBe(200);
          const action = await t.call('POST', '/api/Actions', [{ ticket_id: ticket.body.id, note, outcome }]);
          expect(action.status, JSON.stringify(action.body)).toBe(200);
          const readTicket = (await t.call('GET', `/api/Tickets/${ticket.body.id}`)).body;
          sameBytes(readTicket.summary, stored(summary.trim()));
          sameBytes(readTicket.details, stored(details));
          const actions = (await t.call('GET', `/api/Actions?ticket_id=${ticket.body.id}`)).body;
          const list = Array.isArray(actions) ? actions : actions.actions;
          const mine = list.find((a: { id: number }) => a.id === action.body.id);
          sameBytes(mine.note, stored(note));
          sameBytes(mine.outcome, stored(outcome));
        },
      ),
      { numRuns: RUNS, seed: SEED + 1 },
    );
  });

  it('sites, end users and assets keep their text', async () => {
    const client = (await t.call('POST', '/api/Client', [{ name: 'Roundtrip Co' }])).body;
    await fc.assert(
      fc.asyncProperty(nameText, anyText(1000), anyText(100), anyText(2000), async (name, address, inv, notes) => {
        const site = await t.call('POST', '/api/Site', [{ name, client_id: client.id, address, notes }]);
        expect(site.status, JSON.stringify(site.body)).toBe(200);
        const user = await t.call('POST', '/api/Users', [{ name, client_id: client.id, notes, emailaddress: inv }]);
        expect(user.status, JSON.stringify(user.body)).toBe(200);
        const asset = await t.call('POST', '/api/Asset', [
          { inventory_number: inv, client_id: client.id, assettype_id: assetTypeId, notes },
        ]);
        expect(asset.status, JSON.stringify(asset.body)).toBe(200);
        const s = (await t.call('GET', `/api/Site/${site.body.id}`)).body;
        sameBytes(s.name, stored(name.trim()));
        sameBytes(s.address, stored(address));
        sameBytes(s.notes, stored(notes));
        const u = (await t.call('GET', `/api/Users/${user.body.id}`)).body;
        sameBytes(u.notes, stored(notes));
        sameBytes(u.emailaddress, stored(inv));
        const a = (await t.call('GET', `/api/Asset/${asset.body.id}`)).body;
        sameBytes(a.inventory_number, stored(inv));
        sameBytes(a.notes, stored(notes));
      }),
      { numRuns: RUNS, seed: SEED + 2 },
    );
  });

  it('custom field values and Atera placeholder settings keep their text', async () => {
    const field = (
      await t.call('POST', '/api/FieldInfo', [{ name: 'roundtrip', label: 'Roundtrip', usage: 'client', type: 'text' }])
    ).body;
    await fc.assert(
      fc.asyncProperty(
        anyText(2000).filter((s) => s !== ''),
        fc.array(anyText(200), { maxLength: 5 }),
        async (value, placeholders) => {
          const c = await t.call('POST', '/api/Client', [{ name: 'Custom', customfields: [{ id: field.id, value }] }]);
          expect(c.status, JSON.stringify(c.body)).toBe(200);
          const read = (await t.call('GET', `/api/Client/${c.body.id}`)).body;
          // jsonb: the value sits inside a JSON document, so no leading-BOM loss even on PGlite.
          sameBytes(read.customfields.find((f: { id: number }) => f.id === field.id)?.value, value);
          const saved = await t.call('POST', '/api/Integration/Atera', { atera_placeholders: placeholders });
          expect(saved.status, JSON.stringify(saved.body)).toBe(200);
          const settings = (await t.call('GET', '/api/Integration/Atera')).body;
          expect(settings.atera_placeholders).toHaveLength(placeholders.length);
          for (const [i, p] of placeholders.entries()) sameBytes(settings.atera_placeholders[i], p);
        },
      ),
      { numRuns: RUNS, seed: SEED + 3 },
    );
  });

  it('refuses text PostgreSQL cannot store (NUL, unpaired surrogates) with a 400 naming the field, never a 500', async () => {
    const ticket = (await t.call('POST', '/api/Tickets', [{ summary: 'For notes' }])).body;
    const cases: [string, unknown, string][] = [
      ['/api/Client', [{ name: 'a\u0000b' }], 'body[0].name'],
      ['/api/Client', [{ name: 'ok', notes: 'x\uD800y' }], 'body[0].notes'],
      ['/api/Tickets', [{ summary: 'ok', details: '\u0000' }], 'body[0].details'],
      ['/api/Actions', [{ ticket_id: ticket.id, note: 'lone \uDFFF' }], 'body[0].note'],
      ['/api/Site', [{ name: '\u0000', client_id: 1 }], 'body[0].name'],
    ];
    for (const [path, body, field] of cases) {
      const res = await t.call('POST', path, body);
      expect(res.status, `${path} ${JSON.stringify(res.body)}`).toBe(400);
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(field);
    }
    // Fields not declared with the shared text type (custom field values, settings in jsonb) still get a 400.
    const field = (
      await t.call('POST', '/api/FieldInfo', [{ name: 'nul', label: 'Nul', usage: 'client', type: 'text' }])
    ).body;
    const before = (await t.call('GET', '/api/Integration/Atera')).body;
    for (const [path, body] of [
      ['/api/Client', [{ name: 'cf', customfields: [{ id: field.id, value: 'a\u0000b' }] }]],
      ['/api/Client', [{ name: 'cf', customfields: [{ id: field.id, value: '\uD800' }] }]],
      ['/api/Integration/Atera', { atera_placeholders: ['a\u0000b'] }],
      ['/api/Integration/Atera', { atera_placeholders: ['\uDC00'] }],
    ] as const) {
      const res = await t.call('POST', path, body);
      expect(res.status, `${path} ${JSON.stringify(res.body)}`).toBe(400);
    }
    expect((await t.call('GET', '/api/Integration/Atera')).body).toEqual(before);
  });
});
