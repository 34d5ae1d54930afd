import { z } from 'zod';
import { faultSchema } from './faults.js';
import { BadBody, empty, json, parseJsonBody, type Reply } from './http-util.js';
import { SimError, type SimState } from './state.js';
import {
  AGENT_FIELDS,
  ALERT_CATEGORIES,
  ALERT_SEVERITIES,
  CUSTOMER_FIELDS,
  type SimAgent,
  type SimCustomer,
} from './types.js';

/**
 * The simulator's own control API under /_sim: not part of Atera's surface and needing no Atera key. It exposes
 * the same SimState methods tests call in-process, so a demo or an external test can script Atera's side:
 *
 *   GET    /_sim                          info: url, credentials, counts, settings, faults
 *   GET    /_sim/calls?method=&path=&since=   call log (method, path, query, status, time)   DELETE clears it
 *   POST   /_sim/customers                add (body: customer fields)           → 201 record
 *   PATCH  /_sim/customers/{id}           change                                → record
 *   DELETE /_sim/customers/{id}           delete (with its agents and contacts) → 204
 *   POST   /_sim/agents                   add (CustomerID required)             → 201 record
 *   PATCH  /_sim/agents/{id}              change (a new CustomerID moves it)    → record
 *   DELETE /_sim/agents/{id}                                                      → 204
 *   POST   /_sim/alerts                   raise (AgentID or DeviceGuid)         → 201 {AlertID}
 *   POST   /_sim/alerts/{id}/resolve | /snooze {minutes|until}                  → record
 *   DELETE /_sim/alerts/{id}                                                      → 204
 *   POST   /_sim/churn {move, remove, add}                                      → ids touched
 *   GET    /_sim/faults   POST (add one or a list)   PUT (replace all)   DELETE (reset)   DELETE /_sim/faults/{id}
 *   GET    /_sim/settings   PATCH {requestsPerMinute, maxPageSize, nextLinkStyle}
 *   POST   /_sim/reset {seed, customers, agents, alerts, contacts}           regenerate data, clear faults and log
 */

export interface ControlContext {
  state: SimState;
  info: () => Record<string, unknown>;
}

const fieldsOf = (allowed: readonly string[]) =>
  z.record(z.string(), z.unknown()).superRefine((obj, ctx) => {
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key))
        ctx.addIssue({ code: 'custom', message: `${key} is not an Atera field`, path: [key] });
    }
  });

const customerPatch = fieldsOf(CUSTOMER_FIELDS);
const agentPatch = fieldsOf(AGENT_FIELDS);
const raiseBody = z.object({
  AgentID: z.int().optional(),
  DeviceGuid: z.string().optional(),
  AlertID: z.int().positive().optional(),
  Title: z.string().nullable().optional(),
  Severity: z.enum(ALERT_SEVERITIES).nullable().optional(),
  AlertCategoryID: z.enum(ALERT_CATEGORIES).nullable().optional(),
  AdditionalInfo: z.string().nullable().optional(),
  Code: z.int().nullable().optional(),
  SnoozedEndDate: z.string().nullable().optional(),
  TicketID: z.int().nullable().optional(),
});
const snoozeBody = z.object({ minutes: z.number().positive().optional(), until: z.string().optional() });
const churnBody = z.object({
  move: z.int().min(0).optional(),
  remove: z.int().min(0).optional(),
  add: z.int().min(0).optional(),
});
const settingsBody = z.object({
  requestsPerMinute: z.number().positive().nullable().optional(),
  maxPageSize: z.int().positive().optional(),
  nextLinkStyle: z.enum(['empty', 'null']).optional(),
});
const resetBody = z.object({
  seed: z.int().optional(),
  customers: z.int().min(0).optional(),
  agents: z.int().min(0).optional(),
  alerts: z.int().min(0).optional(),
  contacts: z.int().min(0).optional(),
});

