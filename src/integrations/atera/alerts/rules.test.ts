import { describe, expect, it } from 'vitest';
import type { AteraAlert } from '../client/index.js';
import { conditionKey, decide, heldByFlapDelay, inMaintenance, ticketText } from './rules.js';

const alert = (over: Partial<AteraAlert> = {}): AteraAlert =>
  ({
    AlertID: 1,
    Code: 77,
    Title: 'Disk C: low',
    Severity: 'Warning',
    Created: '2026-05-01T10:00:00',
    AlertCategoryID: 'Disk',
    AlertMessage: 'Free 3%',
    DeviceName: 'PC-1',
    CustomerName: 'Acme',
    AgentId: 5,
    CustomerID: 9,
    AdditionalInfo: null,
    ...over,
  }) as AteraAlert;
const rules = {
  Information: { create_ticket: false, priority_id: 4 },
  Warning: { create_ticket: true, priority_id: 3 },
  Critical: { create_ticket: true, priority_id: 1 },
};
const now = new Date('2026-05-01T10:10:00Z');
const base = {
  rules,
  windows: [],
  flapMinutes: 0,
  clientId: 3,
  siteId: 30,
  now,
  firstSeen: now,
  openTicketForCondition: null,
};

describe('alert rules', () => {
  it('condition key: code, else title', () => {
    expect(conditionKey(alert())).toBe('code:77');
    expect(conditionKey(alert({ Code: null, Title: '  Disk C: LOW ' }))).toBe('title:disk c: low');
  });

  const cases: [string, Parameters<typeof decide>[0], Record<string, unknown>][] = [
    ['severity rule: record only', { ...base, alert: alert({ Severity: 'Information' }) }, { kind: 'record' }],
    [
      'severity rule: ticket with its priority',
      { ...base, alert: alert({ Severity: 'Critical' }) },
      { kind: 'ticket', priorityId: 1 },
    ],
    [
      'unknown severity still makes a ticket',
      { ...base, alert: alert({ Severity: null }) },
      { kind: 'ticket', priorityId: null },
    ],
    [
      'maintenance window on the site holds it',
      {
        ...base,
        alert: alert(),
        windows: [{ site_id: 30, starts_at: '2026-05-01T09:00:00Z', ends_at: '2026-05-01T11:00:00Z' }],
      },
      { kind: 'hold' },
    ],
    [
      'window on the customer holds it',
      {
        ...base,
        alert: alert(),
        windows: [{ client_id: 3, starts_at: '2026-05-01T09:00:00Z', ends_at: '2026-05-01T11:00:00Z' }],
      },
      { kind: 'hold' },
    ],
    [
      'window over does not hold',
      {
        ...base,
        alert: alert(),
        windows: [{ site_id: 30, starts_at: '2026-05-01T08:00:00Z', ends_at: '2026-05-01T10:10:00Z' }],
      },
      { kind: 'ticket' },
    ],
    [
      'flap delay holds a young alert',
      { ...base, alert: alert({ Created: '2026-05-01T10:08:00' }), flapMinutes: 5 },
      { kind: 'hold' },
    ],
    [
      'flap delay passed → ticket',
      { ...base, alert: alert({ Created: '2026-05-01T10:00:00' }), flapMinutes: 5 },
      { kind: 'ticket' },
    ],
    [
      'open ticket for the same condition → dedupe',
      { ...base, alert: alert(), openTicketForCondition: 12 },
      { kind: 'dedupe', ticketId: 12 },
    ],
  ];
  for (const [name, input, expected] of cases) it(name, () => expect(decide(input)).toMatchObject(expected));

  it('flap delay uses first sight when Atera gives no created time', () => {
    expect(heldByFlapDelay({ Created: null }, 5, now, new Date('2026-05-01T10:07:00Z'))?.toISOString()).toBe(
      '2026-05-01T10:12:00.000Z',
    );
  });

  it('a site window does not cover other sites of the customer', () => {
    expect(
      inMaintenance([{ site_id: 31, starts_at: '2026-05-01T09:00:00Z', ends_at: '2026-05-01T11:00:00Z' }], 3, 30, now),
    ).toBeNull();
  });

  it('ticket text carries message, severity, category, device, customer, created and the alert id', () => {
    const t = ticketText(alert());
    expect(t.summary).toBe('Disk C: low');
    for (const s of ['Free 3%', 'Warning', 'Disk', 'PC-1', 'Acme', '2026-05-01T10:00:00', 'Atera alert id: 1'])
      expect(t.details).toContain(s);
  });
});
