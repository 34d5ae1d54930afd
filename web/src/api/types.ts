/** Shapes of Keel's API responses (see /api/openapi.json). Only the fields the UI reads are typed. */

export interface FieldValue {
  id: number;
  name: string;
  label?: string;
  type: string;
  value: string | number | boolean | null;
}

export interface Agent {
  id: number;
  name: string;
  login: string;
  email: string | null;
  role: 'admin' | 'technician';
}

export interface TopLevel {
  id: number;
  name: string;
  inactive: boolean;
}

export interface Client {
  id: number;
  name: string;
  toplevel_id: number | null;
  toplevel_name: string | null;
  main_site_id: number | null;
  main_site_name: string | null;
  inactive: boolean;
  ateraid: number | null;
  notes: string | null;
  website: string | null;
  customfields: FieldValue[];
  datecreated: string;
}

export interface Site {
  id: number;
  name: string;
  client_id: number;
  client_name: string;
  inactive: boolean;
  ateraid: number | null;
  address: string | null;
  city: string | null;
  state: string | null;
  postcode: string | null;
  country: string | null;
  phonenumber: string | null;
  notes: string | null;
  customfields: FieldValue[];
}

export interface User {
  id: number;
  name: string;
  firstname: string | null;
  surname: string | null;
  emailaddress: string | null;
  login: string | null;
  phonenumber: string | null;
  client_id: number | null;
  client_name: string | null;
  site_id: number | null;
  site_name: string | null;
  inactive: boolean;
  notes: string | null;
  customfields: FieldValue[];
}

export interface Asset {
  id: number;
  inventory_number: string | null;
  key_field: string | null;
  client_id: number | null;
  client_name: string | null;
  site_id: number | null;
  site_name: string | null;
  assettype_id: number | null;
  assettype_name: string | null;
  assetgroup_name: string | null;
  user_id: number | null;
  username: string | null;
  inactive: boolean;
  atera_id: string | null;
  notes: string | null;
  fields: FieldValue[];
  customfields: FieldValue[];
  datecreated: string;
  dlastupdate: string;
}

export interface Ticket {
  id: number;
  summary: string;
  details: string | null;
  tickettype_id: number | null;
  tickettype_name: string | null;
  status_id: number;
  status_name: string;
  priority_id: number | null;
  priority_name: string | null;
  client_id: number | null;
  client_name: string | null;
  site_id: number | null;
  site_name: string | null;
  user_id: number | null;
  user_name: string | null;
  agent_id: number | null;
  agent_name: string | null;
  assets: { id: number; inventory_number: string | null }[];
  dateoccurred: string | null;
  datecreated: string;
  dateclosed: string | null;
  hasbeenclosed: boolean;
  _isalert: boolean;
  atera_alert_id: number | null;
  last_update: string | null;
}

export interface Action {
  id: number;
  ticket_id: number;
  outcome: string | null;
  note: string | null;
  new_status: number | null;
  new_status_name: string | null;
  old_status: number | null;
  hiddenfromuser: boolean;
  private: boolean;
  who: string | null;
  datetime: string;
  is_system: boolean;
}

export interface Status {
  id: number;
  name: string;
  /** 1 = closed. */
  type: number;
  sequence: number;
}

export interface Priority {
  id: number;
  priorityid: number;
  name: string;
}

export interface TicketType {
  id: number;
  name: string;
  inactive: boolean;
}

export interface AssetGroup {
  id: number;
  name: string;
}

export interface AssetField {
  id: number;
  name: string;
  type: string;
}

export interface FieldInfo {
  id: number;
  name: string;
  label: string;
  type: string;
  usage: string;
}

/** Halo's paged list envelope: the records live under a resource-specific key. */
export type Page<K extends string, T> = { page_no: number; page_size: number; record_count: number } & Record<K, T[]>;

// ---- Atera RMM integration ----

export type SeverityName = 'Information' | 'Warning' | 'Critical';

export interface SeverityRule {
  create_ticket: boolean;
  priority_id: number | null;
}

export interface MaintenanceWindow {
  client_id?: number;
  site_id?: number;
  starts_at: string;
  ends_at: string;
  reason?: string;
}

export interface SiteMapping {
  site_id: number;
  atera_customer_id: number;
  site_name?: string | null;
  client_id?: number | null;
  client_name?: string | null;
  atera_customer_name?: string | null;
}

export interface FieldMapping {
  atera_field: string;
  field_type: 'asset_field' | 'custom_field';
  field_id: number | 'inventory_number';
  only_new_or_empty: boolean;
}

