import { type Clock, systemClock } from '../core/clock.js';
import { TokenBuckets } from './budget.js';
import { FaultSet } from './faults.js';
import { ateraTimestamp, generateAgent, generateCustomer, generateData, ID_BASE } from './generator.js';
import { deriveSeed, Rng } from './random.js';
import {
  ALERT_CATEGORIES,
  ALERT_SEVERITIES,
  type SimAgent,
  type SimAlert,
  type SimAlertStatus,
  type SimCategory,
  type SimContact,
  type SimCustomer,
  type SimData,
  type SimSeverity,
} from './types.js';

/**
 * Everything the simulator knows: the Atera account's data, its settings, the faults in force and the log of
 * calls received. Tests drive it directly; the /_sim control API drives the same methods over HTTP.
 *
 * Records are treated as immutable: a change replaces the object. That lets the server cache each record's JSON
 * text (a page of 50 agents is then a string join, not 50 stringify calls) without stale-cache bugs.
 */

export interface SimSettings {
  /** Atera's budget per key; null = unlimited. */
  requestsPerMinute: number | null;
  /** itemsInPage is clamped to this (Atera documents 50). */
  maxPageSize: number;
  /** How the last page signals the end: "" (what PSAtera's loop implies) or null (what the spec allows). */
  nextLinkStyle: 'empty' | 'null';
}

export interface CallLogEntry {
  seq: number;
  method: string;
  path: string;
  query: Record<string, string>;
  /** HTTP status sent; 0 when the connection was dropped before a status line. */
  status: number;
  time: string;
  ms: number;
  auth: 'x-api-key' | 'bearer' | 'none' | 'invalid';
}

export interface GenerateOptions {
  seed: number;
  customers: number;
  agents: number;
  alerts: number;
  contacts?: number;
}

export class SimError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'SimError';
  }
}

export interface RaiseAlertInput {
  AgentID?: number;
  DeviceGuid?: string;
  AlertID?: number;
  Title?: string | null;
  Severity?: SimSeverity | null;
  AlertCategoryID?: SimCategory | null;
  AdditionalInfo?: string | null;
  Code?: number | null;
  SnoozedEndDate?: string | null;
  TicketID?: number | null;
}

type Store<T> = Map<number, T>;

export class SimState {
  readonly clock: Clock;
  readonly faults: FaultSet;
  readonly buckets: TokenBuckets;
  readonly settings: SimSettings;
  logCalls: boolean;

  private rng: Rng;
  private customers: Store<SimCustomer> = new Map();
  private agents: Store<SimAgent> = new Map();
  private alerts: Store<SimAlert> = new Map();
  private contacts: Store<SimContact> = new Map();
  private version = 0;
  private sortedCache = new Map<string, { version: number; list: readonly object[] }>();
  private jsonCache = new WeakMap<object, Buffer>();
  private maxIds = new WeakMap<Store<unknown>, number>();
  private calls: CallLogEntry[] = [];
  private callSeq = 0;
  private readonly maxCalls: number;
  private generated: GenerateOptions;

  constructor(opts: {
    generate: GenerateOptions;
    settings: SimSettings;
    clock?: Clock;
    logCalls?: boolean;
    maxLoggedCalls?: number;
  }) {
    this.clock = opts.clock ?? systemClock;
    this.settings = { ...opts.settings };
    this.buckets = new TokenBuckets(this.settings.requestsPerMinute);
    this.faults = new FaultSet(new Rng(deriveSeed(opts.generate.seed, 'faults')));
    this.logCalls = opts.logCalls ?? true;
    this.maxCalls = opts.maxLoggedCalls ?? 10_000;
    this.rng = new Rng(deriveSeed(opts.generate.seed, 'mutations'));
    this.generated = opts.generate;
    this.load(this.generateNow(opts.generate));
  }

  // ---------------------------------------------------------------- data set

  /** Replaces all data with a fresh deterministic data set (and clears faults and the call log). */
  regenerate(opts: Partial<GenerateOptions> = {}): void {
    this.generated = { ...this.generated, ...opts };
    this.rng = new Rng(deriveSeed(this.generated.seed, 'mutations'));
    this.faults.reset();
    this.clearCalls();
    this.load(this.generateNow(this.generated));
  }

  /** The data is anchored at the start of the clock's current UTC day: deterministic for a seed within a day. */
  private generateNow(opts: GenerateOptions): SimData {
    const now = this.clock.now().getTime();
    return generateData({ ...opts, now: new Date(now - (now % 86_400_000)) });
  }

