import type { Migration } from '../migrator.js';

/**
 * Integration state kept in the database (DESIGN rules 4 and "sync state machine in the database"):
 * settings and encrypted secrets, the link table (external id → local id + content hash), and run
 * history with per-record changes.
 */
export const m002_integration: Migration = {
  name: '002_integration',
  statements: [
    `CREATE TABLE integration_setting (
      integration text NOT NULL,
      key text NOT NULL,
      value jsonb,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (integration, key)
    )`,
    `CREATE TABLE integration_secret (
      integration text NOT NULL,
      key text NOT NULL,
      sealed text NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (integration, key)
    )`,
    `CREATE TABLE sync_link (
      integration text NOT NULL,
      entity text NOT NULL,
      external_id text NOT NULL,
      local_id integer NOT NULL,
      hash text,
      last_seen_run integer,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (integration, entity, external_id)
    )`,
    `CREATE INDEX sync_link_local_idx ON sync_link (integration, entity, local_id)`,
    `CREATE TABLE sync_run (
      id serial PRIMARY KEY,
      integration text NOT NULL,
      kind text NOT NULL,
      status text NOT NULL DEFAULT 'queued',
      dry_run boolean NOT NULL DEFAULT false,
      started_by text,
      options jsonb NOT NULL DEFAULT '{}'::jsonb,
      counts jsonb NOT NULL DEFAULT '{}'::jsonb,
      progress jsonb NOT NULL DEFAULT '{}'::jsonb,
      summary jsonb NOT NULL DEFAULT '{}'::jsonb,
      error text,
      error_code text,
      queued_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      finished_at timestamptz
    )`,
    `CREATE INDEX sync_run_integration_idx ON sync_run (integration, id DESC)`,
    `CREATE INDEX sync_run_status_idx ON sync_run (status)`,
    `CREATE TABLE sync_change (
      id bigserial PRIMARY KEY,
      run_id integer NOT NULL REFERENCES sync_run(id) ON DELETE CASCADE,
      entity text NOT NULL,
      external_id text,
      local_id integer,
      action text NOT NULL,
      name text,
      reason text,
      fields jsonb
    )`,
    `CREATE INDEX sync_change_run_idx ON sync_change (run_id, id)`,
    `CREATE INDEX sync_change_action_idx ON sync_change (run_id, action, id)`,
  ],
};
