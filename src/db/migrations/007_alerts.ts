import type { Migration } from '../migrator.js';

/**
 * Atera alerts Keel has seen, the ticket each one feeds, and the outbox of calls back to Atera.
 * alert_id is the primary key: an alert is processed once, whatever crashes or parallel pollers do.
 * The outbox's unique (alert_id, action) makes "resolve this alert" exist once per alert.
 */
export const m007_alerts: Migration = {
  name: '007_alerts',
  statements: [
    `CREATE TABLE atera_alert (
      alert_id bigint PRIMARY KEY,
      ticket_id integer REFERENCES ticket(id) ON DELETE SET NULL,
      agent_id bigint,
      device_guid text,
      device_name text,
      customer_id bigint,
      customer_name text,
      code bigint,
      title text,
      severity text,
      category text,
      condition_key text,
      state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'snoozed', 'resolved', 'deleted')),
      disposition text NOT NULL CHECK (disposition IN ('ticket', 'deduplicated', 'recorded', 'pending')),
      pending_reason text,
      atera_created timestamptz,
      first_seen timestamptz NOT NULL DEFAULT now(),
      last_seen timestamptz NOT NULL DEFAULT now(),
      resolved_at timestamptz
    )`,
    `CREATE INDEX atera_alert_ticket_idx ON atera_alert (ticket_id)`,
    `CREATE INDEX atera_alert_state_idx ON atera_alert (state, disposition)`,
    `CREATE TABLE alert_outbox (
      id bigserial PRIMARY KEY,
      alert_id bigint NOT NULL,
      ticket_id integer REFERENCES ticket(id) ON DELETE SET NULL,
      action text NOT NULL CHECK (action IN ('resolve', 'delete')),
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'queued', 'sending', 'done', 'gone')),
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      last_error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      done_at timestamptz,
      UNIQUE (alert_id, action)
    )`,
    `CREATE INDEX alert_outbox_status_idx ON alert_outbox (status, next_attempt_at)`,
  ],
};
