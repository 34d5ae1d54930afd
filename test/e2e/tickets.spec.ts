import { choose, expect, signInAsAdmin, test } from './fixtures.js';

test('ticket work: list filters, add a note, change the status, close', async ({ page, admin }) => {
  const ticket = await admin.create('Tickets', {
    summary: 'E2E printer jams on floor 2',
    details: 'Paper jams every\nsecond page.',
    tickettype_id: 1,
  });
  await signInAsAdmin(page);
  await page.getByRole('link', { name: 'Tickets', exact: true }).click();
  const list = page.getByRole('table', { name: 'Tickets' });
  await page.getByLabel('Search tickets').fill('printer jams');
  await expect(list.getByRole('row')).toHaveCount(2);
  await choose(page, 'Ticket type', 'Alert');
  await expect(list).toContainText('Nothing matches');
  await choose(page, 'Ticket type', 'Incident');
  await expect(list.getByRole('row')).toHaveCount(2);

  await list.getByRole('link', { name: 'E2E printer jams on floor 2' }).click();
  await expect(page).toHaveURL(new RegExp(`/tickets/${ticket.id}$`));
  await expect(page.getByTestId('ticket-details')).toHaveText('Paper jams every\nsecond page.');

  await page.getByLabel('Note', { exact: true }).fill('Replaced the fuser unit.');
  await page.getByRole('button', { name: 'Add note' }).click();
  await expect(page.getByTestId('action-note').filter({ hasText: 'Replaced the fuser unit.' })).toBeVisible();

  await choose(page, 'New status', 'In Progress');
  await page.getByLabel('Status change note').fill('Waiting for the part.');
  await page.getByRole('button', { name: 'Change status' }).click();
  await expect(page.getByText('Status: In Progress').first()).toBeVisible();
  await expect(page.getByTestId('action-note').filter({ hasText: 'Waiting for the part.' })).toBeVisible();

  await page.getByRole('button', { name: 'Close ticket' }).click();
  await expect(page.getByRole('button', { name: 'Close ticket' })).toBeHidden();
  const closed = await admin.get<{ status_name: string; dateclosed: string | null }>(`/api/Tickets/${ticket.id}`);
  expect(closed.dateclosed).not.toBeNull();

  await page.getByRole('link', { name: 'Tickets', exact: true }).first().click();
  await page.getByLabel('Search tickets').fill('printer jams');
  await expect(list).toContainText('Nothing matches'); // open tickets only, by default
  await page.locator('.mantine-SegmentedControl-root').getByText('Closed', { exact: true }).click();
  await expect(list.getByRole('row').filter({ hasText: 'E2E printer jams on floor 2' })).toBeVisible();
});
