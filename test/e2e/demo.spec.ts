import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { expect, test } from '@playwright/test';

/** Demo mode (`keel demo`): the Simulator panel raises and resolves alerts in the in-process Atera simulator. */

let demo: ChildProcess | null = null;
let url = '';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

test.beforeAll(async () => {
  test.setTimeout(120_000);
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  demo = spawn(process.execPath, ['bin/keel.mjs', 'demo', '--port', String(port)], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`keel demo did not start:\n${out}`)), 110_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /Keel demo is ready: (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    demo?.stdout?.on('data', onData);
    demo?.stderr?.on('data', onData);
    demo?.on('exit', (code) => reject(new Error(`keel demo exited (${code}):\n${out}`)));
  });
});

test.afterAll(async () => {
  demo?.kill('SIGTERM');
});

test('the Simulator panel raises an alert and resolves it', async ({ page }) => {
  test.setTimeout(60_000);
  await page.goto(`${url}/signin`);
  await page.getByLabel('Login').fill('admin');
  await page.getByLabel('Password', { exact: true }).fill('keel-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'Simulator' }).click();
  await expect(page.getByRole('heading', { name: 'Simulator' })).toBeVisible();
  const title = `E2E demo alert ${Date.now()}`;
  await page.getByLabel('Title').fill(title);
  await page.getByRole('button', { name: 'Raise alert' }).click();
  const table = page.getByRole('table', { name: 'Open simulated alerts' });
  const row = table.getByRole('row').filter({ hasText: title });
  await expect(row).toBeVisible();
  await row.getByRole('button', { name: /Resolve alert/ }).click();
  await expect(row).toHaveCount(0);
});
