import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/helpers/app.js';
import { describeEachDb } from '../../../test/helpers/db.js';

describeEachDb('TicketType, Status and Priority API', (ctx) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(ctx.database);
  });
  afterAll(() => t.close());

  describe('TicketType', () => {
    it('lists the seeded types as a bare array, and as an envelope with pageinate', async () => {
      const res = await t.call('GET', '/api/TicketType');
      expect(res.status).toBe(200);
      expect(Array.isArray(res.body)).toBe(true);
      expect(res.body).toEqual(
        expect.arrayContaining([
          { id: expect.any(Number), name: 'Incident', inactive: false, default_priority: 3 },
          { id: expect.any(Number), name: 'Alert', inactive: false, default_priority: 2 },
        ]),
      );
      const paged = await t.call('GET', '/api/TicketType?pageinate=true&page_size=1');
      expect(paged.body).toMatchObject({ page_no: 1, page_size: 1, record_count: 2 });
      expect(paged.body.tickettypes).toHaveLength(1);
    });

    it('creates, updates, hides inactive ones unless asked, and deletes unused ones', async () => {
      const created = await t.call('POST', '/api/TicketType', [{ name: 'Change Request', default_priority: 4 }]);
      expect(created.status).toBe(200);
      expect(created.body).toMatchObject({ name: 'Change Request', default_priority: 4, inactive: false });
      const updated = await t.call('POST', '/api/TicketType', [{ id: created.body.id, inactive: true }]);
      expect(updated.body).toMatchObject({ name: 'Change Request', inactive: true, default_priority: 4 });
      const names = (r: { body: { name: string }[] }) => r.body.map((x) => x.name);
      expect(names(await t.call('GET', '/api/TicketType'))).not.toContain('Change Request');
      expect(names(await t.call('GET', '/api/TicketType?showinactive=true'))).toContain('Change Request');
      expect(names(await t.call('GET', '/api/TicketType?includeinactive=true'))).toContain('Change Request');
      expect((await t.call('GET', `/api/TicketType/${created.body.id}`)).body.name).toBe('Change Request');
      expect((await t.call('DELETE', `/api/TicketType/${created.body.id}`)).status).toBe(200);
      expect((await t.call('GET', `/api/TicketType/${created.body.id}`)).status).toBe(404);
    });

    it('refuses deleting a type tickets use (409)', async () => {
      const type = (await t.call('POST', '/api/TicketType', [{ name: 'Used Type' }])).body;
      expect((await t.call('POST', '/api/Tickets', [{ summary: 'x', tickettype_id: type.id }])).status).toBe(200);
      const res = await t.call('DELETE', `/api/TicketType/${type.id}`);
      expect(res.status).toBe(409);
      expect(res.body.error.message).toContain('used by tickets');
    });

    it('refuses bad input naming the field', async () => {
      const cases: [unknown, number, string][] = [
        [[{}], 400, 'name'],
        [[{ name: '' }], 400, 'name'],
        [[{ name: 'X', default_priority: 999 }], 400, 'default_priority'],
        [[{ name: 'X', default_priority: 'high' }], 400, 'default_priority'],
        [[{ name: 'incident' }], 409, 'name'],
        [[{ id: 999999, name: 'Y' }], 404, 'TicketType 999999'],
      ];
      for (const [body, status, mention] of cases) {
        const res = await t.call('POST', '/api/TicketType', body);
        expect(res.status, JSON.stringify(body)).toBe(status);
        expect(JSON.stringify(res.body)).toContain(mention);
      }
    });
  });

  describe('Status', () => {
    it('lists statuses as a bare array in sequence order; excludeclosed and type filter', async () => {
      const res = await t.call('GET', '/api/Status');
      expect(res.status).toBe(200);
      expect(res.body.slice(0, 3)).toEqual([
        { id: expect.any(Number), name: 'New', type: 0, sequence: 1 },
        { id: expect.any(Number), name: 'In Progress', type: 0, sequence: 2 },
        { id: expect.any(Number), name: 'Closed', type: 1, sequence: 9 },
      ]);
      const open = await t.call('GET', '/api/Status?excludeclosed=true');
      expect(open.body.every((s: { type: number }) => s.type === 0)).toBe(true);
      expect(open.body.map((s: { name: string }) => s.name)).not.toContain('Closed');
      const closed = await t.call('GET', '/api/Status?type=1');
      expect(closed.body.map((s: { name: string }) => s.name)).toContain('Closed');
      const paged = await t.call('GET', '/api/Status?pageinate=true');
      expect(paged.body.statuses.length).toBe(paged.body.record_count);
    });

    it('creates, renames and deletes an unused status', async () => {
      const created = await t.call('POST', '/api/Status', [{ name: 'Resolved', type: 1, sequence: 8 }]);
      expect(created.body).toMatchObject({ name: 'Resolved', type: 1, sequence: 8 });
      const renamed = await t.call('POST', '/api/Status', [{ id: created.body.id, name: 'Fixed' }]);
      expect(renamed.body).toMatchObject({ name: 'Fixed', type: 1, sequence: 8 });
      expect((await t.call('GET', `/api/Status/${created.body.id}`)).body.name).toBe('Fixed');
      expect((await t.call('DELETE', `/api/Status/${created.body.id}`)).status).toBe(200);
      expect((await t.call('GET', `/api/Status/${created.body.id}`)).status).toBe(404);
    });

    it('refuses deleting a status in use, or flipping its type, with 409', async () => {
      const status = (await t.call('POST', '/api/Status', [{ name: 'Waiting on Customer', type: 0 }])).body;
      const ticket = (await t.call('POST', '/api/Tickets', [{ summary: 'waiting', status_id: status.id }])).body;
      expect(ticket.status_id).toBe(status.id);
      const del = await t.call('DELETE', `/api/Status/${status.id}`);
      expect(del.status).toBe(409);
      expect(del.body.error.message).toContain(`ticket ${ticket.id}`);
      const flip = await t.call('POST', '/api/Status', [{ id: status.id, type: 1 }]);
      expect(flip.status).toBe(409);
      expect(JSON.stringify(flip.body)).toContain('type');
      // Once no ticket is in it, its history (the action that moved the ticket away) still keeps it.
      await t.call('POST', '/api/Tickets', [{ id: ticket.id, status_id: 1 }]);
      expect((await t.call('DELETE', `/api/Status/${status.id}`)).status).toBe(409);
    });

    it('refuses bad input naming the field', async () => {
      const cases: [unknown, number, string][] = [
        [[{ name: 'X', type: 2 }], 400, 'type'],
        [[{ name: 'X', type: 'closed' }], 400, 'type'],
        [[{ type: 1 }], 400, 'name'],
        [[{ name: 'x', sequence: 1.5 }], 400, 'sequence'],
        [[{ name: 'closed' }], 409, 'name'],
        [[{ id: 999999, name: 'Z' }], 404, 'Status 999999'],
      ];
      for (const [body, status, mention] of cases) {
        const res = await t.call('POST', '/api/Status', body);
        expect(res.status, JSON.stringify(body)).toBe(status);
        expect(JSON.stringify(res.body)).toContain(mention);
      }
      expect((await t.call('GET', '/api/Status?type=5')).status).toBe(400);
    });
  });

  describe('Priority', () => {
    it('lists priorities as a bare array with id and priorityid both the int', async () => {
      const res = await t.call('GET', '/api/Priority');
      expect(res.status).toBe(200);
      expect(res.body.slice(0, 4)).toEqual([
        { id: 1, priorityid: 1, name: 'Critical' },
        { id: 2, priorityid: 2, name: 'High' },
        { id: 3, priorityid: 3, name: 'Medium' },
        { id: 4, priorityid: 4, name: 'Low' },
      ]);
      expect((await t.call('GET', '/api/Priority/2')).body).toEqual({ id: 2, priorityid: 2, name: 'High' });
      expect((await t.call('GET', '/api/Priority/999')).status).toBe(404);
      // Halo's GUID ids are not Keel's: a clear 400, not a 500.
      const guid = await t.call('GET', '/api/Priority/6f1c2a4e-0000-4000-8000-000000000000');
      expect(guid.status).toBe(400);
    });

    it('creates with the next number or a chosen one, renames, and deletes an unused one', async () => {
      const next = await t.call('POST', '/api/Priority', [{ name: 'Planning' }]);
      expect(next.body).toEqual({ id: 5, priorityid: 5, name: 'Planning' });
      const chosen = await t.call('POST', '/api/Priority', [{ priorityid: 10, name: 'Someday' }]);
      expect(chosen.body).toEqual({ id: 10, priorityid: 10, name: 'Someday' });
      const renamed = await t.call('POST', '/api/Priority', [{ id: 10, name: 'Eventually' }]);
      expect(renamed.body).toEqual({ id: 10, priorityid: 10, name: 'Eventually' });
      expect((await t.call('DELETE', '/api/Priority/10')).status).toBe(200);
      expect((await t.call('DELETE', '/api/Priority/5')).status).toBe(200);
    });

    it('refuses deleting a priority in use (409) and bad input naming the field', async () => {
      const p = (await t.call('POST', '/api/Priority', [{ name: 'Default Only' }])).body;
      await t.call('POST', '/api/TicketType', [{ name: 'Uses Default', default_priority: p.id }]);
      const asDefault = await t.call('DELETE', `/api/Priority/${p.id}`);
      expect(asDefault.status).toBe(409);
      expect(asDefault.body.error.message).toContain('default priority');
      const ticket = (await t.call('POST', '/api/Tickets', [{ summary: 'p1', priority_id: 1 }])).body;
      expect(ticket.priority_name).toBe('Critical');
      expect((await t.call('DELETE', '/api/Priority/1')).status).toBe(409);
      const cases: [unknown, number, string][] = [
        [[{ priorityid: 1, name: 'Dup' }], 409, 'priorityid'],
        [[{ priorityid: 0, name: 'Zero' }], 400, 'priorityid'],
        [[{ priorityid: 7 }], 400, 'name'],
        [[{ id: 2, priorityid: 3, name: 'Swap' }], 400, 'priorityid'],
        [[{ id: 999, name: 'Nope' }], 404, 'Priority 999'],
        [[{ id: 'a-guid', name: 'Nope' }], 400, 'id'],
      ];
      for (const [body, status, mention] of cases) {
        const res = await t.call('POST', '/api/Priority', body);
        expect(res.status, JSON.stringify(body)).toBe(status);
        expect(JSON.stringify(res.body)).toContain(mention);
      }
    });
  });

  it('lets technicians read the lookups but not change them (403)', async () => {
    for (const path of ['TicketType', 'Status', 'Priority']) {
      expect((await t.call('GET', `/api/${path}`, undefined, t.techToken)).status, path).toBe(200);
      expect((await t.call('GET', `/api/${path}/1`, undefined, t.techToken)).status, path).toBe(200);
      expect((await t.call('POST', `/api/${path}`, [{ name: 'Tech made' }], t.techToken)).status, path).toBe(403);
      expect((await t.call('DELETE', `/api/${path}/1`, undefined, t.techToken)).status, path).toBe(403);
    }
  });
});
