import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/helpers/app.js';
import { startSimFor } from '../../../test/helpers/atera.js';
import { describeEachDb } from '../../../test/helpers/db.js';
import type { AteraSim } from '../../atera-sim/index.js';

describeEachDb('GET /metrics', (ctx) => {
  let t: TestApp;
  let sim: AteraSim;
  beforeAll(async () => {
    t = await startTestApp(ctx.database);
    sim = await startSimFor(t, { customers: 2, agents: 5 });
  });
  afterAll(async () => {
    await sim.close();
    await t.close();
  });

  it('needs a token and reports runs, records, errors and the Atera request budget', async () => {
    expect((await t.call('GET', '/metrics', undefined, null)).status).toBe(401);
    await t.call('POST', '/api/Integration/Atera/ImportCustomers?wait=true', {});
    await t.call('POST', '/api/Integration/Atera', { atera_apikey: 'wrong-key' });
    await t.call('POST', '/api/Integration/Atera/ImportCustomers?wait=true', {});
    const res = await t.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${t.adminToken}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/keel_runs\{integration="atera",kind="import_customers",status="succeeded"\} 1/);
    expect(res.body).toMatch(/keel_runs\{integration="atera",kind="import_customers",status="failed"\} 1/);
    expect(res.body).toMatch(/keel_run_records\{action="created"\} 2/);
    expect(res.body).toMatch(/keel_run_errors\{code="atera_auth"\} 1/);
    expect(res.body).toMatch(/keel_atera_requests\{limiter="\d+",stat="granted_total"\} \d+/);
    expect(res.body).not.toContain('wrong-key');
    expect(res.body).not.toContain(sim.apiKey);
  });
});
