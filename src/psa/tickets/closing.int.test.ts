import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/helpers/app.js';
import { describeEachDb } from '../../../test/helpers/db.js';
import { SYSTEM_ACTOR } from '../../app/context.js';
import { AppError } from '../../core/errors.js';
import { inTransaction } from '../common.js';
import type { TicketClosedEvent } from './events.js';
import { changeTicketStatus, closedStatusIds, defaultClosedStatus } from './status-change.js';

/**
 * The public contract of closing: POST /Tickets with a closed status_id and POST /Actions with a closed
 * new_status both set dateclosed and emit TicketEvents.closed exactly once, inside the transaction.
 */
describeEachDb('Closing and reopening tickets', (ctx) => {
  let t: TestApp;
  let closedId: number;
  let newId: number;
  let progressId: number;
  let resolvedId: number;
  const closed: (TicketClosedEvent & { seenInTx: string | null })[] = [];
  const reopened: TicketClosedEvent[] = [];
  let failNext: Error | null = null;

  beforeAll(async () => {
    t = await startTestApp(ctx.database);
    t.ctx.ticketEvents.onClosed(async (tx, e) => {
      // A handler writes its own rows through the transaction handle (as an outbox would).
      const row = await tx
        .selectFrom('ticket')
        .select('dateclosed')
        .where('id', '=', e.ticket.id)
        .executeTakeFirstOrThrow();
      await tx
        .insertInto('integration_error')
        .values({ module: 'test-outbox', entity_id: String(e.ticket.id), error: 'closed' })
        .execute();
      closed.push({ ...e, seenInTx: row.dateclosed });
      if (failNext) {
        const err = failNext;
        failNext = null;
        throw err;
      }
    });
    t.ctx.ticketEvents.onReopened(async (_tx, e) => {
      reopened.push(e);
    });
    const statuses = await t.ctx.db.selectFrom('status').select(['id', 'name']).execute();
    closedId = statuses.find((s) => s.name === 'Closed')!.id;
    newId = statuses.find((s) => s.name === 'New')!.id;
    progressId = statuses.find((s) => s.name === 'In Progress')!.id;
    resolvedId = (await t.call('POST', '/api/Status', [{ name: 'Resolved', type: 1, sequence: 20 }])).body.id;
  });
  afterAll(() => t.close());
  beforeEach(() => {
    closed.length = 0;
    reopened.length = 0;
    failNext = null;
  });

  const newTicket = async (extra: Record<string, unknown> = {}) =>
    (await t.call('POST', '/api/Tickets', [{ summary: 'to close', ...extra }])).body as { id: number };
  const actionsOf = async (id: number) =>
    (await t.call('GET', `/api/Actions?ticket_id=${id}`)).body.actions as Record<string, unknown>[];
  const outboxRows = async (id: number) =>
    t.ctx.db
      .selectFrom('integration_error')
      .select('id')
      .where('module', '=', 'test-outbox')
      .where('entity_id', '=', String(id))
      .execute();

  it('exports the closed statuses and the default one', async () => {
    expect(await closedStatusIds(t.ctx.db)).toEqual([closedId, resolvedId]);
    expect((await defaultClosedStatus(t.ctx.db)).id).toBe(closedId);
  });

  describe('via POST /api/Tickets', () => {
    it('sets dateclosed, records a system action and emits closed exactly once, inside the transaction', async () => {
      const ticket = await newTicket();
      const res = await t.call('POST', '/api/Tickets', [{ id: ticket.id, status_id: closedId }]);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status_name: 'Closed', hasbeenclosed: true });
      expect(res.body.dateclosed).toEqual(expect.any(String));
      expect(closed).toHaveLength(1);
      expect(closed[0]!.ticket).toMatchObject({ id: ticket.id, status_id: closedId, dateclosed: res.body.dateclosed });
      expect(closed[0]!.by).toEqual({ kind: 'application', id: expect.any(Number), name: 'test-admin' });
      expect(closed[0]!.source).toBeUndefined();
      expect(closed[0]!.seenInTx).toBe(res.body.dateclosed);
      expect(await outboxRows(ticket.id)).toHaveLength(1);
      const actions = await actionsOf(ticket.id);
      expect(actions).toEqual([
        expect.objectContaining({
          outcome: 'Status Change',
          note: 'Status changed from New to Closed',
          old_status: newId,
          new_status: closedId,
          new_status_name: 'Closed',
          is_system: true,
          who: 'test-admin',
        }),
      ]);
      expect((await t.call('GET', `/api/Tickets?ticketids=${ticket.id}&closed_only=true`)).body.record_count).toBe(1);
    });

    it('emits nothing on no-op updates: the same closed status, other fields, or closed → another closed status', async () => {
      const ticket = await newTicket({ status_id: closedId });
      expect(closed).toHaveLength(1);
      const dateclosed = (await t.call('GET', `/api/Tickets/${ticket.id}`)).body.dateclosed;
      await t.call('POST', '/api/Tickets', [{ id: ticket.id, status_id: closedId }]);
      await t.call('POST', '/api/Tickets', [{ id: ticket.id, summary: 'renamed while closed' }]);
      const toResolved = await t.call('POST', '/api/Tickets', [{ id: ticket.id, status_id: resolvedId }]);
      expect(toResolved.body).toMatchObject({ status_name: 'Resolved', dateclosed });
      expect(closed).toHaveLength(1);
      expect(reopened).toHaveLength(0);
      // Open → open moves record an action but emit nothing.
      const open = await newTicket();
      await t.call('POST', '/api/Tickets', [{ id: open.id, status_id: progressId }]);
      await t.call('POST', '/api/Tickets', [{ id: open.id, status_id: progressId }]);
      expect(closed).toHaveLength(1);
      expect((await actionsOf(open.id)).map((a) => a.note)).toEqual(['Status changed from New to In Progress']);
    });

    it('a ticket created in a closed status is closed the same way (dateclosed, action, one event)', async () => {
      const res = await t.call('POST', '/api/Tickets', [{ summary: 'born closed', status_id: closedId }]);
      expect(res.body.dateclosed).toEqual(expect.any(String));
      expect(res.body.hasbeenclosed).toBe(true);
      expect(closed.map((e) => e.ticket.id)).toEqual([res.body.id]);
      expect((await actionsOf(res.body.id)).map((a) => a.note)).toEqual(['Ticket created with status Closed']);
    });

    it('reopens: clears dateclosed, keeps hasbeenclosed, emits reopened once', async () => {
      const ticket = await newTicket({ status_id: closedId });
      const res = await t.call('POST', '/api/Tickets', [{ id: ticket.id, status_id: newId }]);
      expect(res.body).toMatchObject({ status_name: 'New', dateclosed: null, hasbeenclosed: true });
      expect(reopened.map((e) => e.ticket.id)).toEqual([ticket.id]);
      expect(reopened[0]!.ticket.dateclosed).toBeNull();
      expect((await t.call('GET', `/api/Tickets?ticketids=${ticket.id}&open_only=true`)).body.record_count).toBe(1);
    });

    it('a handler that throws rolls back the close and everything else in the POST', async () => {
      const ticket = await newTicket();
      const bystander = await newTicket();
      failNext = new AppError('conflict', 'outbox refused');
      const res = await t.call('POST', '/api/Tickets', [
        { id: bystander.id, summary: 'edited in the same POST' },
        { id: ticket.id, status_id: closedId },
      ]);
      expect(res.status).toBe(409);
      expect(closed).toHaveLength(1); // it ran, then threw
      const after = (await t.call('GET', `/api/Tickets/${ticket.id}`)).body;
      expect(after).toMatchObject({ status_name: 'New', dateclosed: null, hasbeenclosed: false });
      expect(await actionsOf(ticket.id)).toEqual([]);
      expect(await outboxRows(ticket.id)).toEqual([]);
      expect((await t.call('GET', `/api/Tickets/${bystander.id}`)).body.summary).toBe('to close');
      // A plain Error from a handler is a 500 that still rolls back.
      failNext = new Error('handler bug');
      expect((await t.call('POST', '/api/Tickets', [{ id: ticket.id, status_id: closedId }])).status).toBe(500);
      expect((await t.call('GET', `/api/Tickets/${ticket.id}`)).body.dateclosed).toBeNull();
    });

    it('two concurrent closes of one ticket emit once', async () => {
      const ticket = await newTicket();
      const results = await Promise.all([
        t.call('POST', '/api/Tickets', [{ id: ticket.id, status_id: closedId }]),
        t.call('POST', '/api/Tickets', [{ id: ticket.id, status_id: closedId }]),
      ]);
      expect(results.map((r) => r.status)).toEqual([200, 200]);
      expect(closed).toHaveLength(1);
      expect(await actionsOf(ticket.id)).toHaveLength(1);
    });
  });

  describe('via POST /api/Actions', () => {
    it('new_status closes the ticket; the posted action is the record; closed emitted once', async () => {
      const ticket = await newTicket();
      const res = await t.call('POST', '/api/Actions', [
        {
          ticket_id: ticket.id,
          outcome: 'Private Note',
          note: 'Fixed the printer',
          hiddenfromuser: true,
          new_status: closedId,
        },
      ]);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        ticket_id: ticket.id,
        outcome: 'Private Note',
        note: 'Fixed the printer',
        new_status: closedId,
        new_status_name: 'Closed',
        old_status: newId,
        hiddenfromuser: true,
        private: true,
        who: 'test-admin',
        who_agentid: null,
        is_system: false,
      });
      expect(closed).toHaveLength(1);
      expect(closed[0]!.ticket.id).toBe(ticket.id);
      expect(closed[0]!.seenInTx).toEqual(expect.any(String));
      const after = (await t.call('GET', `/api/Tickets/${ticket.id}`)).body;
      expect(after).toMatchObject({ status_id: closedId, hasbeenclosed: true });
      expect(after.dateclosed).toBe(closed[0]!.ticket.dateclosed);
      expect((await actionsOf(ticket.id)).map((a) => a.id)).toEqual([res.body.id]);
    });

    it('a note on a closed ticket, or new_status equal to the current one, emits nothing', async () => {
      const ticket = await newTicket({ status_id: closedId });
      closed.length = 0;
      await t.call('POST', '/api/Actions', [{ ticket_id: ticket.id, note: 'just a note' }]);
      const same = await t.call('POST', '/api/Actions', [
        { ticket_id: ticket.id, note: 'still closed', new_status: closedId },
      ]);
      expect(same.body).toMatchObject({ new_status: closedId, old_status: closedId });
      expect(closed).toHaveLength(0);
      expect(reopened).toHaveLength(0);
    });

    it('new_status with an open status reopens and emits reopened once', async () => {
      const ticket = await newTicket({ status_id: closedId });
      const res = await t.call('POST', '/api/Actions', [
        { ticket_id: ticket.id, note: 'not fixed', new_status: progressId },
      ]);
      expect(res.body).toMatchObject({ old_status: closedId, new_status: progressId });
      expect(reopened.map((e) => e.ticket.id)).toEqual([ticket.id]);
      expect((await t.call('GET', `/api/Tickets/${ticket.id}`)).body).toMatchObject({
        dateclosed: null,
        hasbeenclosed: true,
      });
    });

    it('a handler that throws rolls back the close and the action', async () => {
      const ticket = await newTicket();
      failNext = new AppError('conflict', 'outbox refused');
      const res = await t.call('POST', '/api/Actions', [
        { ticket_id: ticket.id, note: 'closing', new_status: closedId },
      ]);
      expect(res.status).toBe(409);
      expect((await t.call('GET', `/api/Tickets/${ticket.id}`)).body.dateclosed).toBeNull();
      expect(await actionsOf(ticket.id)).toEqual([]);
      expect(await outboxRows(ticket.id)).toEqual([]);
    });
  });

  describe('changeTicketStatus, for integrations', () => {
    it('closes with source and system actor, then is a no-op the second time', async () => {
      const ticket = await newTicket();
      const first = await inTransaction(t.ctx.db, (tx) =>
        changeTicketStatus(
          t.ctx,
          tx,
          ticket.id,
          closedId,
          { ...SYSTEM_ACTOR, name: 'Atera' },
          {
            source: 'atera',
            note: 'Alert resolved in Atera',
          },
        ),
      );
      expect(first).toMatchObject({ transition: 'closed', oldStatusId: newId, actionId: expect.any(Number) });
      expect(first.ticket.dateclosed).toEqual(expect.any(String));
      expect(closed).toHaveLength(1);
      expect(closed[0]).toMatchObject({ source: 'atera', by: { kind: 'system', id: null, name: 'Atera' } });
      const again = await inTransaction(t.ctx.db, (tx) =>
        changeTicketStatus(t.ctx, tx, ticket.id, closedId, SYSTEM_ACTOR, { source: 'atera' }),
      );
      expect(again).toMatchObject({ transition: 'unchanged', actionId: null });
      expect(closed).toHaveLength(1);
      const actions = await actionsOf(ticket.id);
      expect(actions).toEqual([
        expect.objectContaining({ note: 'Alert resolved in Atera', who: 'Atera', is_system: true }),
      ]);
    });

    it('refuses a missing ticket (404) or status (400)', async () => {
      const ticket = await newTicket();
      await expect(
        inTransaction(t.ctx.db, (tx) => changeTicketStatus(t.ctx, tx, 99999999, closedId, SYSTEM_ACTOR)),
      ).rejects.toMatchObject({ code: 'not_found' });
      await expect(
        inTransaction(t.ctx.db, (tx) => changeTicketStatus(t.ctx, tx, ticket.id, 99999, SYSTEM_ACTOR)),
      ).rejects.toMatchObject({ code: 'validation' });
    });
  });
});
