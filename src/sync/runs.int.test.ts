import { beforeEach, expect, it } from 'vitest';
import { describeEachDb, resetDatabase } from '../../test/helpers/db.js';
import { type Change, createRun, listChanges, RunRecorder } from './runs.js';

/**
 * A run's changes are written as arrays (insertChanges): every value must come back exactly as recorded, in the
 * order recorded, whatever text Atera sent (array literals quote, escape and spell NULL in their own way).
 */
describeEachDb('Run changes', (ctx) => {
  beforeEach(async () => {
    await resetDatabase(ctx.database);
  });

  const awkward = [
    'plain',
    'with "quotes" and \\backslashes\\',
    '{braces}, commas, and (parens)',
    'NULL',
    '',
    'Café Ñandú 🚀 日本語',
    'line\nbreak\ttab',
    "it's",
  ];

  it('stores every change exactly and in order, across the 1,000-row statements', async () => {
    const db = ctx.database.db;
    const runId = await createRun(db, { integration: 'atera', kind: 'import_assets', dry_run: false, started_by: 't' });
    const recorder = new RunRecorder(db, runId, () => new Date());
    await recorder.start();
    const recorded: Change[] = [];
    for (let i = 0; i < 1203; i++) {
      const text = awkward[i % awkward.length]!;
      const change: Change = {
        entity: i % 2 ? 'asset' : 'customer',
        external_id: i % 5 === 0 ? null : `${100000 + i}`,
        local_id: i % 3 === 0 ? null : i,
        action: i % 4 === 0 ? 'update' : 'create',
        name: i % 7 === 0 ? null : `${text} #${i}`,
        reason: i % 6 === 0 ? null : text,
        fields:
          i % 2 === 0
            ? null
            : { [text || 'empty']: { before: i % 3 ? null : text, after: { nested: [text, i, true, null] } } },
      };
      recorded.push(change);
      recorder.record(change);
    }
    await recorder.flush();
    const { rows, total } = await listChanges(db, runId, { limit: 2000, offset: 0 });
    expect(total).toBe(recorded.length);
    expect(rows.map(({ id: _id, ...c }) => c)).toEqual(recorded);
  });
});
