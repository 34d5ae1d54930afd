import { Cron } from 'croner';
import type { Kysely } from 'kysely';
import { AppError } from '../core/errors.js';
import type { DB } from '../db/schema.js';

/**
 * A schedule is either an interval ("30s", "5m", "24h", "1d") or a cron expression ("0 3 * * *",
 * evaluated in a time zone, so "3 am" stays 3 am across daylight-saving changes). Pure functions of
 * the time given: tests drive them with any clock.
 */
export type Schedule = { kind: 'interval'; ms: number; spec: string } | { kind: 'cron'; cron: Cron; spec: string };

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function parseSchedule(spec: string, timezone = 'UTC', path = 'schedule'): Schedule {
  const s = spec.trim();
  const m = /^(\d+)\s*(s|m|h|d)$/i.exec(s);
  if (m) {
    const ms = Number(m[1]) * UNIT_MS[m[2]!.toLowerCase() as keyof typeof UNIT_MS];
    if (ms <= 0)
      throw new AppError('validation', `${path}: the interval must be more than 0`, [
        { path, message: 'must be more than 0' },
      ]);
    return { kind: 'interval', ms, spec: s };
  }
  try {
    return { kind: 'cron', cron: new Cron(s, { timezone, paused: true }), spec: s };
  } catch (e) {
    throw new AppError(
      'validation',
      `${path}: "${s}" is neither an interval like "5m" nor a cron expression (${(e as Error).message})`,
      [{ path, message: 'not an interval or cron expression' }],
    );
  }
}

/** The first time strictly after `after` at which the schedule fires. */
export function nextAfter(schedule: Schedule, after: Date): Date {
  if (schedule.kind === 'interval') return new Date(after.getTime() + schedule.ms);
  const next = schedule.cron.nextRun(after);
  if (!next) throw new AppError('validation', `the cron expression "${schedule.spec}" never fires again`);
  return next;
}

/** The shortest gap between two firings (for "no faster than" limits), over the next few firings. */
export function minimumGapMs(schedule: Schedule, from: Date): number {
  if (schedule.kind === 'interval') return schedule.ms;
  let prev = nextAfter(schedule, from);
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i++) {
    const next = nextAfter(schedule, prev);
    min = Math.min(min, next.getTime() - prev.getTime());
    prev = next;
  }
  return min;
}

export interface ScheduleEntry {
  key: string;
  spec: string;
  timezone: string;
}

/**
 * Claims the schedules that are due at `now`: for each, a compare-and-set moves next_due forward,
 * and only the caller whose update won gets the key back. A changed spec resets the slot. Missed
 * slots (downtime) fire once, not once per missed slot.
 */
export async function claimDue(db: Kysely<DB>, entries: ScheduleEntry[], now: Date): Promise<string[]> {
  const due: string[] = [];
  for (const entry of entries) {
    const schedule = parseSchedule(entry.spec, entry.timezone);
    const state = await db.selectFrom('schedule_state').selectAll().where('key', '=', entry.key).executeTakeFirst();
    const specKey = `${entry.spec}|${entry.timezone}`;
    if (!state || state.spec !== specKey) {
      await db
        .insertInto('schedule_state')
        .values({ key: entry.key, spec: specKey, next_due: nextAfter(schedule, now).toISOString() })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({ spec: specKey, next_due: nextAfter(schedule, now).toISOString() }),
        )
        .execute();
      continue;
    }
    if (new Date(state.next_due).getTime() > now.getTime()) continue;
    let next = nextAfter(schedule, new Date(state.next_due));
    while (next.getTime() <= now.getTime()) next = nextAfter(schedule, next);
    const res = await db
      .updateTable('schedule_state')
      .set({ next_due: next.toISOString(), last_fired: now.toISOString() })
      .where('key', '=', entry.key)
      .where('next_due', '=', state.next_due)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 1) due.push(entry.key);
  }
  return due;
}

export async function nextDueTimes(db: Kysely<DB>): Promise<Record<string, string>> {
  const rows = await db.selectFrom('schedule_state').select(['key', 'next_due']).execute();
  return Object.fromEntries(rows.map((r) => [r.key, r.next_due]));
}
