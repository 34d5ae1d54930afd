import { choose, expect, signInAsAdmin, test } from './fixtures.js';

test('the New field mapping dialog adds and removes a custom-field mapping', async ({ page, admin }) => {
  await admin.connect();
  await admin.post('/api/FieldInfo', [{ name: 'bios_version', label: 'BIOS version', type: 'text', usage: 'asset' }]);
  await signInAsAdmin(page);
  await page.goto('/config/integrations/atera/assets');
  const table = page.getByRole('table', { name: 'Field mappings' });
  await expect(table).toContainText('MachineName');

  await page.getByRole('button', { name: 'New field mapping' }).click();
  const dialog = page.getByRole('dialog', { name: 'New field mapping' });
  await expect(dialog.getByRole('button', { name: 'Save mapping' })).toBeDisabled();
  await choose(page, 'Atera field', 'BiosVersion', 'Bios');
  await dialog.getByLabel('Custom field').check();
  await choose(page, 'Keel field', 'BIOS version');
  await dialog
    .getByLabel(
      'Only apply this mapping to new Assets and Assets where the Asset field does not currently have a value',
    )
    .check();
  await dialog.getByRole('button', { name: 'Save mapping' }).click();
  await expect(dialog).toBeHidden();

  const row = table.getByRole('row').filter({ hasText: 'BiosVersion' });
  await expect(row).toContainText('Custom field');
  await expect(row).toContainText('BIOS version');
  await expect(row).toContainText('Yes');
  const saved = await admin.get<{
    atera_fieldmappings: { atera_field: string; field_type: string; only_new_or_empty: boolean }[];
  }>('/api/Integration/Atera');
  expect(saved.atera_fieldmappings).toContainEqual(
    expect.objectContaining({ atera_field: 'BiosVersion', field_type: 'custom_field', only_new_or_empty: true }),
  );

  await row.getByRole('button', { name: /Remove field mapping BiosVersion/ }).click();
  await expect(table.getByRole('row').filter({ hasText: 'BiosVersion' })).toHaveCount(0);
});

test('a refused setting shows its message next to the control', async ({ page, admin }) => {
  await admin.connect();
  await signInAsAdmin(page);
  await page.goto('/config/integrations/atera/integrator');
  await page.getByLabel('Assets schedule').fill('every tuesday-ish');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Not saved' })).toBeVisible();
  const field = page.getByLabel('Assets schedule');
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await page.getByLabel('Assets schedule').fill('1d');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
});
