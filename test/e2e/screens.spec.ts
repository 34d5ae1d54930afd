import { mkdirSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { expect, signInAsAdmin, test } from './fixtures.js';

const DIR = 'test-results/screens';

async function shot(page: Page, name: string): Promise<void> {
  await expect(page.getByRole('status').filter({ hasText: 'Loading' })).toHaveCount(0);
  await page.screenshot({ path: `${DIR}/${name}.png`, fullPage: true });
}

test('screenshots of the main screens (1280 px and 390 px)', async ({ page, admin }) => {
  test.setTimeout(90_000);
  mkdirSync(DIR, { recursive: true });
  await admin.ensureAssets();
  const asset = (await admin.get<{ assets: { id: number }[] }>('/api/Asset?pageinate=true&page_size=1')).assets[0]!;
  const client = (await admin.get<{ clients: { id: number }[] }>('/api/Client?pageinate=true&page_size=1&ateraid=1001'))
    .clients[0]!;
  const ticket = (
    await admin.get<{ tickets: { id: number }[] }>('/api/Tickets?pageinate=true&page_size=1&order=id&orderdesc=true')
  ).tickets[0];
  const run = (await admin.get<{ runs: { id: number }[] }>('/api/Integration/Atera/Runs?page_size=1')).runs[0]!;

  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto('/signin');
  await shot(page, '01-sign-in');
  await signInAsAdmin(page);
  await expect(page.getByText('Open tickets')).toBeVisible();
  await shot(page, '02-overview');
  await page.goto('/tickets');
  await expect(page.getByRole('table', { name: 'Tickets' })).toBeVisible();
  await shot(page, '03-tickets');
  if (ticket) {
    await page.goto(`/tickets/${ticket.id}`);
    await expect(page.getByRole('heading', { name: 'Actions' })).toBeVisible();
    await shot(page, '04-ticket');
  }
  await page.goto('/customers');
  await expect(page.getByRole('table', { name: 'Customers' }).getByRole('link').first()).toBeVisible();
  await shot(page, '05-customers');
  await page.goto(`/customers/${client.id}`);
  await expect(page.getByRole('tab', { name: 'Sites' })).toBeVisible();
  await shot(page, '06-customer');
  await page.goto('/assets');
  await expect(page.getByRole('table', { name: 'Assets' }).getByRole('link').first()).toBeVisible();
  await shot(page, '07-assets');
  await page.goto(`/assets/${asset.id}`);
  await expect(page.getByRole('heading', { name: 'Fields', exact: true })).toBeVisible();
  await shot(page, '08-asset');
  await page.goto('/sites');
  await expect(page.getByRole('table', { name: 'Sites' }).getByRole('link').first()).toBeVisible();
  await shot(page, '09-sites');
  await page.goto('/users');
  await expect(page.getByRole('table', { name: 'Users' })).toBeVisible();
  await shot(page, '10-users');
  await page.goto('/config/integrations');
  await expect(page.getByText('Atera RMM').first()).toBeVisible();
  await shot(page, '11-integrations');
  for (const [i, tab] of ['connection', 'customers', 'assets', 'integrator', 'alerting', 'runs'].entries()) {
    await page.goto(`/config/integrations/atera/${tab}`);
    await expect(page.getByRole('tab', { name: new RegExp(tab, 'i'), selected: true })).toBeVisible();
    await page.waitForLoadState('networkidle');
    await shot(page, `${12 + i}-atera-${tab}`);
  }
  await page.goto('/config/integrations/atera/import-assets');
  await expect(page.getByRole('heading', { name: /Preview #\d+/ })).toBeVisible({ timeout: 30_000 });
  await shot(page, '18-import-preview');
  await page.goto(`/config/integrations/atera/runs/${run.id}`);
  await expect(page.getByRole('heading', { name: 'Changes and errors' })).toBeVisible();
  await shot(page, '19-run');

  // A phone.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/tickets');
  await expect(page.getByRole('table', { name: 'Tickets' })).toBeVisible();
  await shot(page, '20-phone-tickets');
  await page.goto('/config/integrations/atera/customers');
  await page.waitForLoadState('networkidle');
  await shot(page, '21-phone-atera-customers');
  await page.getByRole('button', { name: 'Toggle navigation' }).click();
  await expect(
    page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Assets' }),
  ).toBeVisible();
  await shot(page, '22-phone-navigation');
});