export interface AteraSettings {
  atera_enabled: boolean;
  atera_url: string;
  atera_apikey_set: boolean;
  atera_toplevel: number | null;
  atera_sitemappings: SiteMapping[];
  atera_devicetypes: string[];
  atera_defaultsite: number | null;
  atera_defaultgroup: number | null;
  atera_matchingfield: number | 'inventory_number' | null;
  atera_fieldmappings: FieldMapping[];
  halointegrator_atera: boolean;
  halointegrator_atera_entities: ('customers' | 'assets' | 'alerts')[];
  atera_schedule_customers: string;
  atera_schedule_assets: string;
  atera_schedule_alerts: string;
  atera_schedule_timezone: string;
  atera_delete_devices: boolean;
  atera_deactivation_threshold: number;
  halointegrator_atera_lastsync: string | null;
  halointegrator_atera_lasterror: string | null;
  halointegrator_atera_nextdue?: Record<string, string>;
  atera_enable_alerting: boolean;
  atera_alert_method: 'integrator' | 'nhserver';
  atera_alert_type: number | null;
  atera_alert_user: number | null;
  atera_alert_severity_rules: Record<SeverityName, SeverityRule>;
  atera_alert_dedupe: boolean;
  atera_alert_close_only_untouched: boolean;
  atera_alert_flap_minutes: number;
  atera_maintenance_windows: MaintenanceWindow[];
}

/** What the UI shows for alerting keys the server does not return yet. */
export const ALERT_DEFAULTS: Pick<
  AteraSettings,
  | 'atera_enable_alerting'
  | 'atera_alert_method'
  | 'atera_alert_type'
  | 'atera_alert_user'
  | 'atera_alert_severity_rules'
  | 'atera_alert_dedupe'
  | 'atera_alert_close_only_untouched'
  | 'atera_alert_flap_minutes'
  | 'atera_maintenance_windows'
> = {
  atera_enable_alerting: false,
  atera_alert_method: 'integrator',
  atera_alert_type: null,
  atera_alert_user: null,
  atera_alert_severity_rules: {
    Information: { create_ticket: true, priority_id: 4 },
    Warning: { create_ticket: true, priority_id: 3 },
    Critical: { create_ticket: true, priority_id: 1 },
  },
  atera_alert_dedupe: false,
  atera_alert_close_only_untouched: false,
  atera_alert_flap_minutes: 0,
  atera_maintenance_windows: [],
};

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'needs_confirmation' | 'cancelled';

export interface RunProgressPart {
  records?: number;
  total_records?: number | null;
  pages_read?: number;
  total_pages?: number | null;
}

export interface Run {
  id: number;
  kind: string;
  status: RunStatus;
  dry_run: boolean;
  started_by: string | null;
  options: Record<string, unknown>;
  counts: Partial<
    Record<
      'created' | 'updated' | 'unchanged' | 'skipped' | 'conflicts' | 'errors' | 'deactivated' | 'reactivated',
      number
    >
  > &
    Record<string, number>;
  progress: Record<string, RunProgressPart | undefined>;
  summary: Record<string, unknown>;
  error: string | null;
  error_code: string | null;
  queued_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
}

export type ChangeAction =
  | 'create'
  | 'update'
  | 'unchanged'
  | 'skip'
  | 'conflict'
  | 'error'
  | 'deactivate'
  | 'reactivate'
  | 'suggestion';

export interface Change {
  id: number;
  entity: string;
  external_id: string | null;
  local_id: number | null;
  action: ChangeAction;
  name: string | null;
  reason: string | null;
  fields: Record<string, { before: unknown; after: unknown }> | null;
}

export interface AlertPreviewItem {
  alert_id: number;
  title: string | null;
  severity: string | null;
  reason: string | null;
  ticket_id?: number | null;
}

export interface AlertPreview {
  create: AlertPreviewItem[];
  update: AlertPreviewItem[];
  close: AlertPreviewItem[];
  record: AlertPreviewItem[];
}

export interface TicketAlertState {
  alert_id: number;
  state: string;
  outbox: { status: string; attempts: number; last_error: string | null } | null;
}

export interface SimAlert {
  id?: number;
  alert_id?: number;
  AlertID?: number;
  title?: string;
  Title?: string;
  severity?: string;
  Severity?: string;
  agent_id?: number;
  AgentID?: number;
  device_name?: string;
  DeviceName?: string;
  ticket_id?: number | null;
}
