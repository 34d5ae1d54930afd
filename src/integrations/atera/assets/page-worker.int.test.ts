import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../../test/helpers/app.js';
import { startSimFor } from '../../../../test/helpers/atera.js';
import { describeEachDb } from '../../../../test/helpers/db.js';
import type { AteraSim } from '../../../atera-sim/index.js';
import { createRun, RunRecorder } from '../../../sync/runs.js';
import { ateraClientFor, INTEGRATION } from '../settings/settings.js';
import { importAssets } from './import-assets.js';
import { stopPageWorker } from './page-worker.js';

/**
 * The page worker (page-worker.ts) is an optimisation: an import decides every device exactly as it does with
 * every page parsed on the main thread. Each case runs the same import both ways and compares what a user sees:
 * the counts, every per-record change, the read's summary, the devices seen and those of types not imported.
 */
describeEachDb('Atera asset import: the page worker', (ctx) => {
  let t: TestApp;
  let sim: AteraSim;

  beforeAll(async () => {
    t = await startTestApp(ctx.database);
    sim = await startSimFor(t, { seed: 11, customers: 8, agents: 400 });
    expect((await t.call('POST', '/api/Integration/Atera/ImportCustomers?wait=true', {})).body.status).toBe(
      'succeeded',
    );
    expect((await t.call('POST', '/api/Integration/Atera/ImportAssets?wait=true', {})).body.status).toBe('succeeded');
  });
  afterAll(async () => {
    await sim?.close();
    await t.close();
  });

  const importRun = async (opts: { preview: boolean; pageWorker: boolean; pageSize?: number }) => {
    const runId = await createRun(t.ctx.db, {
      integration: INTEGRATION,
      kind: 'import_assets',
      dry_run: opts.preview,
      started_by: 'test',
    });
    const recorder = new RunRecorder(t.ctx.db, runId, () => t.ctx.clock.now());
    await recorder.start();
    const client = await ateraClientFor(t.ctx, { pageSize: opts.pageSize ?? 20 });
    const result = await importAssets(t.ctx, client, { preview: opts.preview, recorder, pageWorker: opts.pageWorker });
    await recorder.finish('succeeded');
    const changes = (
      await t.call('GET', `/api/Integration/Atera/Runs/${runId}/Changes?page_size=500`)
    ).body.changes.map((c: Record<string, unknown>) => [c.external_id, c.action, c.name, c.reason, c.fields]);
    const ids = sim.state.listAgents({}).map((a) => a.AgentID);
    return {
      counts: recorder.counts,
      changes,
      read: result.read,
      seen: ids.filter((id) => result.seen.has(String(id))),
      excluded: [...result.excludedTypes].sort(),
      worker: recorder.summary.page_worker as {
        pages_decoded: number;
        devices_hashed: number;
        pages_sorted_here: number;
      },
    };
  };
  /** Without the worker, then with it twice: the first run with it may decode its first pages in line. */
  const bothWays = async (preview: boolean) => {
    const inLine = await importRun({ preview, pageWorker: false });
    await importRun({ preview, pageWorker: true });
    const withWorker = await importRun({ preview, pageWorker: true });
    const { worker: _a, ...a } = inLine;
    const { worker, ...b } = withWorker;
    expect(b).toEqual(a);
    return { inLine, withWorker, worker };
  };

  it('an unchanged run: the worker keeps every device back, and the result is the main thread’s', async () => {
    const { inLine, worker } = await bothWays(true);
    expect(inLine.counts.unchanged).toBeGreaterThan(300);
    expect(inLine.counts.created + inLine.counts.updated).toBe(0);
    expect(inLine.read.complete).toBe(true);
    expect(inLine.worker).toEqual({ pages_decoded: 0, devices_hashed: 0, pages_sorted_here: 0 });
    expect(worker.pages_decoded).toBeGreaterThan(0);
    // Pages the worker could not take at once were sorted on the main thread instead.
    expect(worker.devices_hashed).toBeGreaterThan(0);
    expect(worker.devices_hashed).toBeLessThanOrEqual(inLine.read.recordsRead);
  });

  it('changed devices, malformed records and types not imported: the same changes, rejects and ids', async () => {
    const agents = sim.state.listAgents({});
    for (const a of agents.slice(0, 5)) sim.state.changeAgent(a.AgentID, { Vendor: `Vendor ${a.AgentID}` });
    sim.state.faults.add({ kind: 'malformed-records', every: 37 });
    const types = [...new Set(agents.map((a) => a.OSType?.trim()).filter((x): x is string => !!x))];
    const settings = await t.call('POST', '/api/Integration/Atera', { atera_devicetypes: types.slice(1) });
    expect(settings.status, JSON.stringify(settings.body)).toBe(200);
    try {
      const { inLine } = await bothWays(true);
      expect(inLine.counts.updated).toBeGreaterThan(0);
      expect(inLine.counts.errors).toBeGreaterThan(0);
      expect(inLine.excluded.length).toBeGreaterThan(0);
      // Importing for real, both ways, from the same start: a preview of what each then did is identical.
      await importRun({ preview: false, pageWorker: true });
      const after = await importRun({ preview: true, pageWorker: false });
      const afterWorker = await importRun({ preview: true, pageWorker: true });
      expect(afterWorker.counts).toEqual(after.counts);
      expect(after.counts.updated).toBe(0);
    } finally {
      sim.state.faults.reset();
      await t.call('POST', '/api/Integration/Atera', { atera_devicetypes: types });
    }
  });

  it('NUL characters, which the reader drops, are dropped in the worker too: the device stays unchanged', async () => {
    const agent = sim.state.listAgents({})[3]!;
    sim.state.changeAgent(agent.AgentID, { Vendor: 'Del\u0000l' });
    await importRun({ preview: false, pageWorker: false });
    const { inLine } = await bothWays(true);
    expect(inLine.counts.updated + inLine.counts.errors).toBe(0);
    expect(inLine.counts.unchanged).toBeGreaterThan(300);
  });

  it('a worker that stops in the middle of a run leaves the rest to the main thread', async () => {
    const inLine = await importRun({ preview: true, pageWorker: false, pageSize: 5 });
    await importRun({ preview: true, pageWorker: true, pageSize: 5 });
    // Slow pages, so the run is still reading when the worker goes.
    sim.state.faults.add({ kind: 'latency', ms: 5, path: '/api/v3/agents' });
    try {
      const running = importRun({ preview: true, pageWorker: true, pageSize: 5 });
      await new Promise((r) => setTimeout(r, 100));
      await stopPageWorker();
      const stopped = await running;
      expect(stopped.worker.pages_decoded).toBeGreaterThan(0);
      expect(stopped.worker.devices_hashed).toBeLessThan(stopped.read.recordsRead);
      // Once it is gone, the main thread sorts each page as it arrives, as the worker did.
      expect(stopped.worker.pages_sorted_here).toBeGreaterThan(0);
      const { worker: _a, ...a } = inLine;
      const { worker: _b, ...b } = stopped;
      expect(b).toEqual(a);
    } finally {
      sim.state.faults.reset();
    }
  });
});
