import type { Migration } from '../migrator.js';

/**
 * The PSA core with Halo's entity and field names. Custom field values and asset field values live in
 * jsonb maps keyed by field id: one row per record keeps list queries to one table scan and lets the
 * API return Halo's `fields[]` / `customfields[]` arrays without joins.
 */
export const m001_psa_core: Migration = {
  name: '001_psa_core',
  statements: [
    `CREATE TABLE toplevel (
      id serial PRIMARY KEY,
      name text NOT NULL,
      inactive boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE client (
      id serial PRIMARY KEY,
      name text NOT NULL,
      toplevel_id integer REFERENCES toplevel(id),
      main_site_id integer,
      inactive boolean NOT NULL DEFAULT false,
      ateraid bigint,
      notes text,
      website text,
      customfields jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX client_name_idx ON client (lower(name))`,
    `CREATE INDEX client_toplevel_idx ON client (toplevel_id)`,
    `CREATE INDEX client_ateraid_idx ON client (ateraid)`,
    `CREATE TABLE site (
      id serial PRIMARY KEY,
      client_id integer NOT NULL REFERENCES client(id),
      name text NOT NULL,
      address text,
      city text,
      state text,
      postcode text,
      country text,
      phonenumber text,
      notes text,
      inactive boolean NOT NULL DEFAULT false,
      ateraid bigint,
      customfields jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX site_client_idx ON site (client_id)`,
    `CREATE INDEX site_ateraid_idx ON site (ateraid)`,
    `CREATE INDEX site_name_idx ON site (lower(name))`,
    `ALTER TABLE client ADD CONSTRAINT client_main_site_fk FOREIGN KEY (main_site_id) REFERENCES site(id) ON DELETE SET NULL`,
    `CREATE TABLE users (
      id serial PRIMARY KEY,
      name text NOT NULL,
      firstname text,
      surname text,
      emailaddress text,
      login text,
      phonenumber text,
      client_id integer REFERENCES client(id),
      site_id integer REFERENCES site(id),
      inactive boolean NOT NULL DEFAULT false,
      atera_contact_id bigint,
      notes text,
      customfields jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX users_client_idx ON users (client_id)`,
    `CREATE INDEX users_site_idx ON users (site_id)`,
    `CREATE INDEX users_email_idx ON users (lower(emailaddress))`,
    `CREATE INDEX users_login_idx ON users (lower(login))`,
    `CREATE INDEX users_name_idx ON users (lower(name))`,
    `CREATE TABLE agent (
      id serial PRIMARY KEY,
      name text NOT NULL,
      login text NOT NULL,
      email text,
      role text NOT NULL DEFAULT 'technician' CHECK (role IN ('admin', 'technician')),
      disabled boolean NOT NULL DEFAULT false,
      password_hash text,
      lastlogindate timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE UNIQUE INDEX agent_login_uq ON agent (lower(login))`,
    `CREATE TABLE api_application (
      id serial PRIMARY KEY,
      name text NOT NULL,
      client_id text NOT NULL UNIQUE,
      secret_hash text NOT NULL,
      role text NOT NULL DEFAULT 'admin' CHECK (role IN ('admin', 'technician')),
      disabled boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      lastused_at timestamptz
    )`,
    `CREATE TABLE auth_token (
      token_hash text PRIMARY KEY,
      agent_id integer REFERENCES agent(id) ON DELETE CASCADE,
      application_id integer REFERENCES api_application(id) ON DELETE CASCADE,
      role text NOT NULL,
      expires_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX auth_token_expiry_idx ON auth_token (expires_at)`,
    `CREATE TABLE asset_group (
      id serial PRIMARY KEY,
      name text NOT NULL,
      inactive boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE UNIQUE INDEX asset_group_name_uq ON asset_group (lower(name))`,
    `CREATE TABLE asset_field (
      id serial PRIMARY KEY,
      name text NOT NULL,
      type text NOT NULL DEFAULT 'text' CHECK (type IN ('text', 'number', 'date', 'boolean')),
      sequence integer NOT NULL DEFAULT 0
    )`,
    `CREATE UNIQUE INDEX asset_field_name_uq ON asset_field (lower(name))`,
    `CREATE TABLE asset_type (
      id serial PRIMARY KEY,
      name text NOT NULL,
      assetgroup_id integer NOT NULL REFERENCES asset_group(id),
      keyfield_id integer REFERENCES asset_field(id) ON DELETE SET NULL,
      inactive boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE UNIQUE INDEX asset_type_name_uq ON asset_type (lower(name))`,
    `CREATE INDEX asset_type_group_idx ON asset_type (assetgroup_id)`,
    `CREATE TABLE asset_type_field (
      assettype_id integer NOT NULL REFERENCES asset_type(id) ON DELETE CASCADE,
      field_id integer NOT NULL REFERENCES asset_field(id) ON DELETE CASCADE,
      sequence integer NOT NULL DEFAULT 0,
      PRIMARY KEY (assettype_id, field_id)
    )`,
    `CREATE TABLE field_info (
      id serial PRIMARY KEY,
      name text NOT NULL,
      label text NOT NULL,
      type text NOT NULL DEFAULT 'text' CHECK (type IN ('text', 'number', 'date', 'boolean')),
      usage text NOT NULL CHECK (usage IN ('client', 'site', 'users', 'asset', 'ticket')),
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE UNIQUE INDEX field_info_name_uq ON field_info (usage, lower(name))`,
    `CREATE TABLE asset (
      id serial PRIMARY KEY,
      inventory_number text,
      key_field text,
      client_id integer REFERENCES client(id),
      site_id integer REFERENCES site(id),
      assettype_id integer NOT NULL REFERENCES asset_type(id),
      user_id integer REFERENCES users(id) ON DELETE SET NULL,
      inactive boolean NOT NULL DEFAULT false,
      atera_id text,
      notes text,
      fields jsonb NOT NULL DEFAULT '{}'::jsonb,
      customfields jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX asset_client_idx ON asset (client_id, id)`,
    `CREATE INDEX asset_site_idx ON asset (site_id, id)`,
    `CREATE INDEX asset_type_idx ON asset (assettype_id, id)`,
    `CREATE INDEX asset_user_idx ON asset (user_id)`,
    `CREATE INDEX asset_inventory_idx ON asset (inventory_number)`,
    `CREATE INDEX asset_key_field_idx ON asset (key_field)`,
    `CREATE UNIQUE INDEX asset_atera_id_uq ON asset (atera_id) WHERE atera_id IS NOT NULL`,
    `CREATE TABLE ticket_type (
      id serial PRIMARY KEY,
      name text NOT NULL,
      inactive boolean NOT NULL DEFAULT false,
      default_priority integer,
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE UNIQUE INDEX ticket_type_name_uq ON ticket_type (lower(name))`,
    `CREATE TABLE status (
      id serial PRIMARY KEY,
      name text NOT NULL,
      type integer NOT NULL DEFAULT 0 CHECK (type IN (0, 1)),
      sequence integer NOT NULL DEFAULT 0
    )`,
    `CREATE UNIQUE INDEX status_name_uq ON status (lower(name))`,
    `CREATE TABLE priority (
      id integer PRIMARY KEY,
      name text NOT NULL
    )`,
    `CREATE TABLE ticket (
      id serial PRIMARY KEY,
      summary text NOT NULL,
      details text,
      tickettype_id integer NOT NULL REFERENCES ticket_type(id),
      status_id integer NOT NULL REFERENCES status(id),
      priority_id integer REFERENCES priority(id),
      client_id integer REFERENCES client(id),
      site_id integer REFERENCES site(id),
      user_id integer REFERENCES users(id) ON DELETE SET NULL,
      agent_id integer REFERENCES agent(id) ON DELETE SET NULL,
      dateoccurred timestamptz NOT NULL DEFAULT now(),
      dateclosed timestamptz,
      isalert boolean NOT NULL DEFAULT false,
      atera_alert_id bigint,
      customfields jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX ticket_status_idx ON ticket (status_id, id)`,
    `CREATE INDEX ticket_type_idx ON ticket (tickettype_id, id)`,
    `CREATE INDEX ticket_client_idx ON ticket (client_id, id)`,
    `CREATE INDEX ticket_site_idx ON ticket (site_id)`,
    `CREATE INDEX ticket_user_idx ON ticket (user_id)`,
    `CREATE INDEX ticket_agent_idx ON ticket (agent_id)`,
    `CREATE INDEX ticket_open_idx ON ticket (id) WHERE dateclosed IS NULL`,
    `CREATE UNIQUE INDEX ticket_atera_alert_uq ON ticket (atera_alert_id) WHERE atera_alert_id IS NOT NULL`,
    `CREATE TABLE ticket_asset (
      ticket_id integer NOT NULL REFERENCES ticket(id) ON DELETE CASCADE,
      asset_id integer NOT NULL REFERENCES asset(id) ON DELETE CASCADE,
      PRIMARY KEY (ticket_id, asset_id)
    )`,
    `CREATE INDEX ticket_asset_asset_idx ON ticket_asset (asset_id)`,
    `CREATE TABLE action (
      id serial PRIMARY KEY,
      ticket_id integer NOT NULL REFERENCES ticket(id) ON DELETE CASCADE,
      outcome text,
      note text,
      new_status integer REFERENCES status(id),
      old_status integer,
      hiddenfromuser boolean NOT NULL DEFAULT false,
      who text,
      who_agentid integer REFERENCES agent(id) ON DELETE SET NULL,
      is_system boolean NOT NULL DEFAULT false,
      datetime timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX action_ticket_idx ON action (ticket_id, id)`,
    `CREATE TABLE integration_error (
      id serial PRIMARY KEY,
      module text NOT NULL,
      entity_type text,
      entity_id text,
      entity_name text,
      error text NOT NULL,
      run_id integer,
      date timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX integration_error_module_idx ON integration_error (module, id)`,
  ],
};
