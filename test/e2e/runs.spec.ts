import { expect, signInAsAdmin, test } from './fixtures.js';

test('runs: history with counts, and a run waiting for confirmation is confirmed', async ({ page, admin, sim }) => {
  test.setTimeout(90_000);
  await admin.ensureAssets();
  await admin.post('/api/Integration/Atera/ImportAssets?wait=true', {});
  await admin.post('/api/Integration/Atera', { atera_delete_devices: true, atera_deactivation_threshold: 10 });
  // Six devices disappear from Atera: more than 10 % of the linked assets, so the sync asks first.
  const { items } = await sim.agents();
  const gone = items.slice(-6);
  for (const a of gone) await sim.call('DELETE', `/agents/${a.AgentID}`);

  await signInAsAdmin(page);
  await page.goto('/config/integrations/atera/integrator');
  await page.getByRole('button', { name: 'Sync now' }).click();
  const summary = page.getByTestId('run-summary');
  await expect(summary).toContainText('Needs confirmation', { timeout: 60_000 });
  await summary.getByRole('link', { name: /View run #\d+/ }).click();

  await expect(page.getByText('Waiting for your confirmation')).toBeVisible();
  const message = page.getByText(/\d+ of \d+ linked assets .* are no longer in Atera/);
  await expect(message).toBeVisible();
  const pending = Number(/(\d+) of \d+ linked assets/.exec((await message.textContent()) ?? '')?.[1]);
  expect(pending).toBeGreaterThan(0);
  const changes = page.getByRole('table', { name: /Changes of run/ });
  await expect(changes.getByRole('row').filter({ hasText: 'waiting for confirmation' })).toHaveCount(pending);
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByText('Waiting for your confirmation')).toBeHidden();
  await expect(page.getByText('Succeeded').first()).toBeVisible();
  await expect(page.getByText(`Deactivated ${pending}`, { exact: true })).toBeVisible();

  // The history lists every run with its kind, status and counts.
  await page.getByRole('link', { name: 'Runs' }).click();
  const runs = page.getByRole('table', { name: 'Runs' });
  await expect(runs.getByRole('row').filter({ hasText: 'Integrator sync' }).first()).toContainText('Succeeded');
  await expect(runs.getByRole('row').filter({ hasText: 'Import Customers' }).first()).toBeVisible();
  await expect(runs.getByRole('row').filter({ hasText: 'Import Assets' }).first()).toBeVisible();

  // The deactivated assets are inactive in Keel.
  let deactivated = 0;
  for (const a of gone) {
    const found = await admin.get<{ assets: { inactive: boolean }[] }>(
      `/api/Asset?atera_id=${a.AgentID}&includeinactive=true`,
    );
    if (found.assets[0]) {
      expect(found.assets[0].inactive).toBe(true);
      deactivated += 1;
    }
  }
  expect(deactivated).toBe(pending);
  await admin.post('/api/Integration/Atera', { atera_delete_devices: false });
});
