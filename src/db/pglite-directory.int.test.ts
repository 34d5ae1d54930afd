import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { openDatabase } from './database.js';

/**
 * The embedded database's directory: a new one is created (in a worker thread, see createPgliteDirectory) and
 * opened, an existing one is opened with its data, and a path that cannot hold one fails with its reason.
 */
it('creates a new PGlite directory, opens it, and finds its data again after a restart', async () => {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'keel-pgdir-')), 'data');
  const first = await openDatabase({ dataDir: dir });
  await first.pglite!.exec('CREATE TABLE kept (v text); INSERT INTO kept VALUES ($$still here$$)');
  await first.close();
  const again = await openDatabase({ dataDir: dir });
  expect((await again.pglite!.query('SELECT v FROM kept')).rows).toEqual([{ v: 'still here' }]);
  await again.close();
}, 60_000);

it('refuses a data directory path that is a file, naming the problem', async () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'keel-pgdir-')), 'not-a-dir');
  writeFileSync(file, 'x');
  await expect(openDatabase({ dataDir: file })).rejects.toThrow(/EEXIST|ENOTDIR|not a directory|already exists/);
});
