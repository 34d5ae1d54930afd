import { z } from 'zod';
import { compileRecordCheck, type FastRecordCheck } from './record-parser.js';

/**
 * Raw Atera API v3 record shapes (reference: /work/shared/reference/atera-api.md §7–§10 and atera-fields.json).
 *
 * Field names are byte-exact PascalCase as Atera sends them (note `AgentId` on alerts vs `AgentID` on agents,
 * `IpAddresses`, `DefaultAgentId`). The spec marks nearly every field nullable; many are also simply absent in
 * real payloads, so optional fields accept null *or* a missing key, and `parseAteraRecord` turns a missing key
 * into `null`: mappers deal with one "no value" instead of two. Unknown keys are stripped, never an error,
 * because Atera adds fields between spec versions (LastSeen, DeviceType, BatteryInfo arrived in 2026) and that
 * must not turn every record into a reject.
 *
 * One deliberate deviation: the primary key of each record (CustomerID, AgentID, AlertID, EndUserID) is required.
 * The spec marks it nullable only because .NET reference types default to nullable; a record without its key
 * cannot be linked, updated or deactivated, so it is reported as a rejected record instead of flowing on as null.
 *
 * Built for throughput (a full agent sync parses 100k records): fields are plain `.nullish()` and timestamps are
 * checked by one object-level check per record instead of a regex check per field, which halves parse time
 * compared with per-field defaults and regexes, with the same accept/reject outcome.
 */

/**
 * Atera timestamps are offset-less .NET strings with 0–7 fractional digits ("2026-09-27T10:15:00.123",
 * "2021-03-27T00:22:14"); swagger samples add "Z" and some fields may carry a date only. Whether they are UTC or
 * account-local is [unverified] (reference §5), so they are kept as strings and converted by parseAteraTimestamp.
 */
export const ATERA_TIMESTAMP_RE =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;

const optString = () => z.string().nullish();
const optInt = () => z.int().nullish();
const optNumber = () => z.number().nullish();
const optBool = () => z.boolean().nullish();
/** A string here; its format is checked by `withTimestamps` on the record. */
const optTimestamp = () => z.string().nullish();

/** Adds the timestamp format check for `fields` to a record schema (one check per record, see file comment). */
function withTimestamps<T extends z.ZodObject>(schema: T, fields: readonly (keyof T['shape'] & string)[]): T {
  const checked = schema.check((ctx) => {
    const value = ctx.value as Record<string, unknown>;
    for (const field of fields) {
      const v = value[field];
      if (typeof v === 'string' && !ATERA_TIMESTAMP_RE.test(v)) {
        ctx.issues.push({
          code: 'custom',
          input: v,
          path: [field],
          message: `expected an ISO-8601 date-time such as 2026-09-27T10:15:00, got "${v.slice(0, 40)}"`,
        });
      }
    }
  });
  TIMESTAMP_FIELDS.set(checked, fields);
  return checked;
}

/** Which fields each record schema checks as timestamps (the fast path in record-parser.ts runs the same check). */
const TIMESTAMP_FIELDS = new WeakMap<z.ZodObject, readonly string[]>();

export const ALERT_STATUSES = ['Open', 'Resolved', 'Snoozed'] as const;
export const ALERT_SEVERITIES = ['Information', 'Warning', 'Critical'] as const;
export const ALERT_CATEGORIES = ['Hardware', 'Disk', 'Availability', 'Performance', 'Exchange', 'General'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];
export type AlertCategory = (typeof ALERT_CATEGORIES)[number];

export const ateraCustomerSchema = withTimestamps(
  z.object({
    CustomerID: z.int(),
    CustomerName: optString(),
    CreatedOn: optTimestamp(),
    LastModified: optTimestamp(),
    BusinessNumber: optString(),
    Domain: optString(),
    Address: optString(),
    City: optString(),
    State: optString(),
    Country: optString(),
    Phone: optString(),
    Fax: optString(),
    Notes: optString(),
    Logo: optString(),
    Links: optString(),
    Longitude: optNumber(),
    Latitude: optNumber(),
    ZipCodeStr: optString(),
  }),
  ['CreatedOn', 'LastModified'],
);

export const ateraHardwareDiskSchema = z.object({
  Drive: z.string().nullable().default(null),
  Free: z.number(),
  Used: z.number(),
  Total: z.number(),
});

/** BatteryInfo is a $ref in the spec, so its nullability is unspecified; treated as possibly null (fields.json _meta). */
export const ateraBatterySchema = z.object({
  Id: z.int(),
  Name: optString(),
  BatteryHealth: z.number(),
  DesignedCapacity: z.int(),
  FullChargeCapacity: z.int(),
  CycleCount: z.int(),
});

