import { choose, expect, type KeelApi, signInAsAdmin, test } from './fixtures.js';

/**
 * The Atera RMM integration guide, walked as a new admin would, against the Atera simulator
 * (seed 42: 5 customers, 40 agents, 3 alerts). Runs first (file name), on a fresh Keel.
 */

async function alertRoutesLanded(admin: KeelApi): Promise<boolean> {
  const doc = await admin.get<{ paths: Record<string, unknown> }>('/api/openapi.json');
  const paths = Object.keys(doc.paths).map((p) => p.toLowerCase());
  return paths.includes('/api/integration/atera/pollalerts') && paths.includes('/api/integration/atera/alerts');
}

test.describe
  .serial('Atera RMM integration guide', () => {
    test('connect, map and import customers, preview and import assets, enable the integrator', async ({
      page,
      keel,
      admin,
    }) => {
      test.setTimeout(120_000);
      // Keel customers that meet the Atera ones: one to map by hand, one with a similar name (a suggestion),
      // and two with the same name (a conflict).
      await admin.post('/api/Client', [
        { name: 'Northwind Traders', newclient_sitename: 'HQ' },
        { name: 'Muller & Sohne GmbH', newclient_sitename: 'Main' },
        { name: 'Acme Corp', newclient_sitename: 'Main' },
        { name: 'Acme Corp', newclient_sitename: 'Branch' },
      ]);

      await signInAsAdmin(page);

      // Connecting to Atera: Configuration > Integrations, the '+' enables the module.
      await page.getByRole('link', { name: 'Configuration' }).click();
      await page.getByRole('link', { name: /Integrations/ }).click();
      await expect(page.getByText('Not enabled')).toBeVisible();
      await page.getByRole('button', { name: 'Enable Atera RMM' }).click();
      await expect(page).toHaveURL(/\/config\/integrations\/atera\/connection$/);
      await expect(page.getByText('Module enabled')).toBeVisible();

      // A wrong URL is refused next to its control.
      await page.getByLabel('Atera application URL').fill('not a url');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await expect(page.getByText('must be an http(s) URL')).toBeVisible();

      await page.getByLabel('Atera application URL').fill(keel.simUrl);
      await page.getByLabel('API key', { exact: true }).fill(keel.simApiKey);
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
      await expect(page.getByTestId('apikey-state')).toHaveText('set');
      await page.getByRole('button', { name: 'Test Configuration' }).click();
      await expect(page.getByTestId('test-result')).toContainText('Connected to Atera');
      await expect(page.getByTestId('test-result')).toContainText('5 customers');

      // Importing Customers: top level, one mapping by hand, then the import with its conflicts and suggestions.
      await page.getByRole('tab', { name: 'Customers' }).click();
      await expect(page.getByRole('combobox', { name: 'Top Level for Customers' })).toHaveValue('Customers');
      await page.getByRole('button', { name: 'Add', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Add mapping' });
      await choose(page, 'Keel site', 'Northwind Traders – HQ', 'North');
      await choose(page, 'Atera customer', 'Łódź Żółć Sp. z o.o.');
      await dialog.getByRole('button', { name: 'Save mapping' }).click();
      await expect(dialog).toBeHidden();
      const mappings = page.getByRole('table', { name: 'Customer mappings' });
      await expect(mappings.getByRole('row').filter({ hasText: 'Northwind Traders' })).toContainText(
        'Łódź Żółć Sp. z o.o.',
      );

      await page.getByRole('button', { name: 'Import Customers' }).click();
      const result = page.getByTestId('customer-import-result');
      await expect(result.getByTestId('run-summary')).toContainText('Succeeded');
      await expect(result.getByTestId('run-summary')).toContainText('Conflicts 1');
      const changes = result.getByRole('table', { name: 'Customer import changes' });
      await expect(changes.getByRole('row').filter({ hasText: 'Café Ñandú' })).toContainText('Create');
      await expect(changes.getByRole('row').filter({ hasText: 'Łódź Żółć' })).toContainText('mapped to a Keel site');

      await choose(page, 'Show', 'Conflicts');
      await expect(changes.getByRole('row')).toHaveCount(2); // the header and the one conflict
      await expect(changes.getByRole('row').filter({ hasText: 'Atera 1003' })).toContainText('Conflict');
      await expect(changes.getByRole('button', { name: 'Add a mapping for Acme Corp' })).toBeVisible();

      await choose(page, 'Show', 'Suggestions');
      await expect(changes.getByRole('row')).toHaveCount(3); // Müller & Söhne and "ACME  corp "
      const muller = changes.getByRole('row').filter({ hasText: 'Müller & Söhne GmbH' });
      await expect(muller).toContainText('similar name');
      await muller.getByRole('button', { name: /Map Müller & Söhne GmbH/ }).click();
      await expect(muller).toContainText('Mapped');
      await expect(mappings.getByRole('row').filter({ hasText: 'Muller & Sohne GmbH' })).toContainText(
        'Müller & Söhne GmbH',
      );

      // Import Assets: settings, then the import preview screen and the import with its progress.
      await page.getByRole('tab', { name: 'Assets' }).click();
      await expect(page.getByRole('table', { name: 'Field mappings' })).toContainText('VendorSerialNumber');
      await page.getByRole('button', { name: 'Import Assets' }).click();
      await expect(page).toHaveURL(/import-assets$/);
      await expect(page.getByRole('heading', { name: /Preview #\d+/ })).toBeVisible({ timeout: 30_000 });
      await expect(page.getByText(/Created \d+/).first()).toBeVisible();
      const preview = page.getByRole('table', { name: 'Import preview' });
      await expect(preview.getByRole('row').nth(1)).toBeVisible();
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      const summary = page.getByTestId('run-summary');
      await expect(summary).toContainText('Succeeded', { timeout: 60_000 });
      await expect(summary).toContainText(/Created [1-9]\d*/);

      await page.getByRole('link', { name: 'Assets', exact: true }).click();
      await expect(page.getByRole('table', { name: 'Assets' }).getByRole('link').first()).toBeVisible();
      await expect(page.getByRole('table', { name: 'Assets' })).toContainText('Atera 1000');

      // Import Assets and Customer data automatically: the Keel Integrator.
      await page.getByRole('link', { name: 'Configuration' }).click();
      await page.getByRole('link', { name: /Integrations/ }).click();
      await page.getByRole('link', { name: 'Atera RMM' }).click();
      await page.getByRole('tab', { name: 'Integrator' }).click();
      await page.getByLabel('Enable the Keel Integrator for the Atera RMM integration').check();
      await page.getByLabel('Alerts', { exact: true }).check();
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
      const settings = await admin.get<{ halointegrator_atera: boolean; halointegrator_atera_entities: string[] }>(
        '/api/Integration/Atera',
      );
      expect(settings.halointegrator_atera).toBe(true);
      expect(settings.halointegrator_atera_entities).toEqual(expect.arrayContaining(['customers', 'assets', 'alerts']));

      await page.getByRole('button', { name: 'Dry run' }).click();
      await expect(page.getByTestId('run-summary')).toContainText('Succeeded', { timeout: 30_000 });
      await expect(page.getByTestId('run-summary')).toContainText('Dry run');
    });

    test('alerting: an Atera alert becomes a ticket; closing it resolves the alert; resolving closes the ticket', async ({
      page,
      admin,
      sim,
    }) => {
      test.setTimeout(120_000);
      test.fixme(
        !(await alertRoutesLanded(admin)),
        'alert processing endpoints (PollAlerts, Alerts?ticket_id=) have not landed yet',
      );
      await admin.connect();
      await signInAsAdmin(page);
      await page.goto('/config/integrations/atera/alerting');
      await page.getByLabel('Enable alert processing').check();
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();

      // The deprecated method is refused with a message next to it.
      await page.getByLabel('NHServer (deprecated)').check();
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await expect(page.getByRole('alert').filter({ hasText: 'Not saved' })).toBeVisible();
      await page.getByLabel('Keel Integrator').check();
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();

      // Raise an alert in Atera for an imported device, then check for alerts from the UI.
      const agents = await sim.agents();
      const device = agents.items[0]!;
      const first = await sim.call<{ AlertID: number }>('POST', '/alerts', {
        AgentID: device.AgentID,
        Title: 'E2E: disk C: almost full',
        Severity: 'Critical',
      });
      await page.getByRole('button', { name: 'Check for alerts now' }).click();
      await expect(page.getByTestId('run-summary')).toBeVisible({ timeout: 30_000 });

      await page.getByRole('link', { name: 'Tickets', exact: true }).click();
      await page.getByLabel('Alerts only').click();
      await expect(page.getByLabel('Alerts only')).toBeChecked();
      await page.getByRole('link', { name: 'E2E: disk C: almost full' }).click();
      await expect(page.getByText('Alert', { exact: true }).first()).toBeVisible();
      await expect(page.getByTestId('atera-alert-state')).toContainText(String(first.AlertID));

      // Closing the ticket resolves the alert in Atera (through the outbox): the simulator records the PUT.
      await page.getByRole('button', { name: 'Close ticket' }).click();
      await expect(page.getByRole('main').getByText('Closed', { exact: true }).first()).toBeVisible();
      await expect
        .poll(
          async () => {
            const { calls } = await sim.calls('PUT');
            return calls.some((c) => c.path.toLowerCase() === `/api/v3/alerts/${first.AlertID}`);
          },
          { timeout: 45_000, intervals: [1000] },
        )
        .toBe(true);
      await expect(page.getByTestId('atera-alert-state')).toContainText(/resolv/i, { timeout: 20_000 });

      // Resolving an alert in Atera closes its ticket.
      const second = await sim.call<{ AlertID: number }>('POST', '/alerts', {
        AgentID: device.AgentID,
        Title: 'E2E: service stopped',
        Severity: 'Warning',
      });
      await admin.post('/api/Integration/Atera/PollAlerts?wait=true', {});
      const found = await admin.get<{ tickets: { id: number }[] }>(
        `/api/Tickets?atera_alert_id=${second.AlertID}&pageinate=true`,
      );
      expect(found.tickets).toHaveLength(1);
      await sim.call('POST', `/alerts/${second.AlertID}/resolve`);
      await admin.post('/api/Integration/Atera/PollAlerts?wait=true', {});
      await page.goto(`/tickets/${found.tickets[0]!.id}`);
      await expect(page.getByRole('main').getByText('Closed', { exact: true }).first()).toBeVisible({
        timeout: 20_000,
      });
    });
  });
