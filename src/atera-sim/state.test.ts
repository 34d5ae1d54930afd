import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { SimError, SimState } from './state.js';

function makeState(clock = new ManualClock('2026-09-27T10:00:00Z'), opts: { maxLoggedCalls?: number } = {}) {
  return new SimState({
    generate: { seed: 5, customers: 8, agents: 80, alerts: 30 },
    settings: { requestsPerMinute: null, maxPageSize: 50, nextLinkStyle: 'empty' },
    clock,
    ...opts,
  });
}

describe('SimState', () => {
  it('alert status follows resolve, snooze and the clock', () => {
    const clock = new ManualClock('2026-09-27T10:00:00Z');
    const state = makeState(clock);
    const id = state.raiseAlert({ AgentID: state.listAgents()[0]!.AgentID, Severity: 'Warning' });
    expect(state.alertStatus(state.getAlert(id)!)).toBe('Open');
    state.snoozeAlert(id, { minutes: 30 });
    expect(state.getAlert(id)!.SnoozedEndDate).toBe('2026-09-27T10:30:00.000');
    expect(state.listAlerts({ status: 'Snoozed' }).map((a) => a.AlertID)).toContain(id);
    clock.advance(31 * 60_000);
    expect(state.alertStatus(state.getAlert(id)!)).toBe('Open');
    expect(state.listAlerts({ status: 'Open' }).map((a) => a.AlertID)).toContain(id);
    const resolved = state.resolveAlert(id);
    expect(resolved).toMatchObject({ Archived: true, ArchivedDate: '2026-09-27T10:31:00.000', SnoozedEndDate: null });
    expect(state.listAlerts({ status: 'Resolved' }).map((a) => a.AlertID)).toContain(id);
    expect(state.resolveAlert(id)).toBe(resolved);
    state.deleteAlert(id);
    expect(state.getAlert(id)).toBeUndefined();
    expect(() => state.resolveAlert(id)).toThrow(SimError);
  });

  it('raised alerts get fresh ids, or the one asked for, and carry the agent’s fields', () => {
    const state = makeState();
    const agent = state.listAgents()[3]!;
    const a = state.raiseAlert({ DeviceGuid: agent.DeviceGuid!, Title: 'Disk C: full', AlertCategoryID: 'Disk' });
    const b = state.raiseAlert({ AgentID: agent.AgentID, AlertID: 123 });
    expect(b).toBe(123);
    expect(state.raiseAlert({ AgentID: agent.AgentID })).toBe(a + 1);
    expect(state.getAlert(a)).toMatchObject({
      Title: 'Disk C: full',
      AlertCategoryID: 'Disk',
      AgentId: agent.AgentID,
      DeviceName: agent.MachineName,
      CustomerID: agent.CustomerID,
    });
    expect(() => state.raiseAlert({ AgentID: 1 })).toThrow(/no agent/);
    expect(() => state.raiseAlert({ AgentID: agent.AgentID, AlertID: 123 })).toThrow(/already exists/);
  });

  it('renaming a customer renames it on its agents, alerts and contacts (Atera denormalises the name)', () => {
    const state = makeState();
    const agent = state.listAgents()[0]!;
    const alertId = state.raiseAlert({ AgentID: agent.AgentID });
    const before = state.json(state.getAgent(agent.AgentID)!);
    state.changeCustomer(agent.CustomerID!, { CustomerName: 'Renamed Ünïcode 🚀' });
    expect(state.getAgent(agent.AgentID)!.CustomerName).toBe('Renamed Ünïcode 🚀');
    expect(state.getAlert(alertId)!.CustomerName).toBe('Renamed Ünïcode 🚀');
    // The served JSON follows (records are replaced, so the cached text cannot go stale).
    expect(state.json(state.getAgent(agent.AgentID)!)).not.toBe(before);
    expect(state.getCustomer(agent.CustomerID!)!.LastModified).toBe('2026-09-27T10:00:00.000');
  });

  it('moving an agent changes its customer, name and folder; unknown targets are refused', () => {
    const state = makeState();
    const agent = state.listAgents()[0]!;
    const target = state.listCustomers().find((c) => c.CustomerID !== agent.CustomerID)!;
    const moved = state.moveAgent(agent.AgentID, target.CustomerID);
    expect(moved).toMatchObject({ CustomerID: target.CustomerID, CustomerName: target.CustomerName, FolderID: null });
    expect(state.listAgents({ customerId: target.CustomerID }).map((a) => a.AgentID)).toContain(agent.AgentID);
    expect(() => state.moveAgent(agent.AgentID, 999_999)).toThrow(/customer 999999 does not exist/);
  });

  it('deleting a customer removes its agents, their alerts and its contacts', () => {
    const state = makeState();
    const agent = state.listAgents()[0]!;
    const alertId = state.raiseAlert({ AgentID: agent.AgentID });
    state.deleteCustomer(agent.CustomerID!);
    expect(state.getAgent(agent.AgentID)).toBeUndefined();
    expect(state.getAlert(alertId)).toBeUndefined();
    expect(state.listContacts().some((c) => c.CustomerID === agent.CustomerID)).toBe(false);
  });

  it('adds realistic agents and customers with fresh ids', () => {
    const state = makeState();
    const c = state.addCustomer({ CustomerName: 'New Co' });
    const a = state.addAgent({ CustomerID: c.CustomerID, MachineName: 'NEW-PC' });
    expect(a).toMatchObject({
      CustomerID: c.CustomerID,
      CustomerName: 'New Co',
      MachineName: 'NEW-PC',
      Monitored: expect.any(Boolean),
    });
    expect(a.AgentID).toBeGreaterThan(
      Math.max(
        ...state
          .listAgents()
          .filter((x) => x !== a)
          .map((x) => x.AgentID),
      ),
    );
    expect(state.counts()).toMatchObject({ customers: 9, agents: 81 });
  });

  it('churn is deterministic for a seed', () => {
    const a = makeState();
    const b = makeState();
    const ra = a.churn({ move: 5, remove: 3, add: 4 });
    const rb = b.churn({ move: 5, remove: 3, add: 4 });
    expect(ra).toEqual(rb);
    expect(ra.moved).toHaveLength(5);
    expect(a.counts().agents).toBe(81);
    expect(JSON.stringify(a.listAgents())).toBe(JSON.stringify(b.listAgents()));
  });

  it('keeps the call log bounded and filterable', () => {
    const state = makeState(undefined, { maxLoggedCalls: 3 });
    for (let i = 0; i < 5; i++) {
      state.recordCall({
        method: 'GET',
        path: `/api/v3/alerts/${i}`,
        query: {},
        status: 200,
        time: '',
        ms: 0,
        auth: 'bearer',
      });
    }
    expect(state.callLog().map((c) => c.path)).toEqual(['/api/v3/alerts/2', '/api/v3/alerts/3', '/api/v3/alerts/4']);
    expect(state.callLog({ path: '/API/v3/alerts/3' })).toHaveLength(1);
    expect(state.callLog({ sinceSeq: 4 })).toHaveLength(1);
  });

  it('filters customers by FromLastModifiedDate and sorts contacts newest id first', () => {
    const state = makeState();
    const all = state.listCustomers();
    const cut = [...all].map((c) => c.LastModified!).sort()[4]!;
    const recent = state.listCustomers({ fromLastModified: cut });
    expect(recent.length).toBe(all.filter((c) => c.LastModified! >= cut).length);
    const ids = state.listContacts().map((c) => c.EndUserID);
    expect(ids).toEqual([...ids].sort((x, y) => y - x));
  });
});
