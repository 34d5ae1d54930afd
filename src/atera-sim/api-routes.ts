import { randomUUID } from 'node:crypto';
import { corrupt, HTML_ERROR_PAGE } from './faults.js';
import { BadBody, empty, JSON_TYPE, json, parseJsonBody, problem, type Reply } from './http-util.js';
import { SimError, type SimState } from './state.js';
import {
  ALERT_CATEGORIES,
  ALERT_SEVERITIES,
  ALERT_STATUSES,
  type SimAlertStatus,
  type SimCategory,
  type SimCustomer,
  type SimSeverity,
} from './types.js';

/**
 * Atera API v3 as the simulator serves it: the paths, query parameters, envelopes, status codes and bodies of
 * reference §2 and §7–§10. Where Atera's behaviour is [unverified] the choice made is noted at the spot.
 * Paths and query parameter names match case-insensitively, as on Atera's ASP.NET server.
 */

export interface ApiRequest {
  method: string;
  path: string;
  /** Query parameters with lower-cased names. */
  query: Record<string, string>;
  body?: string;
  contentType?: string;
}

interface Ctx {
  state: SimState;
  req: ApiRequest;
  publicUrl: string;
}

type Resource = 'customers' | 'agents' | 'alerts' | 'contacts';
const ID_FIELDS: Record<Resource, string> = {
  customers: 'CustomerID',
  agents: 'AgentID',
  alerts: 'AlertID',
  contacts: 'EndUserID',
};

const DEFAULT_PAGE_SIZE = 20;
const DATE_FILTER_RE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2})?$/;

/** Fields of CreateCustomerRequest / UpdateCustomerRequest (reference §7); anything else in a body is ignored. */
const CUSTOMER_WRITABLE = [
  'CustomerName',
  'BusinessNumber',
  'Domain',
  'Address',
  'City',
  'State',
  'Country',
  'Phone',
  'Fax',
  'Notes',
  'Links',
  'Longitude',
  'Latitude',
  'ZipCodeStr',
] as const;

type Handler = (ctx: Ctx, m: RegExpExecArray) => Reply;

/** Each route names the spec path it serves; shape.int.test.ts checks every one against atera-fields.json. */
const ROUTES: { spec: string; re: RegExp; methods: Partial<Record<string, Handler>> }[] = [
  { spec: '/api/v3/customers', re: /^\/api\/v3\/customers$/i, methods: { GET: listCustomers, POST: createCustomer } },
  {
    spec: '/api/v3/customers/{customerId}',
    re: /^\/api\/v3\/customers\/(\d+)$/i,
    methods: { GET: getCustomer, PUT: updateCustomer, POST: updateCustomer, DELETE: deleteCustomer },
  },
  {
    spec: '/api/v3/agents',
    re: /^\/api\/v3\/agents$/i,
    methods: { GET: (c) => listPage(c, 'agents', c.state.listAgents()) },
  },
  {
    spec: '/api/v3/agents/customer/{customerId}',
    re: /^\/api\/v3\/agents\/customer\/(\d+)$/i,
    // An unknown customer yields an empty list rather than 404 ([unverified]; the spec lists only 200/500).
    methods: { GET: (c, m) => listPage(c, 'agents', c.state.listAgents({ customerId: Number(m[1]) })) },
  },
  {
    spec: '/api/v3/agents/machine/{machineName}',
    re: /^\/api\/v3\/agents\/machine\/([^/]+)$/i,
    // Paged even though it looks like a lookup: machine names are not unique (reference §8).
    methods: {
      GET: (c, m) => listPage(c, 'agents', c.state.listAgents({ machineName: decodeURIComponent(m[1] ?? '') })),
    },
  },
  {
    spec: '/api/v3/agents/{agentId}',
    re: /^\/api\/v3\/agents\/(\d+)$/i,
    methods: { GET: getAgent, DELETE: deleteAgent },
  },
  { spec: '/api/v3/alerts', re: /^\/api\/v3\/alerts$/i, methods: { GET: listAlerts, POST: createAlert } },
  {
    spec: '/api/v3/alerts/{alertId}',
    re: /^\/api\/v3\/alerts\/(\d+)$/i,
    methods: { GET: getAlert, PUT: resolveAlert, DELETE: deleteAlert },
  },
  { spec: '/api/v3/contacts', re: /^\/api\/v3\/contacts$/i, methods: { GET: listContacts } },
  { spec: '/api/v3/contacts/{contactId}', re: /^\/api\/v3\/contacts\/(\d+)$/i, methods: { GET: getContact } },
  { spec: '/api/v3/account', re: /^\/api\/v3\/account$/i, methods: { GET: getAccount } },
];

