import { e2eEnv } from './env.js';
import { expect, signIn, signInAsAdmin, test } from './fixtures.js';

test.describe('signing in and roles', () => {
  test('a wrong password is refused with a message', async ({ page }) => {
    await page.goto('/signin');
    await page.getByLabel('Login').fill('admin');
    await page.getByLabel('Password', { exact: true }).fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert')).toContainText('not right');
    await expect(page).toHaveURL(/\/signin$/);
  });

  test('an expired session goes to the sign-in page and back after signing in', async ({ page }) => {
    await signInAsAdmin(page);
    await page.getByRole('link', { name: 'Customers', exact: true }).click();
    await expect(page).toHaveURL(/\/customers$/);
    // The server no longer knows the token (expired or revoked).
    await page.evaluate(() => sessionStorage.setItem('keel.token', 'expired-token'));
    await page.reload();
    await expect(page).toHaveURL(/\/signin$/);
    await expect(page.getByText('Your session expired, sign in again')).toBeVisible();
    await page.getByLabel('Login').fill('admin');
    await page.getByLabel('Password', { exact: true }).fill(e2eEnv().adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/customers$/);
  });

  test('sign out ends the session', async ({ page }) => {
    await signInAsAdmin(page);
    const token = await page.evaluate(() => sessionStorage.getItem('keel.token'));
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByText('You are signed out.')).toBeVisible();
    expect(await page.evaluate(() => sessionStorage.getItem('keel.token'))).toBeNull();
    // The token is revoked on the server too.
    const res = await page.request.get('/api/Agent/me', { headers: { authorization: `Bearer ${token}` } });
    expect(res.status()).toBe(401);
    await page.goto('/tickets');
    await expect(page).toHaveURL(/\/signin$/);
  });

  test('a technician does not see Configuration and is refused when opening it', async ({ page, admin }) => {
    const login = `tech${Date.now()}`;
    await admin.post('/api/Agent', [
      { name: 'Terry Technician', login, password: 'tech-pass-12345', role: 'technician' },
    ]);
    await signIn(page, login, 'tech-pass-12345');
    await expect(page.getByTestId('signed-in-agent')).toHaveText('Terry Technician');
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    await expect(nav.getByRole('link', { name: 'Tickets' })).toBeVisible();
    await expect(nav.getByRole('link', { name: 'Configuration' })).toHaveCount(0);
    await page.goto('/config/integrations/atera/connection');
    await expect(page.getByRole('alert')).toContainText('You do not have permission to open Configuration');
    await expect(page.getByLabel('Atera application URL')).toHaveCount(0);
    // The API refuses too.
    const token = await page.evaluate(() => sessionStorage.getItem('keel.token'));
    const res = await page.request.post('/api/Integration/Atera', {
      headers: { authorization: `Bearer ${token}` },
      data: { atera_enabled: false },
    });
    expect(res.status()).toBe(403);
  });

  test('an admin sees Configuration', async ({ page }) => {
    await signInAsAdmin(page);
    await expect(
      page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Configuration' }),
    ).toBeVisible();
  });
});
