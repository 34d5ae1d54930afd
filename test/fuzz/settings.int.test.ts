import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { describeEachDb } from '../helpers/db.js';
import { fingerprint } from './support.js';

/**
 * Atera settings are all or nothing: a body with anything wrong in it (an unknown site, a bad field
 * mapping, an unknown key, a wrong type...) is refused with a 400 that says what is wrong, and the
 * settings before it, the stored API key included, stay exactly as they were, even when the same body
 * also carries valid changes and a new key.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_260_103);
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);

describeEachDb('fuzz: invalid Atera settings change nothing', (ctx) => {
  let t: TestApp;
  let site: number;
  let clientField: number;
  let assetField: number;

  beforeAll(async () => {
    t = await startTestApp(ctx.database, { jobs: false });
    const client = (await t.call('POST', '/api/Client', [{ name: 'Settings Co' }])).body;
    site = client.main_site_id;
    clientField = (await t.call('POST', '/api/FieldInfo', [{ name: 'c1', label: 'C1', usage: 'client' }])).body.id;
    assetField = (await t.call('POST', '/api/FieldInfo', [{ name: 'a1', label: 'A1', usage: 'asset' }])).body.id;
    // A configuration worth keeping: the property checks it survives every refused body.
    const saved = await t.call('POST', '/api/Integration/Atera', {
      atera_enabled: true,
      atera_url: 'https://app.atera.com',
      atera_apikey: 'the-saved-key',
      atera_sitemappings: [{ site_id: site, atera_customer_id: 42 }],
      atera_fieldmappings: [{ atera_field: 'MachineName', field_type: 'custom_field', field_id: assetField }],
      atera_placeholders: ['Unknown'],
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  });
  afterAll(() => t?.close());

  /** Valid changes that must not be saved when another part of the body is wrong. */
  const validPart = () =>
    fc.record(
      {
        atera_enabled: fc.boolean(),
        atera_apikey: fc
          .string({ minLength: 1, maxLength: 40 })
          .filter((s) => s.trim() !== '' && !/[\0\p{Cs}]/u.test(s)),
        atera_placeholders: fc.array(
          fc.string({ maxLength: 20 }).filter((s) => !/[\0\p{Cs}]/u.test(s)),
          { maxLength: 3 },
        ),
        atera_requests_per_minute: fc.integer({ min: 1, max: 1000 }),
        atera_schedule_customers: fc.constantFrom('1h', '30m', '0 3 * * *'),
        atera_sitemappings: fc.constant([{ site_id: site, atera_customer_id: 43 }]),
        atera_delete_devices: fc.boolean(),
      },
      { requiredKeys: [] },
    );

  /** One wrong thing, with the field path the refusal must name (null: any path). */
  const invalidPart = (): fc.Arbitrary<[Record<string, unknown>, string | null]> =>
    fc.oneof(
      fc.constantFrom<[Record<string, unknown>, string | null]>(
        [{ atera_sitemappings: [{ site_id: 999_999, atera_customer_id: 5 }] }, 'atera_sitemappings[0].site_id'],
        [
          {
            atera_sitemappings: [
              { site_id: site, atera_customer_id: 7 },
              { site_id: site, atera_customer_id: 7 },
            ],
          },
          'atera_sitemappings[1].atera_customer_id',
        ],
        [{ atera_sitemappings: [{ site_id: -1, atera_customer_id: 5 }] }, 'atera_sitemappings'],
        [
          { atera_fieldmappings: [{ atera_field: 'NotAnAteraField', field_type: 'asset_field', field_id: 1 }] },
          'atera_fieldmappings',
        ],
        [
          { atera_fieldmappings: [{ atera_field: 'MachineName', field_type: 'asset_field', field_id: 999_999 }] },
          'atera_fieldmappings[0].field_id',
        ],
        [
          {
            atera_fieldmappings: [
              { atera_field: 'MachineName', field_type: 'custom_field', field_id: 'inventory_number' },
            ],
          },
          'atera_fieldmappings[0].field_id',
        ],
        [
          { atera_fieldmappings: [{ atera_field: 'OS', field_type: 'custom_field', field_id: 999_999 }] },
          'atera_fieldmappings[0].field_id',
        ],
        [
          { atera_fieldmappings: [{ atera_field: 'OS', field_type: 'spreadsheet', field_id: 1 }] },
          'atera_fieldmappings',
        ],
        [{ atera_defaultsite: 999_999 }, 'atera_defaultsite'],
        [{ atera_toplevel: 999_999 }, 'atera_toplevel'],
        [{ atera_defaultgroup: 999_999 }, 'atera_defaultgroup'],
        [{ atera_matchingfield: 999_999 }, 'atera_matchingfield'],
        [{ atera_devicetypes: ['Toaster'] }, 'atera_devicetypes[0]'],
        [{ atera_schedule_timezone: 'Mars/Olympus_Mons' }, 'atera_schedule_timezone'],
        [{ atera_schedule_alerts: '1s' }, 'atera_schedule_alerts'],
        [{ atera_schedule_assets: 'every blue moon' }, 'atera_schedule_assets'],
        [{ atera_alert_method: 'nhserver' }, 'atera_alert_method'],
        [{ atera_alert_type: 999_999 }, 'atera_alert_type'],
        [{ atera_alert_user: 999_999 }, 'atera_alert_user'],
        [
          { atera_alert_severity_rules: { Critical: { create_ticket: true, priority_id: 999_999 } } },
          'atera_alert_severity_rules.Critical.priority_id',
        ],
        [
          { atera_alert_severity_rules: { Catastrophic: { create_ticket: true, priority_id: 1 } } },
          'atera_alert_severity_rules',
        ],
        [
          {
            atera_maintenance_windows: [
              { site_id: 999_999, starts_at: '2026-01-01T00:00:00Z', ends_at: '2026-01-02T00:00:00Z' },
            ],
          },
          'atera_maintenance_windows[0].site_id',
        ],
        [
          {
            atera_maintenance_windows: [
              { site_id: site, starts_at: '2026-01-02T00:00:00Z', ends_at: '2026-01-01T00:00:00Z' },
            ],
          },
          'atera_maintenance_windows',
        ],
        [{ atera_bogus_key: true }, null],
        [{ atera_enabled: 'yes' }, 'atera_enabled'],
        [{ atera_url: 'ftp://atera.example' }, 'atera_url'],
        [{ atera_url: 'javascript:alert(1)' }, 'atera_url'],
        [{ atera_requests_per_minute: 0 }, 'atera_requests_per_minute'],
        [{ atera_apikey: 'k'.repeat(5000) }, 'atera_apikey'],
        [{ atera_placeholders: ['a\u0000b'] }, null],
      ),
      // Any known key with a value of the wrong type.
      fc
        .tuple(
          fc.constantFrom(
            'atera_enabled',
            'atera_sitemappings',
            'atera_fieldmappings',
            'atera_devicetypes',
            'atera_timeout_seconds',
            'atera_alert_severity_rules',
          ),
          fc.oneof(fc.constant('text'), fc.constant(-1), fc.constant({ nested: { deeper: [] } }), fc.constant([[[]]])),
        )
        .map(([k, v]): [Record<string, unknown>, string | null] => [{ [k]: v }, k]),
      // A field mapping to a custom field that exists but is not an asset field.
      fc.constant<[Record<string, unknown>, string | null]>([
        { atera_fieldmappings: [{ atera_field: 'OS', field_type: 'custom_field', field_id: clientField }] },
        'atera_fieldmappings[0].field_id',
      ]),
    );

  it('refuses every body with something wrong in it, names the field, and keeps the previous settings and key', async () => {
    const before = (await t.call('GET', '/api/Integration/Atera')).body;
    const stored = await fingerprint(t.ctx.db, ['integration_setting', 'integration_secret', 'schedule_state']);
    await fc.assert(
      fc.asyncProperty(validPart(), invalidPart(), fc.boolean(), async (valid, [invalid, field], validFirst) => {
        const body = validFirst ? { ...valid, ...invalid } : { ...invalid, ...valid, ...invalid };
        const res = await t.call('POST', '/api/Integration/Atera', body);
        expect(res.status, JSON.stringify(res.body)).toBe(400);
        expect(res.body.error.message.length).toBeGreaterThan(0);
        if (field) {
          const paths: string[] = res.body.error.details.map((d: { path: string }) => d.path.replace(/^body\.?/, ''));
          expect(
            paths.some(
              (p) => p === field || p.startsWith(`${field}.`) || p.startsWith(`${field}[`) || field.startsWith(p),
            ),
            `${field} in ${paths.join(', ')}`,
          ).toBe(true);
        }
        expect((await t.call('GET', '/api/Integration/Atera')).body).toEqual(before);
        expect(await fingerprint(t.ctx.db, ['integration_setting', 'integration_secret', 'schedule_state'])).toEqual(
          stored,
        );
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('(control) a valid body does change them, so the property above is not vacuous', async () => {
    const res = await t.call('POST', '/api/Integration/Atera', {
      atera_placeholders: ['Changed'],
      atera_apikey: 'a-new-key',
    });
    expect(res.status).toBe(200);
    expect(res.body.atera_placeholders).toEqual(['Changed']);
  });

  it('a technician cannot change them at all, valid body or not', async () => {
    const before = (await t.call('GET', '/api/Integration/Atera')).body;
    const res = await t.call('POST', '/api/Integration/Atera', { atera_enabled: false }, t.techToken);
    expect(res.status).toBe(403);
    expect((await t.call('GET', '/api/Integration/Atera')).body).toEqual(before);
  });
});