  private load(data: SimData): void {
    this.customers = new Map(data.customers.map((c) => [c.CustomerID, c]));
    this.agents = new Map(data.agents.map((a) => [a.AgentID, a]));
    this.alerts = new Map(data.alerts.map((a) => [a.AlertID, a]));
    this.contacts = new Map(data.contacts.map((c) => [c.EndUserID, c]));
    this.touch();
  }

  counts(): { customers: number; agents: number; alerts: number; contacts: number } {
    return {
      customers: this.customers.size,
      agents: this.agents.size,
      alerts: this.alerts.size,
      contacts: this.contacts.size,
    };
  }

  updateSettings(patch: Partial<SimSettings>): SimSettings {
    if (patch.maxPageSize !== undefined && !(patch.maxPageSize >= 1))
      throw new SimError(400, 'maxPageSize must be >= 1');
    Object.assign(this.settings, patch);
    if (patch.requestsPerMinute !== undefined) this.buckets.setRequestsPerMinute(patch.requestsPerMinute);
    return { ...this.settings };
  }

  private touch(): void {
    this.version += 1;
  }

  private now(): string {
    return ateraTimestamp(this.clock.now().getTime());
  }

  /** Serialises every record ahead of time, so the first full read is served as fast as later ones. */
  warm(): void {
    for (const store of [this.customers, this.agents, this.alerts, this.contacts] as Store<object>[]) {
      for (const record of store.values()) this.jsonBytes(record);
    }
  }

  /**
   * A record's JSON as UTF-8 bytes, cached (records are immutable, see the file comment). Bytes rather than
   * strings: a page is then a Buffer.concat (a memcpy) instead of a join plus a UTF-8 encode per request, and the
   * cache lives outside the V8 heap, which keeps garbage collection cheap with 100k agents loaded.
   */
  jsonBytes(record: object): Buffer {
    let bytes = this.jsonCache.get(record);
    if (bytes === undefined) {
      bytes = Buffer.from(JSON.stringify(record));
      this.jsonCache.set(record, bytes);
    }
    return bytes;
  }

  /** A record's JSON text as served. */
  json(record: object): string {
    return this.jsonBytes(record).toString('utf8');
  }

  private sorted<T extends object>(key: string, build: () => T[]): readonly T[] {
    const hit = this.sortedCache.get(key);
    if (hit && hit.version === this.version) return hit.list as readonly T[];
    const list = build();
    if (this.sortedCache.size > 256) this.sortedCache.clear();
    this.sortedCache.set(key, { version: this.version, list });
    return list;
  }

  // ---------------------------------------------------------------- reads (what the API serves)

  getCustomer(id: number): SimCustomer | undefined {
    return this.customers.get(id);
  }
  getAgent(id: number): SimAgent | undefined {
    return this.agents.get(id);
  }
  getAlert(id: number): SimAlert | undefined {
    return this.alerts.get(id);
  }
  getContact(id: number): SimContact | undefined {
    return this.contacts.get(id);
  }

  /** SortBy=Creation (default) orders by CustomerID; LastModified by LastModified then id. */
  listCustomers(
    opts: { fromLastModified?: string; sortBy?: 'Creation' | 'LastModified' } = {},
  ): readonly SimCustomer[] {
    const sortBy = opts.sortBy ?? 'Creation';
    return this.sorted(`customers|${opts.fromLastModified ?? ''}|${sortBy}`, () => {
      let list = [...this.customers.values()];
      if (opts.fromLastModified) list = list.filter((c) => (c.LastModified ?? '') >= opts.fromLastModified!);
      return sortBy === 'LastModified'
        ? list.sort((a, b) => cmp(a.LastModified ?? '', b.LastModified ?? '') || a.CustomerID - b.CustomerID)
        : list.sort((a, b) => a.CustomerID - b.CustomerID);
    });
  }

  listAgents(opts: { customerId?: number; machineName?: string } = {}): readonly SimAgent[] {
    const all = this.sorted('agents', () => [...this.agents.values()].sort((a, b) => a.AgentID - b.AgentID));
    if (opts.customerId !== undefined) {
      const id = opts.customerId;
      return this.sorted(`agents|customer|${id}`, () => all.filter((a) => a.CustomerID === id));
    }
    if (opts.machineName !== undefined) {
      const name = opts.machineName.toLowerCase();
      return this.sorted(`agents|machine|${name}`, () =>
        all.filter((a) => (a.MachineName ?? '').toLowerCase() === name),
      );
    }
    return all;
  }

