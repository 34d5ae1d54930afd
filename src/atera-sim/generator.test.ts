import { describe, expect, it } from 'vitest';
import { ateraTimestamp, generateCredentials, generateData, OS_TYPES, PLACEHOLDER_SERIALS } from './generator.js';
import { ALERT_CATEGORIES, ALERT_SEVERITIES } from './types.js';

const now = new Date('2026-09-27T00:00:00Z');
const data = generateData({ seed: 42, customers: 60, agents: 3000, alerts: 200, now });

describe('generateData', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const again = generateData({ seed: 42, customers: 60, agents: 3000, alerts: 200, now });
    expect(JSON.stringify(again)).toBe(JSON.stringify(data));
    const other = generateData({ seed: 43, customers: 60, agents: 3000, alerts: 200, now });
    expect(JSON.stringify(other.agents)).not.toBe(JSON.stringify(data.agents));
    // Growing one count leaves the other entities' streams alone.
    const moreAlerts = generateData({ seed: 42, customers: 60, agents: 3000, alerts: 400, now });
    expect(JSON.stringify(moreAlerts.agents)).toBe(JSON.stringify(data.agents));
  });

  it('makes the counts asked for, with unique ids', () => {
    expect(data.customers).toHaveLength(60);
    expect(data.agents).toHaveLength(3000);
    expect(data.alerts).toHaveLength(200);
    expect(data.contacts).toHaveLength(120);
    for (const [list, key] of [
      [data.customers, 'CustomerID'],
      [data.agents, 'AgentID'],
      [data.alerts, 'AlertID'],
      [data.contacts, 'EndUserID'],
    ] as const) {
      expect(new Set((list as unknown as readonly Record<string, unknown>[]).map((r) => r[key])).size).toBe(
        list.length,
      );
    }
  });

  it('is hostile: accents, emoji, names differing only by case and spaces', () => {
    const names = data.customers.map((c) => c.CustomerName ?? '');
    expect(names.some((n) => /[\u00C0-\u017F]/.test(n))).toBe(true);
    expect(names.some((n) => /\p{Extended_Pictographic}/u.test(n))).toBe(true);
    const folded = names.map((n) => n.toLowerCase().replace(/\s+/g, ''));
    const twins = names.filter((_n, i) => folded.indexOf(folded[i]!) !== i || folded.lastIndexOf(folded[i]!) !== i);
    expect(twins.length).toBeGreaterThanOrEqual(2);
    expect(new Set(twins).size).toBe(twins.length);
  });

  it('has placeholder serials, every OSType, reused machine names and reinstalls under other customers', () => {
    const serials = new Set(data.agents.map((a) => a.VendorSerialNumber));
    for (const s of PLACEHOLDER_SERIALS) expect(serials.has(s)).toBe(true);
    expect(serials.has(null)).toBe(true);
    expect(new Set(data.agents.map((a) => a.OSType))).toEqual(new Set(OS_TYPES));
    const byName = new Map<string, Set<number>>();
    for (const a of data.agents) {
      const set = byName.get(a.MachineName!) ?? new Set();
      set.add(a.CustomerID!);
      byName.set(a.MachineName!, set);
    }
    expect([...byName.values()].some((customers) => customers.size > 1)).toBe(true);
    // One customer in ten has no agents.
    const withAgents = new Set(data.agents.map((a) => a.CustomerID));
    expect(data.customers.filter((c) => !withAgents.has(c.CustomerID)).length).toBeGreaterThan(0);
  });

  it('has null and absent optional fields', () => {
    expect(data.agents.some((a) => a.Online === null)).toBe(true);
    expect(data.agents.some((a) => !('DeviceType' in a))).toBe(true);
    expect(data.customers.some((c) => !('Fax' in c))).toBe(true);
    expect(data.customers.some((c) => c.Latitude === null)).toBe(true);
  });

  it('covers every severity × category, open, snoozed (ending in the future), expired snoozes and resolved', () => {
    const combos = new Set(data.alerts.map((a) => `${a.Severity}/${a.AlertCategoryID}`));
    expect(combos.size).toBe(ALERT_SEVERITIES.length * ALERT_CATEGORIES.length);
    const future = (a: { SnoozedEndDate?: string | null }) => Date.parse(`${a.SnoozedEndDate}Z`) > now.getTime();
    expect(data.alerts.some((a) => a.Archived === true && a.ArchivedDate)).toBe(true);
    expect(
      data.alerts.some(
        (a) => a.SnoozedEndDate && future(a) && Date.parse(`${a.SnoozedEndDate}Z`) > now.getTime() + 86_400_000,
      ),
    ).toBe(true);
    expect(data.alerts.some((a) => a.SnoozedEndDate && !future(a))).toBe(true);
    expect(data.alerts.some((a) => !a.Archived && !a.SnoozedEndDate)).toBe(true);
    // Alerts point at real agents, with the agent's denormalised fields.
    const agents = new Map(data.agents.map((a) => [a.AgentID, a]));
    for (const alert of data.alerts) {
      const agent = agents.get(alert.AgentId!)!;
      expect(alert.DeviceGuid).toBe(agent.DeviceGuid);
      expect(alert.CustomerID).toBe(agent.CustomerID);
    }
  });

  it('writes timestamps without offset, with 0, 3 or 7 fractional digits', () => {
    const stamps = data.agents.flatMap((a) => [a.Created, a.Modified, a.LastSeen]).filter((s): s is string => !!s);
    for (const s of stamps) expect(s).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3}|\.\d{7})?$/);
    expect(stamps.some((s) => s.length === 19)).toBe(true);
    expect(stamps.some((s) => s.length === 23)).toBe(true);
    expect(stamps.some((s) => s.length === 27)).toBe(true);
    expect(ateraTimestamp(Date.parse('2026-09-27T10:15:00.123Z'))).toBe('2026-09-27T10:15:00.123');
  });

  it('derives a 32-hex key and a >100-character bearer token from the seed', () => {
    const a = generateCredentials(42);
    expect(a.apiKey).toMatch(/^[0-9a-f]{32}$/);
    expect(a.bearerToken.length).toBeGreaterThan(100);
    expect(a.bearerToken.split('.')).toHaveLength(3);
    expect(generateCredentials(42)).toEqual(a);
    expect(generateCredentials(43).apiKey).not.toBe(a.apiKey);
  });
});
