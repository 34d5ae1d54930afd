import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { E2eEnv } from './env.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ADMIN_PASSWORD = 'e2e-admin-pass-123';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function start(name: string, args: string[], env: NodeJS.ProcessEnv, log: string): ChildProcess {
  const out = createWriteStream(log);
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  // Keel runs on its embedded database in a fresh data directory, whatever the shell has set.
  delete childEnv.DATABASE_URL;
  const child = spawn(process.execPath, args, { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal === null) process.stderr.write(`[e2e] ${name} exited with ${code}; see ${log}\n`);
  });
  return child;
}

/** The simulator prints its URL and key (a banner, or a JSON line with --json). */
function simInfo(child: ChildProcess, timeoutMs: number): Promise<{ url: string; apiKey: string }> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`the Atera simulator did not start:\n${text}`)), timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const json = text.split('\n').find((l) => l.trim().startsWith('{') && l.includes('"apiKey"'));
      if (json) {
        const info = JSON.parse(json) as { url: string; apiKey: string };
        clearTimeout(timer);
        resolve({ url: info.url, apiKey: info.apiKey });
        return;
      }
      const url = /listening on (http:\/\/\S+)/.exec(text)?.[1];
      const key = /API key[^:]*:\s*(\S+)/.exec(text)?.[1];
      if (url && key) {
        clearTimeout(timer);
        resolve({ url, apiKey: key });
      }
    });
    child.on('exit', (code) => reject(new Error(`the Atera simulator exited (${code}):\n${text}`)));
  });
}

async function waitForHealth(url: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < until) {
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Keel did not become healthy at ${url} (${last})`);
}

/**
 * Starts the Atera simulator (seed 42: 5 customers, 40 agents, 3 alerts) and Keel on a fresh data
 * directory, both on free ports; tests read where they are from KEEL_E2E. Returns the teardown.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!existsSync(join(ROOT, 'web/dist/index.html'))) {
    throw new Error('web/dist is missing: run `npm run build:web` (npm install runs it) before the browser tests');
  }
  const logs = join(ROOT, 'test-results');
  mkdirSync(logs, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), 'keel-e2e-'));
  const [simPort, keelPort] = [await freePort(), await freePort()];

  const simArgs = ['--seed', '42', '--customers', '5', '--agents', '40', '--alerts', '3', '--port', String(simPort)];
  // `keel atera-sim` once the CLI has it; until then the simulator's own entry point.
  const cliHasSim = readFileSync(join(ROOT, 'src/cli/main.ts'), 'utf8').includes("'atera-sim'");
  const sim = cliHasSim
    ? start('atera-sim', ['bin/keel.mjs', 'atera-sim', ...simArgs], {}, join(logs, 'e2e-atera-sim.log'))
    : start(
        'atera-sim',
        ['--import', 'tsx', 'src/atera-sim/cli-entry.ts', ...simArgs],
        {},
        join(logs, 'e2e-atera-sim.log'),
      );
  const keel = start(
    'keel',
    ['bin/keel.mjs', 'serve', '--port', String(keelPort), '--host', '127.0.0.1'],
    { KEEL_DATA_DIR: dataDir, KEEL_ADMIN_PASSWORD: ADMIN_PASSWORD, PORT: String(keelPort), LOG_LEVEL: 'warn' },
    join(logs, 'e2e-keel.log'),
  );
  const stop = async () => {
    for (const child of [keel, sim]) if (child.exitCode === null) child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    for (const child of [keel, sim]) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const info = await simInfo(sim, 30_000);
    const url = `http://127.0.0.1:${keelPort}`;
    await waitForHealth(url, 90_000);
    const env: E2eEnv = { url, simUrl: info.url, simApiKey: info.apiKey, adminPassword: ADMIN_PASSWORD };
    process.env.KEEL_E2E = JSON.stringify(env);
  } catch (e) {
    await stop();
    throw e;
  }
  return stop;
}
