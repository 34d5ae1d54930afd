import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/helpers/app.js';
import { describeEachDb } from '../../../test/helpers/db.js';
import { recordIntegrationError } from './integration-errors.js';

describeEachDb('IntegrationError API', (ctx) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(ctx.database);
    await recordIntegrationError(t.ctx.db, {
      module: 'atera',
      entity_type: 'asset',
      entity_id: 4711,
      entity_name: 'PC-4711',
      error: 'Customer 12 is not mapped',
      run_id: null,
    });
    await recordIntegrationError(t.ctx.db, {
      module: 'atera',
      entity_type: 'alert',
      entity_id: 'A-1',
      error: 'x'.repeat(20_000),
    });
    await recordIntegrationError(t.ctx.db, { module: 'other', error: 'boom' });
  });
  afterAll(() => t.close());

  it('lists newest first in the integration_errors envelope, with filters and paging', async () => {
    const res = await t.call('GET', '/api/IntegrationError', undefined, t.techToken);
    expect(res.status).toBe(200);
    expect(res.body.record_count).toBe(3);
    expect(res.body.integration_errors.map((e: { module: string }) => e.module)).toEqual(['other', 'atera', 'atera']);
    const asset = res.body.integration_errors[2];
    expect(asset).toEqual({
      id: expect.any(Number),
      module: 'atera',
      entity_type: 'asset',
      entity_id: '4711',
      entity_name: 'PC-4711',
      error: 'Customer 12 is not mapped',
      date: expect.any(String),
      run_id: null,
    });
    expect(res.body.integration_errors[1].error).toHaveLength(10_000);
    expect((await t.call('GET', '/api/IntegrationError?module=atera')).body.record_count).toBe(2);
    expect((await t.call('GET', '/api/IntegrationError?module=atera&entity_type=alert')).body.record_count).toBe(1);
    const page = await t.call('GET', '/api/IntegrationError?pageinate=true&page_size=2&page_no=2');
    expect(page.body).toMatchObject({ page_no: 2, page_size: 2, record_count: 3 });
    expect(page.body.integration_errors).toHaveLength(1);
    expect((await t.call('GET', `/api/IntegrationError/${asset.id}`)).body).toEqual(asset);
  });

  it('admins post and delete; technicians only read', async () => {
    const created = await t.call('POST', '/api/IntegrationError', [
      { module: 'manual', entity_type: 'site', entity_id: 5, error: 'checked by hand' },
    ]);
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ module: 'manual', entity_id: '5', error: 'checked by hand' });
    const updated = await t.call('POST', '/api/IntegrationError', [{ id: created.body.id, entity_name: 'Main' }]);
    expect(updated.body).toMatchObject({ module: 'manual', entity_name: 'Main' });
    expect((await t.call('POST', '/api/IntegrationError', [{ module: 'm', error: 'e' }], t.techToken)).status).toBe(
      403,
    );
    expect((await t.call('DELETE', `/api/IntegrationError/${created.body.id}`, undefined, t.techToken)).status).toBe(
      403,
    );
    expect((await t.call('DELETE', `/api/IntegrationError/${created.body.id}`)).status).toBe(200);
    expect((await t.call('GET', `/api/IntegrationError/${created.body.id}`)).status).toBe(404);
  });

  it('refuses bad input naming the field', async () => {
    const cases: [unknown, number, string][] = [
      [[{ error: 'no module' }], 400, 'body[0].module'],
      [[{ module: 'm' }], 400, 'body[0].error'],
      [[{ module: 'm', error: 'e', run_id: 'x' }], 400, 'run_id'],
      [[{ module: 'm', error: 'e', entity_id: { a: 1 } }], 400, 'entity_id'],
      [[{ id: 99999999, error: 'e' }], 404, 'IntegrationError 99999999'],
    ];
    for (const [body, status, mention] of cases) {
      const res = await t.call('POST', '/api/IntegrationError', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(JSON.stringify(res.body)).toContain(mention);
    }
    expect((await t.call('GET', '/api/IntegrationError?run_id=abc')).status).toBe(400);
  });
});