/** Method + spec path of every Atera operation the simulator serves. */
export function servedEndpoints(): { method: string; path: string }[] {
  return ROUTES.flatMap((r) => Object.keys(r.methods).map((method) => ({ method, path: r.spec })));
}

export function handleApi(state: SimState, req: ApiRequest, publicUrl: string): Reply {
  const ctx: Ctx = { state, req, publicUrl };
  for (const route of ROUTES) {
    const m = route.re.exec(req.path);
    if (!m) continue;
    const handler = route.methods[req.method];
    if (!handler) return { status: 405, headers: { Allow: Object.keys(route.methods).join(', ') } };
    try {
      return handler(ctx, m);
    } catch (err) {
      if (err instanceof BadBody) return problem(400, 'Bad Request', err.message);
      if (err instanceof QueryError) return problem(400, 'Bad Request', undefined, { [err.param]: [err.message] });
      if (err instanceof SimError) return problem(err.status, err.message, err.message);
      throw err;
    }
  }
  // ASP.NET answers unmatched routes with an empty 404.
  return empty(404);
}

class QueryError extends Error {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message);
  }
}

function intParam(q: Record<string, string>, name: string): number | undefined {
  const raw = q[name.toLowerCase()];
  if (raw === undefined || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw)) throw new QueryError(name, `The value '${raw}' is not valid.`);
  return Number(raw);
}

function enumParam<T extends string>(q: Record<string, string>, name: string, values: readonly T[]): T | undefined {
  const raw = q[name.toLowerCase()];
  if (raw === undefined || raw === '') return undefined;
  // ASP.NET binds enum names case-insensitively and also accepts the ordinal ([inferred] from the contacts docs).
  const byName = values.find((v) => v.toLowerCase() === raw.toLowerCase());
  const byOrdinal = /^\d+$/.test(raw) ? values[Number(raw)] : undefined;
  const value = byName ?? byOrdinal;
  if (value === undefined) throw new QueryError(name, `The value '${raw}' is not valid.`);
  return value;
}

function dateParam(q: Record<string, string>, name: string): string | undefined {
  const raw = q[name.toLowerCase()];
  if (raw === undefined || raw === '') return undefined;
  // yyyy-MM-dd or yyyy-MM-ddTHH:mm:ss, no offset allowed (reference §5).
  if (!DATE_FILTER_RE.test(raw)) throw new QueryError(name, `The value '${raw}' is not valid.`);
  return raw;
}

/**
 * The paging envelope of reference §2, built as a string from cached record JSON. Page-level faults
 * (truncated last page, malformed records, non-JSON body) are applied here because they need the page.
 */
function listPage(ctx: Ctx, resource: Resource, records: readonly object[]): Reply {
  const { state, req } = ctx;
  const faults = state.faults;
  const requested = intParam(req.query, 'itemsInPage');
  // Clamped to the documented maximum; zero/negative fall back to the default ([unverified] on Atera).
  const size = Math.min(
    state.settings.maxPageSize,
    requested !== undefined && requested > 0 ? requested : DEFAULT_PAGE_SIZE,
  );
  const pageParam = intParam(req.query, 'page');
  const page = pageParam !== undefined && pageParam > 0 ? pageParam : 1;
  const total = records.length;
  const totalPages = Math.ceil(total / size);
  const start = (page - 1) * size;
  let slice = records.slice(start, start + size);

  if (page === totalPages) {
    const cut = faults.take('truncate-last-page', req.method, req.path);
    if (cut) slice = slice.slice(0, Math.max(0, slice.length - (cut.missing ?? 1)));
  }
  const bad = faults.take('malformed-records', req.method, req.path);
  const idField = ID_FIELDS[resource];
  let badOnPage = 0;
  const parts: Buffer[] = [];
  for (const [j, record] of slice.entries()) {
    if (j > 0) parts.push(COMMA);
    const index = start + j;
    const id = (record as Record<string, unknown>)[idField];
    const hit =
      bad !== null &&
      ((bad.every !== undefined && (index + 1) % bad.every === 0) ||
        (typeof id === 'number' && bad.ids !== undefined && bad.ids.includes(id)));
    if (!hit) {
      parts.push(state.jsonBytes(record));
      continue;
    }
    const variant = bad.every !== undefined ? Math.floor(index / bad.every) : badOnPage;
    badOnPage += 1;
    parts.push(Buffer.from(JSON.stringify(corrupt(resource, record, variant))));
  }

  const end = state.settings.nextLinkStyle === 'null' ? null : '';
  // Links carry page and itemsInPage only; whether Atera carries other filters is [unverified], and leaving them
  // out is the case that punishes clients which follow nextLink blindly.
  const link = (p: number): string => `${ctx.publicUrl}${req.path}?page=${p}&itemsInPage=${size}`;
  const prev = page > 1 ? link(Math.min(page - 1, Math.max(totalPages, 1))) : end;
  const next = page < totalPages ? link(page + 1) : end;
  const tail =
    `],"page":${page},"itemsInPage":${size},"totalItemCount":${total},` +
    `"totalPages":${totalPages},"prevLink":${JSON.stringify(prev)},"nextLink":${JSON.stringify(next)}}`;
  // The page is assembled from cached UTF-8 bytes: no per-request serialisation of records.
  const body = Buffer.concat([ITEMS_OPEN, ...parts, Buffer.from(tail)]);

  const broken = faults.take('non-json', req.method, req.path, (f) => f.page === undefined || f.page === page);
  if (broken) {
    return broken.body === 'truncated-json'
      ? { status: 200, body: body.subarray(0, Math.floor(body.length / 2)), contentType: JSON_TYPE }
      : { status: 200, body: HTML_ERROR_PAGE, contentType: 'text/html; charset=utf-8' };
  }
  return { status: 200, body, contentType: JSON_TYPE };
}