  /** Status is derived as the reference infers (§9): Archived → Resolved; future SnoozedEndDate → Snoozed; else Open. */
  alertStatus(alert: SimAlert): SimAlertStatus {
    if (alert.Archived === true) return 'Resolved';
    if (alert.SnoozedEndDate) {
      const end = Date.parse(`${alert.SnoozedEndDate.slice(0, 23)}Z`);
      if (end > this.clock.now().getTime()) return 'Snoozed';
    }
    return 'Open';
  }

  /** Alerts by AlertID ascending (Atera's order is [unverified]); filtered by status when given. */
  listAlerts(opts: { status?: SimAlertStatus } = {}): readonly SimAlert[] {
    const all = this.sorted('alerts', () => [...this.alerts.values()].sort((a, b) => a.AlertID - b.AlertID));
    if (!opts.status) return all;
    // Snooze expiry depends on the clock, so the cache key includes the current second.
    const second = Math.floor(this.clock.now().getTime() / 1000);
    return this.sorted(`alerts|${opts.status}|${second}`, () => all.filter((a) => this.alertStatus(a) === opts.status));
  }

  /** Default order per the reference: SortBy=Creation is EndUserID descending. Email/Phone match substrings. */
  listContacts(
    opts: { email?: string; phone?: string; fromLastModified?: string; sortBy?: 'Creation' | 'LastModified' } = {},
  ): readonly SimContact[] {
    const key = `contacts|${opts.email ?? ''}|${opts.phone ?? ''}|${opts.fromLastModified ?? ''}|${opts.sortBy ?? ''}`;
    return this.sorted(key, () => {
      const email = opts.email?.toLowerCase();
      const list = [...this.contacts.values()].filter(
        (c) =>
          (email === undefined || (c.Email ?? '').toLowerCase().includes(email)) &&
          (opts.phone === undefined ||
            (c.Phone ?? '').includes(opts.phone) ||
            (c.MobilePhone ?? '').includes(opts.phone)) &&
          (opts.fromLastModified === undefined || (c.LastModified ?? '') >= opts.fromLastModified),
      );
      return opts.sortBy === 'LastModified'
        ? list.sort((a, b) => cmp(a.LastModified ?? '', b.LastModified ?? '') || b.EndUserID - a.EndUserID)
        : list.sort((a, b) => b.EndUserID - a.EndUserID);
    });
  }

  // ---------------------------------------------------------------- customers

  addCustomer(fields: Partial<SimCustomer> = {}): SimCustomer {
    const id = fields.CustomerID ?? this.nextId(this.customers, ID_BASE.customer);
    if (this.customers.has(id)) throw new SimError(409, `customer ${id} already exists`);
    const now = this.now();
    const base = generateCustomer(this.rng, this.customers.size, this.clock.now().getTime());
    const customer: SimCustomer = { ...base, CreatedOn: now, LastModified: now, ...fields, CustomerID: id };
    this.customers.set(id, customer);
    this.noteId(this.customers, id);
    this.touch();
    return customer;
  }

  changeCustomer(id: number, patch: Partial<SimCustomer>): SimCustomer {
    const old = this.mustGet(this.customers, id, 'customer');
    const next: SimCustomer = { ...old, LastModified: this.now(), ...patch, CustomerID: id };
    this.customers.set(id, next);
    // Atera denormalises CustomerName onto agents, alerts and contacts; keep them consistent.
    if (next.CustomerName !== old.CustomerName) {
      const name = next.CustomerName ?? null;
      for (const a of this.agents.values())
        if (a.CustomerID === id) this.agents.set(a.AgentID, { ...a, CustomerName: name });
      for (const a of this.alerts.values())
        if (a.CustomerID === id) this.alerts.set(a.AlertID, { ...a, CustomerName: name });
      for (const c of this.contacts.values()) {
        if (c.CustomerID === id) this.contacts.set(c.EndUserID, { ...c, CustomerName: name });
      }
    }
    this.touch();
    return next;
  }

  /** Removes the customer with its agents, their alerts and its contacts (cascade is [inferred]). */
  deleteCustomer(id: number): void {
    this.mustGet(this.customers, id, 'customer');
    this.customers.delete(id);
    for (const a of [...this.agents.values()]) if (a.CustomerID === id) this.removeAgent(a.AgentID);
    for (const c of [...this.contacts.values()]) if (c.CustomerID === id) this.contacts.delete(c.EndUserID);
    this.touch();
  }

