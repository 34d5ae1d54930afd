import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/helpers/app.js';
import { startSimFor } from '../../../test/helpers/atera.js';
import { describeEachDb, resetDatabase } from '../../../test/helpers/db.js';
import type { AteraSim } from '../../atera-sim/index.js';
import { createRun, getRun } from '../../sync/runs.js';
import { RUN_DEAD_QUEUE, RUN_QUEUE } from './operations.js';
import { INTEGRATION } from './settings/settings.js';

describeEachDb('the Integrator: sync, safe deactivation, dry-run, schedules', (ctx) => {
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
    sim = await startSimFor(t, { seed: 11, customers: 4, agents: 40 });
    await t.call('POST', '/api/Integration/Atera', {
      halointegrator_atera: true,
      atera_delete_devices: true,
      atera_devicetypes: ['Work Station', 'Server', 'Domain Controller', 'Mac', 'Linux'],
    });
  });

  const sync = async (body: object = {}) => {
    const res = await t.call('POST', '/api/Integration/Atera/Sync?wait=true', body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };
  const activeAssets = async () =>
    (await t.ctx.db.selectFrom('asset').select('id').where('inactive', '=', false).execute()).length;
  const importable = () => sim.state.listAgents({}).filter((a) => a.OSType).length;

  it('a dry run reports what a sync would do and writes nothing', async () => {
    const dry = await sync({ dry_run: true });
    expect(dry.status).toBe('succeeded');
    expect(dry.dry_run).toBe(true);
    expect(dry.counts.created).toBeGreaterThan(0);
    expect(await t.ctx.db.selectFrom('client').select('id').execute()).toHaveLength(0);
    expect(await t.ctx.db.selectFrom('asset').select('id').execute()).toHaveLength(0);
    const real = await sync();
    expect(real.counts).toEqual(dry.counts);
  });

  it('deactivates assets whose device was deleted in Atera and reactivates one that comes back', async () => {
    await sync();
    const total = await activeAssets();
    expect(total).toBe(importable());
    const gone = sim.state.listAgents({}).find((a) => a.OSType)!;
    const copy = { ...gone };
    sim.state.deleteAgent(gone.AgentID);
    const r = await sync();
    expect(r.status).toBe('succeeded');
    expect(r.counts.deactivated).toBe(1);
    const asset = await t.ctx.db
      .selectFrom('asset')
      .select(['inactive'])
      .where('atera_id', '=', String(gone.AgentID))
      .executeTakeFirstOrThrow();
    expect(asset.inactive).toBe(true);
    sim.state.addAgent(copy as never);
    const back = await sync();
    expect(back.counts.reactivated).toBe(1);
    expect(await activeAssets()).toBe(total);
  });

  it('an incomplete read (truncated last page) deactivates nothing and says so', async () => {
    await sync();
    const before = await activeAssets();
    sim.state.deleteAgent(sim.state.listAgents({}).find((a) => a.OSType)!.AgentID);
    sim.state.faults.add({ kind: 'truncate-last-page', path: '/api/v3/agents', missing: 1 });
    const r = await sync({ entities: ['assets'] });
    expect(r.counts.deactivated).toBe(0);
    expect(String(r.summary.deactivation)).toMatch(/not complete/);
    expect(await activeAssets()).toBe(before);
  });

  it('devices whose OSType is no longer imported are not "deleted"', async () => {
    await sync();
    const before = await activeAssets();
    await t.call('POST', '/api/Integration/Atera', { atera_devicetypes: ['Server'] });
    const r = await sync({ entities: ['assets'] });
    expect(r.counts.deactivated).toBe(0);
    expect(await activeAssets()).toBe(before);
  });

  it('a mass deletion stops for confirmation; confirm applies it, reject drops it', async () => {
    await sync();
    const before = await activeAssets();
    const victims = sim.state
      .listAgents({})
      .filter((a) => a.OSType)
      .slice(0, Math.ceil(before * 0.3));
    for (const v of victims) sim.state.deleteAgent(v.AgentID);
    const held = await sync({ entities: ['assets'] });
    expect(held.status).toBe('needs_confirmation');
    expect(await activeAssets()).toBe(before);
    const pending = (
      await t.call('GET', `/api/Integration/Atera/Runs/${held.id}/Changes?action=deactivate&page_size=500`)
    ).body;
    expect(pending.record_count).toBe(victims.length);
    expect(
      (await t.call('POST', `/api/Integration/Atera/Runs/${held.id}/Confirm`, undefined, t.techToken)).status,
    ).toBe(403);
    const confirmed = await t.call('POST', `/api/Integration/Atera/Runs/${held.id}/Confirm`);
    expect(confirmed.body.status).toBe('succeeded');
    expect(confirmed.body.counts.deactivated).toBe(victims.length);
    expect(await activeAssets()).toBe(before - victims.length);
    // Second case: reject.
    for (const v of sim.state
      .listAgents({})
      .filter((a) => a.OSType)
      .slice(0, 10))
      sim.state.deleteAgent(v.AgentID);
    const held2 = await sync({ entities: ['assets'] });
    expect(held2.status).toBe('needs_confirmation');
    const rejected = await t.call('POST', `/api/Integration/Atera/Runs/${held2.id}/Reject`);
    expect(rejected.body.status).toBe('succeeded');
    expect(await activeAssets()).toBe(before - victims.length);
    expect((await t.call('POST', `/api/Integration/Atera/Runs/${held2.id}/Confirm`)).status).toBe(409);
  });

  it('a sync with nothing changed in Atera writes no asset or customer rows', async () => {
    await sync();
    const stamp = async () => ({
      assets: await t.ctx.db.selectFrom('asset').select(['id', 'updated_at']).orderBy('id').execute(),
      clients: await t.ctx.db.selectFrom('client').select(['id', 'updated_at']).orderBy('id').execute(),
      links: await t.ctx.db
        .selectFrom('sync_link')
        .select(['external_id', 'updated_at'])
        .orderBy('external_id')
        .execute(),
    });
    const before = await stamp();
    const r = await sync();
    expect(r.counts).toMatchObject({ created: 0, updated: 0, deactivated: 0, reactivated: 0 });
    expect(await stamp()).toEqual(before);
  });

  it('records lastsync and lasterror from the latest runs', async () => {
    await sync();
    let s = (await t.call('GET', '/api/Integration/Atera')).body;
    expect(s.halointegrator_atera_lastsync).not.toBeNull();
    expect(s.halointegrator_atera_lasterror).toBeNull();
    await t.call('POST', '/api/Integration/Atera', { atera_apikey: 'revoked-key' });
    const failed = await sync();
    expect(failed.status).toBe('failed');
    expect(failed.error_code).toBe('atera_auth');
    s = (await t.call('GET', '/api/Integration/Atera')).body;
    expect(s.halointegrator_atera_lasterror).toMatch(/401/);
    expect(JSON.stringify(s)).not.toContain('revoked-key');
  });

  it('validates schedules: cron or interval, alerts no faster than 30 s', async () => {
    const bad = [
      [{ atera_schedule_alerts: '10s' }, 'atera_schedule_alerts'],
      [{ atera_schedule_assets: 'every day' }, 'atera_schedule_assets'],
      [{ atera_schedule_timezone: 'Mars/Olympus' }, 'atera_schedule_timezone'],
      [{ halointegrator_atera_entities: ['tickets'] }, 'halointegrator_atera_entities'],
    ] as const;
    for (const [body, path] of bad) {
      const res = await t.call('POST', '/api/Integration/Atera', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(res.body)).toContain(path);
    }
    expect(
      (
        await t.call('POST', '/api/Integration/Atera', {
          atera_schedule_alerts: '30s',
          atera_schedule_assets: '0 3 * * *',
          atera_schedule_timezone: 'Europe/Berlin',
        })
      ).status,
    ).toBe(200);
  });

  it('the scheduler requests a sync when the daily slot comes, once', async () => {
    const t0 = new Date('2026-06-01T12:00:00Z');
    expect(await t.runtime!.tick(t0)).toEqual([]);
    const runsBefore = (await t.call('GET', '/api/Integration/Atera/Runs')).body.record_count;
    expect(await t.runtime!.tick(new Date('2026-06-02T11:59:00Z'))).toEqual([]);
    expect(await t.runtime!.tick(new Date('2026-06-02T12:00:01Z'))).toEqual(['atera.customers', 'atera.assets']);
    expect(await t.runtime!.tick(new Date('2026-06-02T12:00:06Z'))).toEqual([]);
    const runs = (await t.call('GET', '/api/Integration/Atera/Runs')).body;
    expect(runs.record_count).toBe(runsBefore + 1);
    expect(runs.runs[0]).toMatchObject({
      kind: 'sync',
      started_by: 'schedule',
      options: { entities: ['customers', 'assets'] },
    });
  });

  it('prunes runs older than the retention setting on a scheduler tick', async () => {
    await sync();
    const old = await t.ctx.db
      .insertInto('sync_run')
      .values({
        integration: 'atera',
        kind: 'sync',
        status: 'succeeded',
        started_by: 'test',
        options: '{}',
        counts: '{}',
        progress: '{}',
        summary: '{}',
        queued_at: '2020-01-01T00:00:00Z',
        finished_at: '2020-01-01T00:01:00Z',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.call('POST', '/api/Integration/Atera', { atera_run_retention_days: 30 });
    await t.runtime!.tick(new Date());
    expect((await t.call('GET', `/api/Integration/Atera/Runs/${old.id}`)).status).toBe(404);
    expect((await t.call('GET', '/api/Integration/Atera/Runs')).body.record_count).toBeGreaterThan(0);
  });

  it('polls alerts on schedule only when "alerts" is an entity to sync and alerting is on', async () => {
    const polls = async () =>
      (await t.ctx.db.selectFrom('sync_run').select('id').where('kind', '=', 'alerts').execute()).length;
    sim.state.raiseAlert({
      AgentID: sim.state.listAgents({}).find((a) => a.OSType)!.AgentID,
      Title: 'Scheduled',
      Severity: 'Warning',
    });
    await sync();
    await t.call('POST', '/api/Integration/Atera', { atera_enable_alerting: true, atera_schedule_alerts: '30s' });
    const t0 = new Date('2026-07-01T00:00:00Z');
    await t.runtime!.tick(t0);
    expect(await t.runtime!.tick(new Date(t0.getTime() + 31_000))).not.toContain('atera.alerts');
    await t.call('POST', '/api/Integration/Atera', {
      halointegrator_atera_entities: ['customers', 'assets', 'alerts'],
    });
    await t.runtime!.tick(new Date(t0.getTime() + 32_000));
    expect(await t.runtime!.tick(new Date(t0.getTime() + 63_000))).toContain('atera.alerts');
    for (let i = 0; i < 100 && (await polls()) === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await polls()).toBe(1);
    const open = sim.state.listAlerts({ status: 'Open' }).length;
    expect((await t.call('GET', '/api/Tickets?isalert=true')).body.record_count).toBe(open);
  });

  it('a run whose job used up every attempt (each worker died mid-run) is recorded as failed, not left running', async () => {
    // The queue routes exhausted run jobs to the dead-letter queue...
    const queue = await t.ctx.jobs!.boss.getQueue(RUN_QUEUE);
    expect(queue?.deadLetter).toBe(RUN_DEAD_QUEUE);
    // ...whose worker fails the run that was left behind, with a message saying what happened.
    const id = await createRun(t.ctx.db, {
      integration: INTEGRATION,
      kind: 'sync',
      dry_run: false,
      started_by: 'test',
    });
    await t.ctx.db.updateTable('sync_run').set({ status: 'running' }).where('id', '=', id).execute();
    await t.ctx.jobs!.send(RUN_DEAD_QUEUE, { run_id: id });
    let run = await getRun(t.ctx.db, id);
    for (let i = 0; i < 100 && run.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      run = await getRun(t.ctx.db, id);
    }
    expect(run.status).toBe('failed');
    expect(run.error_code).toBe('unavailable');
    expect(run.error).toMatch(/interrupted 6 time\(s\).*start the run again/);
    // A run that finished meanwhile is left as it is.
    await t.ctx.db.updateTable('sync_run').set({ status: 'succeeded', error: null }).where('id', '=', id).execute();
    await t.ctx.jobs!.send(RUN_DEAD_QUEUE, { run_id: id });
    await new Promise((r) => setTimeout(r, 1500));
    expect((await getRun(t.ctx.db, id)).status).toBe('succeeded');
  });
});