const ITEMS_OPEN = Buffer.from('{"items":[');
const COMMA = Buffer.from(',');

function one(ctx: Ctx, resource: Resource, record: object | undefined, id: string | undefined): Reply {
  // Unknown ids: 404 ProblemDetails. The spec lists 404 for alerts; for customers, agents and contacts it lists
  // only 200/500, so their 404 here is [unverified].
  if (record === undefined) return problem(404, 'Not Found', `${resource.slice(0, -1)} ${id} was not found`);
  // A malformed-records fault that lists this id breaks the single GET too.
  const bad = ctx.state.faults.take('malformed-records', ctx.req.method, ctx.req.path, (f) =>
    (f.ids ?? []).includes(Number(id)),
  );
  const body = bad ? JSON.stringify(corrupt(resource, record, 0)) : ctx.state.jsonBytes(record);
  return { status: 200, body, contentType: JSON_TYPE };
}

const idOf = (m: RegExpExecArray): number => Number(m[1]);

function listCustomers(ctx: Ctx): Reply {
  const q = ctx.req.query;
  const fromLastModified = dateParam(q, 'FromLastModifiedDate');
  const sortBy = enumParam(q, 'SortBy', ['Creation', 'LastModified'] as const);
  return listPage(ctx, 'customers', ctx.state.listCustomers({ fromLastModified, sortBy }));
}

function getCustomer(ctx: Ctx, m: RegExpExecArray): Reply {
  return one(ctx, 'customers', ctx.state.getCustomer(idOf(m)), m[1]);
}

function customerFields(ctx: Ctx): Partial<SimCustomer> {
  requireJson(ctx.req);
  const body = parseJsonBody(ctx.req.body);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new BadBody('A JSON object is required.');
  const src = body as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of CUSTOMER_WRITABLE) if (k in src) out[k] = src[k];
  return out as Partial<SimCustomer>;
}

function createCustomer(ctx: Ctx): Reply {
  const fields = customerFields(ctx);
  if (typeof fields.CustomerName !== 'string' || fields.CustomerName.trim() === '') {
    return problem(400, 'Bad Request', undefined, { CustomerName: ['The CustomerName field is required.'] });
  }
  ctx.state.addCustomer(fields);
  return json(201, { ActionID: randomUUID() });
}

/** Updates only the fields present in the body (whether Atera nulls omitted fields is [unverified]). */
function updateCustomer(ctx: Ctx, m: RegExpExecArray): Reply {
  const fields = customerFields(ctx);
  if (!ctx.state.getCustomer(idOf(m))) return problem(404, 'Not Found', `Customer ${m[1]} was not found`);
  ctx.state.changeCustomer(idOf(m), fields);
  return json(200, { ActionID: randomUUID() });
}

function deleteCustomer(ctx: Ctx, m: RegExpExecArray): Reply {
  if (!ctx.state.getCustomer(idOf(m))) return problem(404, 'Not Found', `Customer ${m[1]} was not found`);
  ctx.state.deleteCustomer(idOf(m));
  return empty(204);
}

function getAgent(ctx: Ctx, m: RegExpExecArray): Reply {
  return one(ctx, 'agents', ctx.state.getAgent(idOf(m)), m[1]);
}

function deleteAgent(ctx: Ctx, m: RegExpExecArray): Reply {
  if (!ctx.state.getAgent(idOf(m))) return problem(404, 'Not Found', `Agent ${m[1]} was not found`);
  ctx.state.deleteAgent(idOf(m));
  return empty(204);
}

/** Without alertStatus every alert is listed; Atera's behaviour there is [unverified] (reference §9). */
function listAlerts(ctx: Ctx): Reply {
  const status = enumParam(ctx.req.query, 'alertStatus', ALERT_STATUSES) as SimAlertStatus | undefined;
  return listPage(ctx, 'alerts', ctx.state.listAlerts({ status }));
}