export const ateraAgentSchema = withTimestamps(
  z.object({
    MachineID: optString(),
    AgentID: z.int(),
    DeviceGuid: optString(),
    FolderID: optInt(),
    FolderName: optString(),
    CustomerID: optInt(),
    CustomerName: optString(),
    AgentName: optString(),
    SystemName: optString(),
    MachineName: optString(),
    DomainName: optString(),
    CurrentLoggedUsers: optString(),
    ComputerDescription: optString(),
    // The only non-nullable scalar in AgentDto per the spec.
    Monitored: z.boolean(),
    AgentVersion: optString(),
    Favorite: optBool(),
    ThresholdID: optInt(),
    MonitoredAgentID: optInt(),
    Created: optTimestamp(),
    Modified: optTimestamp(),
    Online: optBool(),
    LastSeen: optTimestamp(),
    ReportedFromIP: optString(),
    AppViewUrl: optString(),
    Motherboard: optString(),
    Processor: optString(),
    // int32; the unit is not stated in the spec [unverified].
    Memory: optInt(),
    Display: optString(),
    Sound: optString(),
    ProcessorCoresCount: optInt(),
    SystemDrive: optString(),
    ProcessorClock: optString(),
    Vendor: optString(),
    VendorSerialNumber: optString(),
    VendorBrandModel: optString(),
    ProductName: optString(),
    BiosManufacturer: optString(),
    BiosVersion: optString(),
    BiosReleaseDate: optTimestamp(),
    MacAddresses: z.array(z.string()).nullish(),
    IpAddresses: z.array(z.string()).nullish(),
    HardwareDisks: z.array(ateraHardwareDiskSchema).nullish(),
    BatteryInfo: ateraBatterySchema.nullish(),
    OS: optString(),
    // Free text in every spec version; values are not enumerated, so never switch on it (reference §8 notes).
    OSType: optString(),
    WindowsSerialNumber: optString(),
    Office: optString(),
    OfficeSP: optString(),
    OfficeOEM: optBool(),
    OfficeSerialNumber: optString(),
    OSNum: optNumber(),
    LastRebootTime: optTimestamp(),
    OSVersion: optString(),
    OSBuild: optString(),
    OfficeFullVersion: optString(),
    LastLoginUser: optString(),
    DeviceType: optString(),
  }),
  ['Created', 'Modified', 'LastSeen', 'BiosReleaseDate', 'LastRebootTime'],
);

/**
 * Severity and AlertCategoryID are enum $refs (nullability unspecified → treated as possibly null). Unknown enum
 * values are rejected rather than passed on as free text: ticket priority and routing depend on them, and a
 * visible rejected record is better than a ticket silently filed under the wrong priority.
 */
export const ateraAlertSchema = withTimestamps(
  z.object({
    AlertID: z.int(),
    Code: optInt(),
    Source: optString(),
    Title: optString(),
    Severity: z.enum(ALERT_SEVERITIES).nullish(),
    Created: optTimestamp(),
    SnoozedEndDate: optTimestamp(),
    DeviceGuid: optString(),
    AgentId: optInt(),
    AdditionalInfo: optString(),
    Archived: optBool(),
    // A category NAME despite the "ID" suffix.
    AlertCategoryID: z.enum(ALERT_CATEGORIES).nullish(),
    ArchivedDate: optTimestamp(),
    // Community code treats 0 like null ("no ticket").
    TicketID: optInt(),
    AlertMessage: optString(),
    DeviceName: optString(),
    CustomerID: optInt(),
    CustomerName: optString(),
    FolderID: optInt(),
    PollingCyclesCount: optInt(),
    DeviceType: optString(),
  }),
  ['Created', 'SnoozedEndDate', 'ArchivedDate'],
);

export const ateraContactSchema = withTimestamps(
  z.object({
    EndUserID: z.int(),
    CustomerID: optInt(),
    CustomerName: optString(),
    Firstname: optString(),
    Lastname: optString(),
    JobTitle: optString(),
    Email: optString(),
    Phone: optString(),
    MobilePhone: optString(),
    IsContactPerson: optBool(),
    InIgnoreMode: optBool(),
    CreatedOn: optTimestamp(),
    LastModified: optTimestamp(),
    Archived: optBool(),
    DepartmentID: optInt(),
    DepartmentName: optString(),
    DefaultAgentId: optInt(),
  }),
  ['CreatedOn', 'LastModified'],
);

