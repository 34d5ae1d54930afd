import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ALERT_CATEGORIES,
  ALERT_SEVERITIES,
  ALERT_STATUSES,
  agentResource,
  ateraAgentSchema,
  ateraAlertSchema,
  ateraContactSchema,
  ateraCustomerSchema,
  ateraEnvelopeSchema,
  parseAteraRecord,
  parseAteraTimestamp,
} from './schemas.js';

const FIELDS = JSON.parse(
  readFileSync(new URL('../../../../test/fixtures/atera-fields.json', import.meta.url), 'utf8'),
) as Record<string, Record<string, unknown>>;
const published = (resource: string): string[] => Object.keys(FIELDS[resource]!).filter((k) => k !== 'nullable');

describe('schemas follow Atera’s published field lists', () => {
  it.each([
    ['customers', ateraCustomerSchema],
    ['agents', ateraAgentSchema],
    ['alerts', ateraAlertSchema],
    ['contacts', ateraContactSchema],
  ] as const)('%s: same field names, byte for byte', (resource, schema) => {
    expect(Object.keys(schema.shape).sort()).toEqual(published(resource).sort());
  });

  it('envelope and enums match', () => {
    expect(Object.keys(ateraEnvelopeSchema.shape).sort()).toEqual(
      Object.keys(FIELDS.pagination!)
        .filter((k) => !['nullable', 'query', 'end_of_list'].includes(k))
        .sort(),
    );
    const enums = FIELDS.enums as Record<string, string[]>;
    expect([...ALERT_SEVERITIES]).toEqual(enums.AlertSeverity);
    expect([...ALERT_CATEGORIES]).toEqual(enums.AlertCategory);
    expect([...ALERT_STATUSES]).toEqual(enums.AlertStatus);
  });
});

describe('record parsing', () => {
  it('turns null and missing optional fields into null and drops unknown keys', () => {
    const result = parseAteraRecord(agentResource, { AgentID: 7, Monitored: true, OSType: null, SomethingNew: 1 });
    if (!result.success) throw new Error('expected success');
    const parsed = result.data;
    expect(Object.keys(parsed).sort()).toEqual(Object.keys(ateraAgentSchema.shape).sort());
    expect(parsed.AgentID).toBe(7);
    expect(parsed.OSType).toBeNull();
    expect(parsed.MachineName).toBeNull();
    expect('SomethingNew' in parsed).toBe(false);
  });

  it('requires the primary key and Monitored, rejects wrong types and unknown enum values', () => {
    expect(ateraAgentSchema.safeParse({ Monitored: true }).success).toBe(false);
    expect(ateraAgentSchema.safeParse({ AgentID: 1 }).success).toBe(false);
    expect(ateraAgentSchema.safeParse({ AgentID: 1, Monitored: true, Memory: '16 GB' }).success).toBe(false);
    expect(ateraAlertSchema.safeParse({ AlertID: 1, Severity: 'Urgent' }).success).toBe(false);
    expect(ateraAlertSchema.parse({ AlertID: 1, Severity: 'Critical', AlertCategoryID: 'Disk' }).Severity).toBe(
      'Critical',
    );
    const badDate = ateraCustomerSchema.safeParse({ CustomerID: 1, CreatedOn: '27/09/2026' });
    expect(badDate.error?.issues[0]?.path).toEqual(['CreatedOn']);
    expect(badDate.error?.issues[0]?.message).toMatch(/expected an ISO-8601 date-time/);
  });

  it('accepts every timestamp form Atera sends', () => {
    for (const ts of [
      '2026-09-27T10:15:00.123',
      '2021-03-27T00:22:14',
      '2026-09-27T10:15:00.1234567',
      '2026-09-27T10:15:00Z',
      '2026-09-27',
    ]) {
      expect(ateraCustomerSchema.safeParse({ CustomerID: 1, CreatedOn: ts }).success, ts).toBe(true);
    }
  });
});

describe('parseAteraTimestamp', () => {
  it('reads offset-less values as UTC unless told otherwise', () => {
    expect(parseAteraTimestamp('2026-09-27T10:15:00.123')?.toISOString()).toBe('2026-09-27T10:15:00.123Z');
    expect(parseAteraTimestamp('2026-09-27T10:15:00.1234567')?.toISOString()).toBe('2026-09-27T10:15:00.123Z');
    expect(parseAteraTimestamp('2021-03-27T00:22:14')?.toISOString()).toBe('2021-03-27T00:22:14.000Z');
    expect(parseAteraTimestamp('2026-09-27T10:15:00', { assumeOffsetMinutes: 120 })?.toISOString()).toBe(
      '2026-09-27T08:15:00.000Z',
    );
    expect(parseAteraTimestamp('2026-09-27T10:15:00+02:00')?.toISOString()).toBe('2026-09-27T08:15:00.000Z');
    expect(parseAteraTimestamp('2026-09-27T10:15:00Z', { assumeOffsetMinutes: 120 })?.toISOString()).toBe(
      '2026-09-27T10:15:00.000Z',
    );
    expect(parseAteraTimestamp('yesterday')).toBeNull();
    expect(parseAteraTimestamp(null)).toBeNull();
  });
});