  // ---------------------------------------------------------------- agents

  /** Adds a realistic generated agent under `CustomerID`, overridden by any fields given. */
  addAgent(fields: Partial<SimAgent> & { CustomerID: number }): SimAgent {
    const customer = this.mustGet(this.customers, fields.CustomerID, 'customer');
    const id = fields.AgentID ?? this.nextId(this.agents, ID_BASE.agent);
    if (this.agents.has(id)) throw new SimError(409, `agent ${id} already exists`);
    const now = this.now();
    const base = generateAgent(this.rng, 5 + this.agents.size, customer, this.clock.now().getTime());
    const agent: SimAgent = {
      ...base,
      AppViewUrl: `https://app.atera.com/new/rmm/device/${id}/agent`,
      Created: now,
      Modified: now,
      ...fields,
      AgentID: id,
      CustomerName: customer.CustomerName ?? null,
    };
    this.agents.set(id, agent);
    this.noteId(this.agents, id);
    this.touch();
    return agent;
  }

  /** Changes an agent; a new CustomerID moves it (name and folder follow the new customer). */
  changeAgent(id: number, patch: Partial<SimAgent>): SimAgent {
    const old = this.mustGet(this.agents, id, 'agent');
    let next: SimAgent = { ...old, Modified: this.now(), ...patch, AgentID: id };
    if (patch.CustomerID !== undefined && patch.CustomerID !== old.CustomerID) {
      const customer = this.mustGet(this.customers, patch.CustomerID ?? -1, 'customer');
      next = { ...next, CustomerName: customer.CustomerName ?? null, FolderID: null, FolderName: null };
    }
    this.agents.set(id, next);
    this.touch();
    return next;
  }

  moveAgent(id: number, customerId: number): SimAgent {
    return this.changeAgent(id, { CustomerID: customerId });
  }

  /** Deletes an agent; Atera keeps no tombstone, the agent just vanishes from lists. Its alerts go with it. */
  deleteAgent(id: number): void {
    this.mustGet(this.agents, id, 'agent');
    this.removeAgent(id);
    this.touch();
  }

  private removeAgent(id: number): void {
    this.agents.delete(id);
    for (const a of [...this.alerts.values()]) if (a.AgentId === id) this.alerts.delete(a.AlertID);
  }

  /**
   * Deterministic churn between two syncs: move agents to other customers, delete some, add some. Uses the
   * simulator's seeded generator, so a seed replays the same churn.
   */
  churn(opts: { move?: number; remove?: number; add?: number }): {
    moved: number[];
    removed: number[];
    added: number[];
  } {
    const customers = [...this.customers.keys()];
    const result = { moved: [] as number[], removed: [] as number[], added: [] as number[] };
    if (customers.length === 0) return result;
    const pickAgent = (): number | undefined => {
      const ids = this.listAgents();
      return ids.length > 0 ? ids[this.rng.int(0, ids.length - 1)]?.AgentID : undefined;
    };
    for (let i = 0; i < (opts.move ?? 0); i++) {
      const id = pickAgent();
      if (id === undefined) break;
      const from = this.agents.get(id)?.CustomerID;
      const candidates = customers.filter((c) => c !== from);
      if (candidates.length === 0) break;
      this.moveAgent(id, this.rng.pick(candidates));
      result.moved.push(id);
    }
    for (let i = 0; i < (opts.remove ?? 0); i++) {
      const id = pickAgent();
      if (id === undefined) break;
      this.deleteAgent(id);
      result.removed.push(id);
    }
    for (let i = 0; i < (opts.add ?? 0); i++) {
      result.added.push(this.addAgent({ CustomerID: this.rng.pick(customers) }).AgentID);
    }
    return result;
  }

  // ---------------------------------------------------------------- alerts