/**
 * The paging envelope (camelCase, unlike the records). Items are checked one by one in paging.ts so that one bad
 * record does not reject its page; here they are only required to be an array (or null, which the spec allows).
 */
export const ateraEnvelopeSchema = z.object({
  items: z.array(z.unknown()).nullable().default(null),
  page: z.int(),
  itemsInPage: z.int(),
  totalItemCount: z.int().nonnegative(),
  totalPages: z.int().nonnegative(),
  prevLink: z.string().nullable().optional(),
  nextLink: z.string().nullable().optional(),
});

/** What parseAteraRecord returns: every field present, missing optional ones as null. */
export type NullFilled<T> = { [K in keyof T]-?: undefined extends T[K] ? Exclude<T[K], undefined> | null : T[K] };

export type AteraCustomer = NullFilled<z.output<typeof ateraCustomerSchema>>;
export type AteraAgent = NullFilled<z.output<typeof ateraAgentSchema>>;
export type AteraAlert = NullFilled<z.output<typeof ateraAlertSchema>>;
export type AteraContact = NullFilled<z.output<typeof ateraContactSchema>>;
export type AteraHardwareDisk = z.output<typeof ateraHardwareDiskSchema>;
export type AteraBattery = z.output<typeof ateraBatterySchema>;
export type AteraEnvelope = z.output<typeof ateraEnvelopeSchema>;

/** How each resource is validated and which field carries its id (for reporting rejects). */
export interface AteraResource<T> {
  readonly name: string;
  readonly schema: z.ZodObject;
  readonly idField: string;
  /** Phantom: ties the resource to its record type. */
  readonly _record?: T;
}

export const customerResource: AteraResource<AteraCustomer> = {
  name: 'customers',
  schema: ateraCustomerSchema,
  idField: 'CustomerID',
};
export const agentResource: AteraResource<AteraAgent> = {
  name: 'agents',
  schema: ateraAgentSchema,
  idField: 'AgentID',
};
export const alertResource: AteraResource<AteraAlert> = {
  name: 'alerts',
  schema: ateraAlertSchema,
  idField: 'AlertID',
};
export const contactResource: AteraResource<AteraContact> = {
  name: 'contacts',
  schema: ateraContactSchema,
  idField: 'EndUserID',
};

export type ParsedRecord<T> = { success: true; data: T } | { success: false; issues: readonly z.core.$ZodIssue[] };

/**
 * Validates one raw record against its resource's schema and fills absent optional fields with null. Valid records
 * take the compiled fast path (record-parser.ts); anything it does not accept is decided, and explained, by zod.
 */
export function parseAteraRecord<T>(resource: AteraResource<T>, raw: unknown): ParsedRecord<T> {
  const fast = fastCheckOf(resource.schema)(raw);
  return fast !== undefined ? { success: true, data: fast as T } : parseAteraRecordWithZod(resource, raw);
}

const FAST = new WeakMap<z.ZodObject, FastRecordCheck>();
export function fastCheckOf(schema: z.ZodObject): FastRecordCheck {
  let check = FAST.get(schema);
  if (check === undefined) {
    check = compileRecordCheck(schema, TIMESTAMP_FIELDS.get(schema) ?? [], ATERA_TIMESTAMP_RE);
    FAST.set(schema, check);
  }
  return check;
}

/** The zod path: the reference the fast path is tested against, and the explanation of every reject. */
export function parseAteraRecordWithZod<T>(resource: AteraResource<T>, raw: unknown): ParsedRecord<T> {
  const parsed = resource.schema.safeParse(raw);
  if (!parsed.success) return { success: false, issues: parsed.error.issues };
  const record = parsed.data as Record<string, unknown>;
  for (const key of Object.keys(resource.schema.shape)) if (record[key] === undefined) record[key] = null;
  return { success: true, data: record as T };
}

/**
 * Converts an Atera timestamp to a Date. Offset-less values are read as UTC by default; pass
 * `assumeOffsetMinutes` (e.g. the account time zone's offset) when the account is known to report local time,
 * because which of the two Atera does is [unverified]. Returns null for null or unparseable input.
 */
export function parseAteraTimestamp(value: string | null, opts: { assumeOffsetMinutes?: number } = {}): Date | null {
  if (value == null || !ATERA_TIMESTAMP_RE.test(value)) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(
    value,
  );
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  const ms = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0;
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  let offsetMinutes = opts.assumeOffsetMinutes ?? 0;
  if (zone === 'Z') offsetMinutes = 0;
  else if (zone) {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
  }
  t -= offsetMinutes * 60_000;
  return Number.isNaN(t) ? null : new Date(t);
}