function getAlert(ctx: Ctx, m: RegExpExecArray): Reply {
  return one(ctx, 'alerts', ctx.state.getAlert(idOf(m)), m[1]);
}

/**
 * PUT with no body resolves the alert → 204. Re-resolving answers 204 again and an unknown id 404 ProblemDetails;
 * both are [unverified] (the spec lists only 204/400/500).
 */
function resolveAlert(ctx: Ctx, m: RegExpExecArray): Reply {
  if (!ctx.state.getAlert(idOf(m))) return problem(404, 'Not Found', `Alert ${m[1]} was not found`);
  ctx.state.resolveAlert(idOf(m));
  return empty(204);
}

function deleteAlert(ctx: Ctx, m: RegExpExecArray): Reply {
  if (!ctx.state.getAlert(idOf(m))) return problem(404, 'Not Found', `Alert ${m[1]} was not found`);
  ctx.state.deleteAlert(idOf(m));
  return empty(204);
}

/**
 * POST /alerts with CreateAlertRequest → 201 {"ActionID": string}; the AlertID is not returned (reference §9).
 * AlertMessage in the body is ignored: it is read-only. An unknown DeviceGuid answers 409 ([unverified] cause).
 */
function createAlert(ctx: Ctx): Reply {
  requireJson(ctx.req);
  const body = parseJsonBody(ctx.req.body);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new BadBody('A JSON object is required.');
  const b = body as Record<string, unknown>;
  const errors: Record<string, string[]> = {};
  if (typeof b.DeviceGuid !== 'string' || b.DeviceGuid === '')
    errors.DeviceGuid = ['The DeviceGuid field is required.'];
  if (b.Severity != null && !ALERT_SEVERITIES.includes(b.Severity as SimSeverity)) {
    errors.Severity = [`The value '${String(b.Severity)}' is not valid.`];
  }
  if (b.AlertCategoryID != null && !ALERT_CATEGORIES.includes(b.AlertCategoryID as SimCategory)) {
    errors.AlertCategoryID = [`The value '${String(b.AlertCategoryID)}' is not valid.`];
  }
  if (Object.keys(errors).length > 0) return problem(400, 'Bad Request', undefined, errors);
  try {
    ctx.state.raiseAlert({
      DeviceGuid: b.DeviceGuid as string,
      Title: typeof b.Title === 'string' ? b.Title : null,
      Severity: (b.Severity as SimSeverity | null | undefined) ?? 'Warning',
      AlertCategoryID: (b.AlertCategoryID as SimCategory | null | undefined) ?? 'General',
      AdditionalInfo: typeof b.AdditionalInfo === 'string' ? b.AdditionalInfo : null,
      Code: typeof b.Code === 'number' ? b.Code : null,
      SnoozedEndDate: typeof b.SnoozedEndDate === 'string' ? b.SnoozedEndDate : null,
      TicketID: typeof b.TicketID === 'number' ? b.TicketID : null,
    });
  } catch (err) {
    if (err instanceof SimError && err.status === 400) return problem(409, 'Conflict', 'The device was not found.');
    throw err;
  }
  return json(201, { ActionID: randomUUID() });
}

function listContacts(ctx: Ctx): Reply {
  const q = ctx.req.query;
  return listPage(
    ctx,
    'contacts',
    ctx.state.listContacts({
      email: q.email || undefined,
      phone: q.phone || undefined,
      fromLastModified: dateParam(q, 'FromLastModifiedDate'),
      sortBy: enumParam(q, 'SortBy', ['Creation', 'LastModified'] as const),
    }),
  );
}

function getContact(ctx: Ctx, m: RegExpExecArray): Reply {
  return one(ctx, 'contacts', ctx.state.getContact(idOf(m)), m[1]);
}

function getAccount(_ctx: Ctx): Reply {
  return json(200, {
    AccountID: 'sim-account',
    Country: 'Switzerland',
    CompanyName: 'Simulated MSP AG',
    CreatedOn: '2019-03-27T00:22:14',
    State: null,
    TimeZoneName: 'W. Europe Standard Time',
    City: 'Zürich',
    Address: 'Bahnhofstrasse 1',
    PostalCode: '8001',
    Phone: '+41 44 000 00 00',
    IsITDepartment: false,
    Plan: 'Pro',
  });
}

/** ASP.NET answers 415 to a body that is not declared as JSON (PSAtera's PUT 400s came from such bodies). */
function requireJson(req: ApiRequest): void {
  const type = (req.contentType ?? '').toLowerCase();
  if (req.body !== undefined && !/^(application|text)\/(.+\+)?json/.test(type)) {
    throw new SimError(415, 'Unsupported Media Type');
  }
}
