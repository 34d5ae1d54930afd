import { type AteraSim, type AteraSimOptions, startAteraSim } from '../../src/atera-sim/index.js';
import type { TestApp } from './app.js';

/** A simulator with no rate limit (tests are about behaviour, not pacing) plus Keel configured to use it. */
export async function startSimFor(t: TestApp, opts: AteraSimOptions = {}): Promise<AteraSim> {
  const sim = await startAteraSim({ requestsPerMinute: null, customers: 5, agents: 30, alerts: 5, ...opts });
  const res = await t.call('POST', '/api/Integration/Atera', {
    atera_enabled: true,
    atera_url: sim.url,
    atera_apikey: sim.apiKey,
  });
  if (res.status !== 200) throw new Error(`configuring Atera failed: ${JSON.stringify(res.body)}`);
  return sim;
}
