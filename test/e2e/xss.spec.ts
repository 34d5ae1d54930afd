import { expect, signInAsAdmin, test } from './fixtures.js';

const IMG = '<img src=x onerror=window.__xss=1>';
const SCRIPT = '<script>window.__xss=1</script>';

test('names and notes from Atera and agents render as text, never as HTML', async ({ page, admin, sim }) => {
  await admin.ensureCustomers();
  // An Atera customer Keel created on import is renamed in Atera; the next import follows the rename.
  await sim.call('PATCH', '/customers/1002', { CustomerName: IMG });
  await admin.post('/api/Integration/Atera/ImportCustomers?wait=true', {});

  await signInAsAdmin(page);
  await page.getByRole('link', { name: 'Customers', exact: true }).click();
  await page.getByLabel('Search customers').fill('onerror');
  const list = page.getByRole('table', { name: 'Customers' });
  await expect(list.getByRole('link', { name: IMG })).toBeVisible();
  await list.getByRole('link', { name: IMG }).click();
  await expect(page.getByRole('heading', { name: IMG })).toBeVisible();

  // The Atera customer list in the mapping dialog shows it as text too.
  await page.goto('/config/integrations/atera/customers');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await page.getByRole('combobox', { name: 'Atera customer' }).click();
  await expect(page.getByRole('option', { name: IMG })).toBeVisible();
  await page.keyboard.press('Escape');

  // A ticket note written by an agent.
  const ticket = await admin.create('Tickets', { summary: `Ticket ${IMG}`, details: SCRIPT, tickettype_id: 1 });
  await page.goto(`/tickets/${ticket.id}`);
  await expect(page.getByTestId('ticket-details')).toHaveText(SCRIPT);
  await page.getByLabel('Note', { exact: true }).fill(SCRIPT);
  await page.getByRole('button', { name: 'Add note' }).click();
  await expect(page.getByTestId('action-note').filter({ hasText: SCRIPT })).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('action-note').filter({ hasText: SCRIPT })).toBeVisible();

  expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
  expect(await page.locator('img[src="x"]').count()).toBe(0);
});