  /** Raises an alert on an agent (by AgentID or DeviceGuid); returns its AlertID. */
  raiseAlert(input: RaiseAlertInput): number {
    const agent =
      input.AgentID !== undefined
        ? this.agents.get(input.AgentID)
        : [...this.agents.values()].find((a) => a.DeviceGuid === input.DeviceGuid);
    if (!agent)
      throw new SimError(
        400,
        `no agent with ${input.AgentID !== undefined ? `AgentID ${input.AgentID}` : `DeviceGuid ${input.DeviceGuid}`}`,
      );
    const id = input.AlertID ?? this.nextId(this.alerts, ID_BASE.alert);
    if (this.alerts.has(id)) throw new SimError(409, `alert ${id} already exists`);
    const category = input.AlertCategoryID ?? this.rng.pick(ALERT_CATEGORIES);
    const title = input.Title ?? `${category} alert on ${agent.MachineName ?? 'device'}`;
    const alert: SimAlert = {
      AlertID: id,
      Code: input.Code ?? this.rng.int(1000, 99999),
      Source: 'Agent',
      Title: title,
      Severity: input.Severity ?? this.rng.pick(ALERT_SEVERITIES),
      Created: this.now(),
      SnoozedEndDate: input.SnoozedEndDate ?? null,
      DeviceGuid: agent.DeviceGuid ?? null,
      AgentId: agent.AgentID,
      AdditionalInfo: input.AdditionalInfo ?? null,
      Archived: false,
      AlertCategoryID: category,
      ArchivedDate: null,
      TicketID: input.TicketID ?? null,
      AlertMessage: `${title} on ${agent.MachineName ?? 'device'}`,
      DeviceName: agent.MachineName ?? null,
      CustomerID: agent.CustomerID ?? null,
      CustomerName: agent.CustomerName ?? null,
      FolderID: agent.FolderID ?? null,
      PollingCyclesCount: 1,
      DeviceType: 'Agent',
    };
    this.alerts.set(id, alert);
    this.noteId(this.alerts, id);
    this.touch();
    return id;
  }

  /** What PUT /alerts/{id} does: Archived=true, ArchivedDate=now. Resolving twice keeps it resolved. */
  resolveAlert(id: number): SimAlert {
    const old = this.mustGet(this.alerts, id, 'alert');
    if (old.Archived === true) return old;
    const next: SimAlert = { ...old, Archived: true, ArchivedDate: this.now(), SnoozedEndDate: null };
    this.alerts.set(id, next);
    this.touch();
    return next;
  }

  /** Snoozes until `until` (or for `minutes`); there is no snooze endpoint in the API, only in the Atera UI. */
  snoozeAlert(id: number, opts: { until?: Date | string; minutes?: number }): SimAlert {
    const old = this.mustGet(this.alerts, id, 'alert');
    const until =
      opts.until !== undefined
        ? new Date(opts.until).getTime()
        : this.clock.now().getTime() + (opts.minutes ?? 60) * 60_000;
    if (Number.isNaN(until)) throw new SimError(400, 'until is not a date');
    const next: SimAlert = { ...old, Archived: false, ArchivedDate: null, SnoozedEndDate: ateraTimestamp(until) };
    this.alerts.set(id, next);
    this.touch();
    return next;
  }

  deleteAlert(id: number): void {
    this.mustGet(this.alerts, id, 'alert');
    this.alerts.delete(id);
    this.touch();
  }

  // ---------------------------------------------------------------- call log

  recordCall(entry: Omit<CallLogEntry, 'seq'>): void {
    if (!this.logCalls) return;
    this.calls.push({ seq: ++this.callSeq, ...entry });
    // Bounded so that a long demo or benchmark does not grow the simulator without limit.
    if (this.calls.length > this.maxCalls) this.calls.splice(0, this.calls.length - this.maxCalls);
  }

  /** Calls received, oldest first; filter by method, path (exact, case-insensitive) or sequence number. */
  callLog(filter: { method?: string; path?: string; sinceSeq?: number } = {}): CallLogEntry[] {
    return this.calls.filter(
      (c) =>
        (filter.method === undefined || c.method === filter.method.toUpperCase()) &&
        (filter.path === undefined || c.path.toLowerCase() === filter.path.toLowerCase()) &&
        (filter.sinceSeq === undefined || c.seq > filter.sinceSeq),
    );
  }

  clearCalls(): void {
    this.calls = [];
  }

  // ---------------------------------------------------------------- helpers

  private mustGet<T>(store: Store<T>, id: number, what: string): T {
    const found = store.get(id);
    if (found === undefined) throw new SimError(404, `${what} ${id} does not exist`);
    return found;
  }

  /** Next free id above every id the store has held; remembered per store so repeated adds stay O(1). */
  private nextId(store: Store<unknown>, base: number): number {
    let max = this.maxIds.get(store);
    if (max === undefined) {
      max = base;
      for (const id of store.keys()) if (id > max) max = id;
    }
    this.maxIds.set(store, max + 1);
    return max + 1;
  }

  private noteId(store: Store<unknown>, id: number): void {
    const max = this.maxIds.get(store);
    if (max !== undefined && id > max) this.maxIds.set(store, id);
  }
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
