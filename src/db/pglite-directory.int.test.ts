import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { DEFAULT_PGLITE_SHARED_BUFFERS, loadConfig } from '../core/config.js';
import { openDatabase } from './database.js';

/**
 * The embedded database's directory: a new one is created (in a worker thread, see createPgliteDirectory) and
 * opened, an existing one is opened with its data, and a path that cannot hold one fails with its reason.
 */
it('creates a new PGlite directory, opens it, and finds its data again after a restart', async () => {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'keel-pgdir-')), 'data');
  const first = await openDatabase({ dataDir: dir });
  await first.pglite!.exec('CREATE TABLE kept (v text); INSERT INTO kept VALUES ($$still here$$)');
  const shared = async (db: Awaited<ReturnType<typeof openDatabase>>) =>
    (await db.pglite!.query<{ shared_buffers: string }>('SHOW shared_buffers')).rows[0]!.shared_buffers;
  // Its buffer cache is Keel's default, not PGlite's 128MB, unless KEEL_PGLITE_SHARED_BUFFERS says otherwise.
  expect(await shared(first)).toBe(DEFAULT_PGLITE_SHARED_BUFFERS);
  await first.close();
  const again = await openDatabase({ dataDir: dir, pgliteSharedBuffers: '16MB' });
  expect((await again.pglite!.query('SELECT v FROM kept')).rows).toEqual([{ v: 'still here' }]);
  expect(await shared(again)).toBe('16MB');
  await again.close();
}, 60_000);

it('names KEEL_PGLITE_SHARED_BUFFERS when it is not a size', () => {
  expect(loadConfig({}).pgliteSharedBuffers).toBe('32MB');
  expect(() => loadConfig({ KEEL_PGLITE_SHARED_BUFFERS: 'lots' })).toThrow(
    /KEEL_PGLITE_SHARED_BUFFERS must be a size such as 32MB/,
  );
});

it('refuses a data directory path that is a file, naming the problem', async () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'keel-pgdir-')), 'not-a-dir');
  writeFileSync(file, 'x');
  await expect(openDatabase({ dataDir: file })).rejects.toThrow(/EEXIST|ENOTDIR|not a directory|already exists/);
});
