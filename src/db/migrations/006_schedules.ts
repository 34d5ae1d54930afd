import type { Migration } from '../migrator.js';

/**
 * When each schedule is next due. Workers claim a due slot with a compare-and-set on next_due, so with
 * several workers exactly one enqueues each scheduled run.
 */
export const m006_schedules: Migration = {
  name: '006_schedules',
  statements: [
    `CREATE TABLE schedule_state (
      key text PRIMARY KEY,
      spec text NOT NULL,
      next_due timestamptz NOT NULL,
      last_fired timestamptz
    )`,
  ],
};
