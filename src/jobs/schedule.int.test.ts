import { expect, it } from 'vitest';
import { describeEachDb } from '../../test/helpers/db.js';
import { claimDue } from './schedule.js';

describeEachDb('schedule claims', (ctx) => {
  it('fires each due slot once, even when two workers claim at the same moment, and collapses missed slots', async () => {
    const db = ctx.database.db;
    const entries = [{ key: 'alerts', spec: '5m', timezone: 'UTC' }];
    const t0 = new Date('2026-05-01T10:00:00Z');
    expect(await claimDue(db, entries, t0)).toEqual([]); // first sight: schedules the first slot
    expect(await claimDue(db, entries, new Date('2026-05-01T10:04:59Z'))).toEqual([]);
    const at = new Date('2026-05-01T10:05:00Z');
    const [a, b] = await Promise.all([claimDue(db, entries, at), claimDue(db, entries, at)]);
    expect([...a, ...b]).toEqual(['alerts']);
    // Down for an hour: one run, then the next slot is in the future.
    expect(await claimDue(db, entries, new Date('2026-05-01T11:07:00Z'))).toEqual(['alerts']);
    expect(await claimDue(db, entries, new Date('2026-05-01T11:07:30Z'))).toEqual([]);
    const state = await db.selectFrom('schedule_state').selectAll().executeTakeFirstOrThrow();
    expect(state.next_due).toBe('2026-05-01T11:10:00.000Z');
  });
});
