/**
 * `npm run bench`: runs every benchmark and writes bench/results/<name>.json plus a summary with
 * each goal beside its measured figure. `npm run bench -- --quick` runs smaller versions;
 * `npm run bench -- import alerts` runs only the named ones.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { runAlertsBench } from './alerts.bench.js';
import { runAssetsApiBench } from './assets-api.bench.js';
import { runAteraClientBench } from './atera-client.bench.js';
import { runImportBench } from './import.bench.js';
import { runLoadBench } from './load.bench.js';
import { runScaleoutBench } from './scaleout.bench.js';
import { runSyncBench } from './sync.bench.js';

const quick = process.argv.includes('--quick');
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const benches: Record<string, () => Promise<object>> = {
  'assets-api': () => runAssetsApiBench({ quick }),
  'atera-client': () => runAteraClientBench({ quick }),
  import: () => runImportBench({ quick }),
  sync: () => runSyncBench({ quick }),
  scaleout: () => runScaleoutBench({ quick }),
  alerts: () => runAlertsBench({ quick }),
  load: () => runLoadBench({ quick }),
};

mkdirSync('bench/results', { recursive: true });
const machine = {
  node: process.version,
  cpus: os.cpus().length,
  cpu: os.cpus()[0]?.model,
  memory_gb: Math.round(os.totalmem() / 2 ** 30),
  load_at_start: os.loadavg(),
};
for (const [name, fn] of Object.entries(benches)) {
  if (only.length && !only.includes(name)) continue;
  process.stderr.write(`bench ${name}${quick ? ' (quick)' : ''}...\n`);
  const started = Date.now();
  const result = await fn();
  const out = {
    name,
    quick,
    date: new Date().toISOString(),
    seconds: Math.round((Date.now() - started) / 1000),
    machine,
    result,
  };
  writeFileSync(`bench/results/${name}${quick ? '.quick' : ''}.json`, `${JSON.stringify(out, null, 2)}\n`);
  process.stderr.write(
    `bench ${name}: done in ${out.seconds} s → bench/results/${name}${quick ? '.quick' : ''}.json\n`,
  );
}
process.exit(0);
