import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type pg from 'pg';

/**
 * Runs the application's repeated parameterised statements as named prepared statements, per connection.
 *
 * Why: Kysely sends every statement unnamed, so PostgreSQL parses, analyses and plans each one on every call.
 * API requests repeat a few dozen statement texts (a list page, a ticket by id, an asset update) thousands of
 * times; prepared once per connection, later calls skip the parse and reuse the plan. Under the load benchmark
 * PostgreSQL's CPU, not Keel's, was the limit (list p95 134-144 ms before, 99-104 ms after).
 *
 * Bounds: a text is prepared the second time a connection runs it (one-off texts, such as IN lists of a
 * length seen once, stay unnamed and cost the backend no memory); only texts under MAX_TEXT (bulk VALUES lists);
 * at most MAX_PER_CONNECTION names per connection (statements are never deallocated; the pool closes idle
 * connections, which frees them). Statements without parameters (BEGIN, COMMIT, DDL) go unnamed as before.
 */
const MAX_TEXT = 4096;
const MAX_PER_CONNECTION = 500;

type Query = pg.PoolClient['query'];

export function prepareRepeatedStatements(client: pg.PoolClient): void {
  const names = new Set<string>();
  const seenOnce = new LRUCache<string, true>({ max: 2000 });
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  client.query = ((config: unknown, values?: unknown, callback?: unknown) => {
    if (typeof config === 'string' && Array.isArray(values) && config.length < MAX_TEXT) {
      const name = `k${createHash('sha1').update(config).digest('base64url').slice(0, 22)}`;
      if (names.has(name) || (seenOnce.has(name) && names.size < MAX_PER_CONNECTION)) {
        names.add(name);
        return query({ name, text: config, values }, callback);
      }
      seenOnce.set(name, true);
    }
    return query(config, values, callback);
  }) as Query;
}
