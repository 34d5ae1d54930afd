import { choose, expect, signInAsAdmin, test } from './fixtures.js';

test('the import preview lists creates and updates with field changes, and filters them', async ({
  page,
  admin,
  sim,
}) => {
  await admin.ensureAssets();
  // Atera changes since the last import: one new device, one device with a new manufacturer.
  await sim.call('POST', '/agents', {
    CustomerID: 1001,
    MachineName: 'E2E-NEW-LAPTOP',
    OSType: 'Work Station',
    VendorSerialNumber: 'E2ESN0001',
  });
  const { items } = await sim.agents();
  const changed = items.find((a) => a.CustomerID === 1002)!;
  await sim.call('PATCH', `/agents/${changed.AgentID}`, { Vendor: 'E2E Vendor Inc.' });

  await signInAsAdmin(page);
  await page.goto('/config/integrations/atera/import-assets');
  await expect(page.getByRole('heading', { name: /Preview #\d+/ })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText('Created 1', { exact: true })).toBeVisible();
  await expect(page.getByText('Updated 1', { exact: true })).toBeVisible();
  const table = page.getByRole('table', { name: 'Import preview' });

  const shown = (text: string) => expect(page.getByText(text, { exact: true })).toBeVisible();
  await choose(page, 'Show', 'Creates');
  await shown('1–1 of 1');
  const created = table.getByRole('row').filter({ hasText: 'E2E-NEW-LAPTOP' });
  await expect(created).toContainText('Create');
  await created.getByRole('button', { name: /Show \d+ field changes of E2E-NEW-LAPTOP/ }).click();
  const fields = page.getByRole('table', { name: 'Field changes of E2E-NEW-LAPTOP' });
  await expect(fields.getByRole('row').filter({ hasText: 'Serial Number' })).toContainText('E2ESN0001');

  await choose(page, 'Show', 'Updates');
  await shown('1–1 of 1');
  const updated = table.getByRole('row').filter({ hasText: changed.MachineName });
  await expect(updated).toContainText('Update');
  await updated.getByRole('button', { name: /field changes of/ }).click();
  const manufacturer = page
    .getByRole('table', { name: `Field changes of ${changed.MachineName}` })
    .getByRole('row')
    .filter({ hasText: 'Manufacturer' });
  await expect(manufacturer).toContainText('E2E Vendor Inc.');
  await expect(manufacturer.getByRole('cell').nth(1)).not.toHaveText('—');

  await choose(page, 'Show', 'All changes');
  await page.getByLabel('Search by name').fill('E2E-NEW');
  await expect(table.getByRole('row').filter({ hasText: 'E2E-NEW-LAPTOP' }).first()).toBeVisible();
  await page.getByLabel('Search by name').fill('no-such-device');
  await expect(table).toContainText('No changes match this filter.');
});
