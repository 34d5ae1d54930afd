import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** Row types of every table, as Kysely sees them. Timestamps come back as ISO strings (see database.ts). */
type Timestamp = ColumnType<string, string | undefined, string>;
type Json<T = Record<string, unknown>> = ColumnType<T, T | string | undefined, T | string>;

export interface ToplevelTable {
  id: Generated<number>;
  name: string;
  inactive: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ClientTable {
  id: Generated<number>;
  name: string;
  toplevel_id: number | null;
  main_site_id: number | null;
  inactive: Generated<boolean>;
  ateraid: number | null;
  notes: string | null;
  website: string | null;
  customfields: Json<FieldValues>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SiteTable {
  id: Generated<number>;
  client_id: number;
  name: string;
  address: string | null;
  city: string | null;
  state: string | null;
  postcode: string | null;
  country: string | null;
  phonenumber: string | null;
  notes: string | null;
  inactive: Generated<boolean>;
  ateraid: number | null;
  customfields: Json<FieldValues>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface UsersTable {
  id: Generated<number>;
  name: string;
  firstname: string | null;
  surname: string | null;
  emailaddress: string | null;
  login: string | null;
  phonenumber: string | null;
  client_id: number | null;
  site_id: number | null;
  inactive: Generated<boolean>;
  atera_contact_id: number | null;
  notes: string | null;
  customfields: Json<FieldValues>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AgentTable {
  id: Generated<number>;
  name: string;
  login: string;
  email: string | null;
  role: 'admin' | 'technician';
  disabled: Generated<boolean>;
  password_hash: string | null;
  lastlogindate: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ApiApplicationTable {
  id: Generated<number>;
  name: string;
  client_id: string;
  secret_hash: string;
  role: 'admin' | 'technician';
  disabled: Generated<boolean>;
  created_at: Timestamp;
  lastused_at: string | null;
}

export interface AuthTokenTable {
  token_hash: string;
  agent_id: number | null;
  application_id: number | null;
  role: 'admin' | 'technician';
  expires_at: string;
  created_at: Timestamp;
}

export interface AssetGroupTable {
  id: Generated<number>;
  name: string;
  inactive: Generated<boolean>;
  created_at: Timestamp;
}

export type FieldType = 'text' | 'number' | 'date' | 'boolean';

export interface AssetFieldTable {
  id: Generated<number>;
  name: string;
  type: FieldType;
  sequence: Generated<number>;
}

export interface AssetTypeTable {
  id: Generated<number>;
  name: string;
  assetgroup_id: number;
  keyfield_id: number | null;
  inactive: Generated<boolean>;
  created_at: Timestamp;
}

export interface AssetTypeFieldTable {
  assettype_id: number;
  field_id: number;
  sequence: Generated<number>;
}

export type FieldUsage = 'client' | 'site' | 'users' | 'asset' | 'ticket';

export interface FieldInfoTable {
  id: Generated<number>;
  name: string;
  label: string;
  type: FieldType;
  usage: FieldUsage;
  created_at: Timestamp;
}

/** Values keyed by field id (as a string, because JSON object keys are strings). */
export type FieldValues = Record<string, string | number | boolean | null>;

export interface AssetTable {
  id: Generated<number>;
  inventory_number: string | null;
  key_field: string | null;
  client_id: number | null;
  site_id: number | null;
  assettype_id: number;
  user_id: number | null;
  inactive: Generated<boolean>;
  atera_id: string | null;
  notes: string | null;
  fields: Json<FieldValues>;
  customfields: Json<FieldValues>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface TicketTypeTable {
  id: Generated<number>;
  name: string;
  inactive: Generated<boolean>;
  default_priority: number | null;
  created_at: Timestamp;
}

/** Status.type: 0 = open, 1 = closed. */
export interface StatusTable {
  id: Generated<number>;
  name: string;
  type: number;
  sequence: Generated<number>;
}

export interface PriorityTable {
  id: number;
  name: string;
}

export interface TicketTable {
  id: Generated<number>;
  summary: string;
  details: string | null;
  tickettype_id: number;
  status_id: number;
  priority_id: number | null;
  client_id: number | null;
  site_id: number | null;
  user_id: number | null;
  agent_id: number | null;
  dateoccurred: Timestamp;
  dateclosed: string | null;
  isalert: Generated<boolean>;
  atera_alert_id: number | null;
  customfields: Json<FieldValues>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface TicketAssetTable {
  ticket_id: number;
  asset_id: number;
}

export interface ActionTable {
  id: Generated<number>;
  ticket_id: number;
  outcome: string | null;
  note: string | null;
  new_status: number | null;
  old_status: number | null;
  hiddenfromuser: Generated<boolean>;
  who: string | null;
  who_agentid: number | null;
  is_system: Generated<boolean>;
  datetime: Timestamp;
}

export interface IntegrationErrorTable {
  id: Generated<number>;
  module: string;
  entity_type: string | null;
  entity_id: string | null;
  entity_name: string | null;
  error: string;
  run_id: number | null;
  date: Timestamp;
}

export interface IntegrationSettingTable {
  integration: string;
  key: string;
  value: Json<unknown>;
  updated_at: Timestamp;
}

export interface IntegrationSecretTable {
  integration: string;
  key: string;
  sealed: string;
  updated_at: Timestamp;
}

export interface SyncLinkTable {
  integration: string;
  entity: string;
  external_id: string;
  local_id: number;
  hash: string | null;
  last_seen_run: number | null;
  origin: Generated<'created' | 'matched' | 'mapped'>;
  updated_at: Timestamp;
}

export interface SyncRunTable {
  id: Generated<number>;
  integration: string;
  kind: string;
  status: string;
  dry_run: Generated<boolean>;
  started_by: string | null;
  options: Json;
  counts: Json<Record<string, number>>;
  progress: Json;
  summary: Json;
  error: string | null;
  error_code: string | null;
  queued_at: Timestamp;
  started_at: string | null;
  finished_at: string | null;
}

export interface SyncChangeTable {
  id: Generated<number>;
  run_id: number;
  entity: string;
  external_id: string | null;
  local_id: number | null;
  action: string;
  name: string | null;
  reason: string | null;
  fields: Json<Record<string, { before: unknown; after: unknown }> | null>;
}

/** A candidate of a remembered conflict: a local record and the external id it was linked to then. */
export interface ConflictCandidate {
  id: number;
  external_id: string | null;
}

export interface SyncConflictTable {
  integration: string;
  entity: string;
  external_id: string;
  hash: string;
  match_value: string;
  candidates: Json<ConflictCandidate[]>;
  reason: string;
  updated_at: Timestamp;
}

export interface ScheduleStateTable {
  key: string;
  spec: string;
  next_due: string;
  last_fired: string | null;
}

export interface AteraAlertTable {
  alert_id: number;
  ticket_id: number | null;
  agent_id: number | null;
  device_guid: string | null;
  device_name: string | null;
  customer_id: number | null;
  customer_name: string | null;
  code: number | null;
  title: string | null;
  severity: string | null;
  category: string | null;
  condition_key: string | null;
  state: 'open' | 'snoozed' | 'resolved' | 'deleted';
  disposition: 'ticket' | 'deduplicated' | 'recorded' | 'pending';
  pending_reason: string | null;
  atera_created: string | null;
  first_seen: Timestamp;
  last_seen: Timestamp;
  resolved_at: string | null;
}

export interface AlertOutboxTable {
  id: Generated<number>;
  alert_id: number;
  ticket_id: number | null;
  action: 'resolve' | 'delete';
  status: Generated<'pending' | 'queued' | 'sending' | 'done' | 'gone'>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  last_error: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  done_at: string | null;
}

export interface DB {
  atera_alert: AteraAlertTable;
  alert_outbox: AlertOutboxTable;
  schedule_state: ScheduleStateTable;
  toplevel: ToplevelTable;
  client: ClientTable;
  site: SiteTable;
  users: UsersTable;
  agent: AgentTable;
  api_application: ApiApplicationTable;
  auth_token: AuthTokenTable;
  asset_group: AssetGroupTable;
  asset_field: AssetFieldTable;
  asset_type: AssetTypeTable;
  asset_type_field: AssetTypeFieldTable;
  field_info: FieldInfoTable;
  asset: AssetTable;
  ticket_type: TicketTypeTable;
  status: StatusTable;
  priority: PriorityTable;
  ticket: TicketTable;
  ticket_asset: TicketAssetTable;
  action: ActionTable;
  integration_error: IntegrationErrorTable;
  integration_setting: IntegrationSettingTable;
  integration_secret: IntegrationSecretTable;
  sync_link: SyncLinkTable;
  sync_run: SyncRunTable;
  sync_change: SyncChangeTable;
  sync_conflict: SyncConflictTable;
}

export type Row<T extends keyof DB> = Selectable<DB[T]>;
export type NewRow<T extends keyof DB> = Insertable<DB[T]>;
export type RowUpdate<T extends keyof DB> = Updateable<DB[T]>;