export function handleControl(
  ctx: ControlContext,
  method: string,
  path: string,
  query: Record<string, string>,
  bodyText: string | undefined,
): Reply {
  const { state } = ctx;
  const body = () => parseJsonBody(bodyText) ?? {};
  const parts = path
    .replace(/^\/_sim\/?/, '')
    .split('/')
    .filter(Boolean);
  const [area, rawId, action] = parts;
  const id = rawId !== undefined ? Number(rawId) : Number.NaN;

  try {
    switch (`${method} ${area ?? ''}${rawId !== undefined ? '/:id' : ''}${action !== undefined ? `/${action}` : ''}`) {
      case 'GET ':
        return json(200, ctx.info());
      case 'GET calls':
        return json(200, {
          calls: state.callLog({
            method: query.method,
            path: query.path,
            sinceSeq: query.since !== undefined ? Number(query.since) : undefined,
          }),
        });
      case 'DELETE calls':
        state.clearCalls();
        return empty(204);

      case 'POST customers':
        return json(201, state.addCustomer(customerPatch.parse(body()) as Partial<SimCustomer>));
      case 'PATCH customers/:id':
        return json(200, state.changeCustomer(id, customerPatch.parse(body()) as Partial<SimCustomer>));
      case 'DELETE customers/:id':
        state.deleteCustomer(id);
        return empty(204);

      case 'POST agents': {
        const fields = agentPatch.parse(body()) as Partial<SimAgent>;
        if (typeof fields.CustomerID !== 'number') throw new SimError(400, 'CustomerID is required');
        return json(201, state.addAgent({ ...fields, CustomerID: fields.CustomerID }));
      }
      case 'PATCH agents/:id':
        return json(200, state.changeAgent(id, agentPatch.parse(body()) as Partial<SimAgent>));
      case 'DELETE agents/:id':
        state.deleteAgent(id);
        return empty(204);

      case 'POST alerts': {
        const input = raiseBody.parse(body());
        if (input.AgentID === undefined && input.DeviceGuid === undefined) {
          throw new SimError(400, 'AgentID or DeviceGuid is required');
        }
        return json(201, { AlertID: state.raiseAlert(input) });
      }
      case 'POST alerts/:id/resolve':
        return json(200, state.resolveAlert(id));
      case 'POST alerts/:id/snooze':
        return json(200, state.snoozeAlert(id, snoozeBody.parse(body())));
      case 'DELETE alerts/:id':
        state.deleteAlert(id);
        return empty(204);

      case 'POST churn':
        return json(200, state.churn(churnBody.parse(body())));

      case 'GET faults':
        return json(200, { faults: state.faults.list() });
      case 'POST faults': {
        const input = body();
        const list = z.array(faultSchema).parse(Array.isArray(input) ? input : [input]);
        return json(201, { ids: list.map((f) => state.faults.add(f)) });
      }
      case 'PUT faults':
        return json(200, { ids: state.faults.set(z.array(faultSchema).parse(body())) });
      case 'DELETE faults':
        state.faults.reset();
        return empty(204);
      case 'DELETE faults/:id':
        return state.faults.remove(rawId ?? '') ? empty(204) : json(404, { error: `no fault ${rawId}` });

      case 'GET settings':
        return json(200, state.settings);
      case 'PATCH settings':
        return json(200, state.updateSettings(stripUndefined(settingsBody.parse(body()))));

      case 'POST reset':
        state.regenerate(stripUndefined(resetBody.parse(body())));
        return json(200, { counts: state.counts() });

      default:
        return json(404, { error: `no control route ${method} ${path}` });
    }
  } catch (err) {
    if (err instanceof z.ZodError) return json(400, { error: 'invalid body', issues: err.issues });
    if (err instanceof SimError) return json(err.status, { error: err.message });
    if (err instanceof BadBody) return json(400, { error: err.message });
    throw err;
  }
}

function stripUndefined<T extends Record<string, unknown>>(obj: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
