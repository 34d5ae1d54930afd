import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../../test/helpers/app.js';
import { startSimFor } from '../../../../test/helpers/atera.js';
import { describeEachDb, resetDatabase } from '../../../../test/helpers/db.js';
import type { AteraSim } from '../../../atera-sim/index.js';
import { sweepOutbox } from './outbox.js';

describeEachDb('Atera alerts ↔ tickets', (ctx) => {
  let t: TestApp;
  let sim: AteraSim;
  beforeAll(async () => {
    t = await startTestApp(ctx.database);
  });
  afterAll(async () => {
    await sim?.close();
    await t.close();
  });
  beforeEach(async () => {
    await sim?.close();
    await resetDatabase(ctx.database);
    sim = await startSimFor(t, { seed: 5, customers: 3, agents: 12, alerts: 0 });
    await t.call('POST', '/api/Integration/Atera/Sync?wait=true', {});
    const s = await t.call('POST', '/api/Integration/Atera', {
      atera_enable_alerting: true,
      halointegrator_atera: true,
      halointegrator_atera_entities: ['customers', 'assets', 'alerts'],
    });
    expect(s.status, JSON.stringify(s.body)).toBe(200);
  });

  const poll = async () => {
    const r = await t.call('POST', '/api/Integration/Atera/PollAlerts?wait=true');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.status, JSON.stringify(r.body)).toBe('succeeded');
    return r.body;
  };
  const agentWithAsset = () => sim.state.listAgents({}).find((a) => a.OSType)!;
  const ticketFor = async (alertId: number) =>
    (await t.call('GET', `/api/Tickets?atera_alert_id=${alertId}`)).body.tickets[0];
  const closeTicket = async (id: number) => {
    const closed = (await t.call('GET', '/api/Status')).body.find((s: any) => s.type === 1);
    const r = await t.call('POST', '/api/Tickets', [{ id, status_id: closed.id }], t.techToken);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  };
  /** What a worker's scheduler tick does: hand due outbox rows to the queue; then wait for the jobs. */
  const drainOutbox = async () => {
    await sweepOutbox(t.ctx, new Date());
    // The client itself retries a 5xx a few times with back-off before the outbox row is put back.
    for (let i = 0; i < 600; i++) {
      const busy = await t.ctx.db
        .selectFrom('alert_outbox')
        .select('id')
        .where('status', 'in', ['queued', 'sending'])
        .execute();
      if (busy.length === 0) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('outbox did not drain');
  };

  it("a new alert becomes exactly one ticket with the guide's fields, and polling again changes nothing", async () => {
    const agent = agentWithAsset();
    const alertId = sim.state.raiseAlert({
      AgentID: agent.AgentID,
      Title: 'CPU at 100%',
      Severity: 'Critical',
      AlertCategoryID: 'Performance',
    });
    const r = await poll();
    expect(r.counts.created).toBe(1);
    const ticket = await ticketFor(alertId);
    const asset = await t.ctx.db
      .selectFrom('asset')
      .selectAll()
      .where('atera_id', '=', String(agent.AgentID))
      .executeTakeFirstOrThrow();
    expect(ticket).toMatchObject({
      summary: 'CPU at 100%',
      _isalert: true,
      atera_alert_id: alertId,
      tickettype_name: 'Alert',
      priority_id: 1,
      client_id: asset.client_id,
      site_id: asset.site_id,
    });
    expect(ticket.assets.map((a: any) => a.id)).toEqual([asset.id]);
    expect(ticket.details).toContain(`Atera alert id: ${alertId}`);
    expect(ticket.details).toContain('Critical');
    const again = await poll();
    expect(again.counts.created).toBe(0);
    expect((await t.call('GET', '/api/Tickets?isalert=true')).body.record_count).toBe(1);
  });

  it('two polls at once still make one ticket per alert', async () => {
    const agent = agentWithAsset();
    const ids = [1, 2, 3].map((i) =>
      sim.state.raiseAlert({ AgentID: agent.AgentID, Title: `Alert ${i}`, Severity: 'Warning' }),
    );
    await Promise.all([poll(), poll(), poll()]);
    for (const id of ids) expect((await t.call('GET', `/api/Tickets?atera_alert_id=${id}`)).body.record_count).toBe(1);
  });

  it('closing the ticket in Keel resolves the alert in Atera through the outbox, once', async () => {
    const alertId = sim.state.raiseAlert({
      AgentID: agentWithAsset().AgentID,
      Title: 'Disk full',
      Severity: 'Warning',
    });
    await poll();
    const ticket = await ticketFor(alertId);
    sim.state.clearCalls();
    await closeTicket(ticket.id);
    // Not inside the request: nothing has been sent yet.
    expect(sim.state.callLog({ method: 'PUT' })).toHaveLength(0);
    await drainOutbox();
    const puts = sim.state.callLog({ method: 'PUT' });
    expect(puts.map((c) => c.path)).toEqual([`/api/v3/alerts/${alertId}`]);
    expect(sim.state.alertStatus(sim.state.getAlert(alertId)!)).toBe('Resolved');
    const alerts = (await t.call('GET', `/api/Integration/Atera/Alerts?ticket_id=${ticket.id}`)).body.alerts;
    expect(alerts[0]).toMatchObject({ state: 'resolved', outbox: { status: 'done', attempts: 1 } });
    // The resolve comes back on the next poll as resolved: no second close, no second call.
    await poll();
    await drainOutbox();
    expect(sim.state.callLog({ method: 'PUT' })).toHaveLength(1);
  });

  it('a failed resolve is retried with back-off and shown on the ticket; an alert Atera lost is noted, not retried', async () => {
    const a1 = sim.state.raiseAlert({ AgentID: agentWithAsset().AgentID, Title: 'Flaky', Severity: 'Warning' });
    const a2 = sim.state.raiseAlert({ AgentID: agentWithAsset().AgentID, Title: 'Vanishing', Severity: 'Warning' });
    await poll();
    const t1 = await ticketFor(a1);
    const t2 = await ticketFor(a2);
    sim.state.faults.add({ kind: 'error', status: 500, method: 'PUT', path: `/api/v3/alerts/${a1}` });
    await closeTicket(t1.id);
    await drainOutbox();
    const row = await t.ctx.db
      .selectFrom('alert_outbox')
      .selectAll()
      .where('alert_id', '=', a1)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(new Date(row.next_attempt_at).getTime()).toBeGreaterThan(Date.now());
    const notes = (await t.call('GET', `/api/Actions?ticket_id=${t1.id}`)).body.actions
      .map((a: any) => a.note)
      .join('\n');
    expect(notes).toMatch(/Could not resolve alert .* Keel keeps retrying/);
    // The fault clears; when the back-off is over the retry succeeds.
    sim.state.faults.reset();
    await t.ctx.db
      .updateTable('alert_outbox')
      .set({ next_attempt_at: new Date(Date.now() - 1000).toISOString() })
      .where('id', '=', row.id)
      .execute();
    await drainOutbox();
    expect(
      (await t.ctx.db.selectFrom('alert_outbox').select('status').where('id', '=', row.id).executeTakeFirstOrThrow())
        .status,
    ).toBe('done');
    // Alert deleted in Atera before Keel's close reached it: noted, not retried.
    sim.state.deleteAlert(a2);
    await closeTicket(t2.id);
    await drainOutbox();
    const gone = await t.ctx.db
      .selectFrom('alert_outbox')
      .selectAll()
      .where('alert_id', '=', a2)
      .executeTakeFirstOrThrow();
    expect(gone.status).toBe('gone');
  });

  it('an alert resolved or deleted in Atera closes its ticket with a note saying why', async () => {
    const a1 = sim.state.raiseAlert({ AgentID: agentWithAsset().AgentID, Title: 'Will resolve', Severity: 'Warning' });
    const a2 = sim.state.raiseAlert({
      AgentID: agentWithAsset().AgentID,
      Title: 'Will be deleted',
      Severity: 'Warning',
    });
    await poll();
    sim.state.resolveAlert(a1);
    sim.state.deleteAlert(a2);
    sim.state.clearCalls();
    await poll();
    for (const [id, word] of [
      [a1, 'resolved'],
      [a2, 'deleted'],
    ] as const) {
      const ticket = await ticketFor(id);
      expect(ticket.dateclosed).not.toBeNull();
      const notes = (await t.call('GET', `/api/Actions?ticket_id=${ticket.id}`)).body.actions
        .map((a: any) => a.note)
        .join('\n');
      expect(notes).toContain(`was ${word} in Atera`);
    }
    // Closing because Atera said so is not echoed back to Atera.
    await drainOutbox();
    expect(sim.state.callLog({ method: 'PUT' })).toHaveLength(0);
  });

  it('a reopened ticket does not re-raise the alert; a new alert for the device is a new ticket', async () => {
    const agent = agentWithAsset();
    const a1 = sim.state.raiseAlert({ AgentID: agent.AgentID, Title: 'Service down', Severity: 'Critical', Code: 42 });
    await poll();
    sim.state.resolveAlert(a1);
    await poll();
    const ticket = await ticketFor(a1);
    const open = (await t.call('GET', '/api/Status')).body.find((s: any) => s.type === 0);
    await t.call('POST', '/api/Tickets', [{ id: ticket.id, status_id: open.id }]);
    await drainOutbox();
    expect(sim.state.alertStatus(sim.state.getAlert(a1)!)).toBe('Resolved');
    const a2 = sim.state.raiseAlert({ AgentID: agent.AgentID, Title: 'Service down', Severity: 'Critical', Code: 42 });
    await poll();
    expect((await ticketFor(a2)).id).not.toBe(ticket.id);
  });

  it('rules: severity record-only, de-duplication, flap delay, maintenance window, close-only-if-untouched', async () => {
    const agent = agentWithAsset();
    const asset = await t.ctx.db
      .selectFrom('asset')
      .selectAll()
      .where('atera_id', '=', String(agent.AgentID))
      .executeTakeFirstOrThrow();
    await t.call('POST', '/api/Integration/Atera', {
      atera_alert_severity_rules: { Information: { create_ticket: false, priority_id: 4 } },
      atera_alert_dedupe: true,
      atera_alert_close_only_untouched: true,
    });
    const info = sim.state.raiseAlert({ AgentID: agent.AgentID, Title: 'FYI', Severity: 'Information' });
    const d1 = sim.state.raiseAlert({ AgentID: agent.AgentID, Title: 'Ping loss', Severity: 'Warning', Code: 7 });
    const d2 = sim.state.raiseAlert({ AgentID: agent.AgentID, Title: 'Ping loss', Severity: 'Warning', Code: 7 });
    await poll();
    expect(await ticketFor(info)).toBeUndefined();
    const shared = await ticketFor(d1);
    const rows = await t.ctx.db
      .selectFrom('atera_alert')
      .select(['alert_id', 'ticket_id', 'disposition'])
      .where('alert_id', 'in', [info, d1, d2])
      .orderBy('alert_id')
      .execute();
    expect(rows.map((r) => r.disposition)).toEqual(['recorded', 'ticket', 'deduplicated']);
    expect(rows[2]!.ticket_id).toBe(shared.id);
    // One of two resolved: the ticket stays open; both: it closes.
    sim.state.resolveAlert(d1);
    await poll();
    expect((await t.call('GET', `/api/Tickets/${shared.id}`)).body.dateclosed).toBeNull();
    // A technician works it: an Atera resolve now only adds a note.
    await t.call(
      'POST',
      '/api/Actions',
      [{ ticket_id: shared.id, note: 'Looking into it', hiddenfromuser: false }],
      t.techToken,
    );
    sim.state.resolveAlert(d2);
    await poll();
    expect((await t.call('GET', `/api/Tickets/${shared.id}`)).body.dateclosed).toBeNull();
    // Closing the shared ticket resolves every alert it still tracks (none left open here → no calls).
    // Flap delay: a young alert waits; one that resolves in time is only recorded.
    await t.call('POST', '/api/Integration/Atera', {
      atera_alert_flap_minutes: 10,
      atera_alert_close_only_untouched: false,
    });
    const flap = sim.state.raiseAlert({ AgentID: agent.AgentID, Title: 'Blip', Severity: 'Warning', Code: 8 });
    await poll();
    expect(await ticketFor(flap)).toBeUndefined();
    sim.state.resolveAlert(flap);
    await poll();
    expect(await ticketFor(flap)).toBeUndefined();
    expect(
      (await t.ctx.db.selectFrom('atera_alert').select('state').where('alert_id', '=', flap).executeTakeFirstOrThrow())
        .state,
    ).toBe('resolved');
    // Maintenance window on the asset's site: recorded, then ticketed once the window is over.
    const start = new Date(Date.now() - 60_000).toISOString();
    const end = new Date(Date.now() + 2_000).toISOString();
    await t.call('POST', '/api/Integration/Atera', {
      atera_alert_flap_minutes: 0,
      atera_maintenance_windows: [{ site_id: asset.site_id, starts_at: start, ends_at: end, reason: 'patching' }],
    });
    const mw = sim.state.raiseAlert({ AgentID: agent.AgentID, Title: 'Reboot pending', Severity: 'Warning', Code: 9 });
    await poll();
    expect(await ticketFor(mw)).toBeUndefined();
    await new Promise((r) => setTimeout(r, 2_100));
    await poll();
    expect(await ticketFor(mw)).toBeDefined();
  });

  it('preview shows what the rules would do and writes nothing', async () => {
    const a = sim.state.raiseAlert({ AgentID: agentWithAsset().AgentID, Title: 'Preview me', Severity: 'Critical' });
    const p = await t.call('POST', '/api/Integration/Atera/Alerts/Preview');
    expect(p.status).toBe(200);
    expect(p.body.create.map((c: any) => c.alert_id)).toEqual([a]);
    expect(await ticketFor(a)).toBeUndefined();
    expect(await t.ctx.db.selectFrom('atera_alert').select('alert_id').execute()).toHaveLength(0);
  });

  it('refuses the deprecated NHServer method with a message', async () => {
    const r = await t.call('POST', '/api/Integration/Atera', { atera_alert_method: 'nhserver' });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/deprecated.*Integrator/);
  });
});
