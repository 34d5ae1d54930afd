import { parseArgs } from 'node:util';
import type { Clock } from '../core/clock.js';
import { handleApi } from './api-routes.js';
import type { Fault } from './faults.js';
import { generateCredentials } from './generator.js';
import { listen } from './server.js';
import { SimState } from './state.js';

/**
 * A faithful stand-in for Atera's API v3 (reference: /work/shared/reference/atera-api.md), for demos, tests,
 * benchmarks and fault injection. `startAteraSim` runs it in-process; `runAteraSimCli` is what `keel atera-sim`
 * calls. See docs/atera-client-and-simulator.md.
 */

export type { Fault, FaultKind } from './faults.js';
export { ID_BASE, OS_TYPES, PLACEHOLDER_SERIALS } from './generator.js';
export type { CallLogEntry, RaiseAlertInput, SimSettings } from './state.js';
export { SimError, SimState } from './state.js';
export type { SimAgent, SimAlert, SimAlertStatus, SimContact, SimCustomer } from './types.js';

export interface AteraSimOptions {
  seed?: number;
  customers?: number;
  agents?: number;
  alerts?: number;
  /** Default: two per customer. */
  contacts?: number;
  /** Legacy X-API-KEY key; default derived from the seed (32 hex characters). */
  apiKey?: string;
  /** JWT-style bearer token (> 100 characters); default derived from the seed. */
  bearerToken?: string;
  /** Atera's budget per account; default 700 (reference §3); null = unlimited. */
  requestsPerMinute?: number | null;
  /** itemsInPage clamp; default 50. */
  maxPageSize?: number;
  /** End-of-list nextLink/prevLink: "" (default, as PSAtera's loop implies) or null (as the spec allows). */
  nextLinkStyle?: 'empty' | 'null';
  /** Default 0 (a free port). */
  port?: number;
  host?: string;
  /** Record every API call for /_sim/calls and state.callLog(); default true. */
  logCalls?: boolean;
  /** Faults in force from the start. */
  faults?: Fault[];
  /** The data clock: snooze expiry, Modified/ArchivedDate stamps, generation anchor. Default: system clock. */
  clock?: Clock;
}

export interface AteraSim {
  /** Base application URL, e.g. http://127.0.0.1:4010; the API lives under /api/v3. */
  url: string;
  apiKey: string;
  bearerToken: string;
  state: SimState;
  close(): Promise<void>;
}

export async function startAteraSim(opts: AteraSimOptions = {}): Promise<AteraSim> {
  const seed = opts.seed ?? 42;
  const credentials = generateCredentials(seed);
  const apiKey = opts.apiKey ?? credentials.apiKey;
  const bearerToken = opts.bearerToken ?? credentials.bearerToken;
  const state = new SimState({
    generate: {
      seed,
      customers: opts.customers ?? 20,
      agents: opts.agents ?? 200,
      alerts: opts.alerts ?? 50,
      contacts: opts.contacts,
    },
    settings: {
      requestsPerMinute: opts.requestsPerMinute === undefined ? 700 : opts.requestsPerMinute,
      maxPageSize: opts.maxPageSize ?? 50,
      nextLinkStyle: opts.nextLinkStyle ?? 'empty',
    },
    clock: opts.clock,
    logCalls: opts.logCalls,
  });
  for (const fault of opts.faults ?? []) state.faults.add(fault);
  let url = '';
  const running = await listen({
    state,
    apiKey,
    bearerToken,
    host: opts.host ?? '127.0.0.1',
    port: opts.port ?? 0,
    info: () => ({
      url,
      apiBase: `${url}/api/v3`,
      apiKey,
      bearerToken,
      seed,
      counts: state.counts(),
      settings: state.settings,
      faults: state.faults.list(),
    }),
  });
  url = running.url;
  return { url, apiKey, bearerToken, state, close: running.close };
}

/** Human-readable start-up banner (what `keel atera-sim` prints). */
export function describeAteraSim(sim: AteraSim): string {
  const c = sim.state.counts();
  const rpm = sim.state.settings.requestsPerMinute;
  return [
    `Atera simulator listening on ${sim.url}  (API: ${sim.url}/api/v3)`,
    `  API key (X-API-KEY):  ${sim.apiKey}`,
    `  Bearer token:         ${sim.bearerToken}`,
    `  Data:                 ${c.customers} customers, ${c.agents} agents, ${c.alerts} alerts, ${c.contacts} contacts`,
    `  Rate limit:           ${rpm === null ? 'none' : `${rpm} requests/minute`}; page size max ${sim.state.settings.maxPageSize}`,
    `  Control API:          ${sim.url}/_sim  (faults, call log, data changes; no key needed)`,
  ].join('\n');
}

export const ATERA_SIM_USAGE = `Usage: keel atera-sim [options]
  --seed <n>            data seed (default 42)
  --customers <n>       customers to generate (default 50)
  --agents <n>          agents to generate (default 2000)
  --alerts <n>          alerts to generate (default 100)
  --contacts <n>        contacts to generate (default 2 per customer)
  --port <n>            port (default 4010; 0 = any free port)
  --host <addr>         address to bind (default 127.0.0.1)
  --rpm <n|none>        requests per minute before 429 (default 700)
  --max-page-size <n>   itemsInPage clamp (default 50)
  --next-link <empty|null>  end-of-list nextLink (default empty)
  --api-key <key>       X-API-KEY to accept (default derived from the seed)
  --latency-ms <n>      add this latency to every API call
  --json                print one JSON line {url, apiKey, bearerToken} instead of the banner
  --no-log              do not keep a call log
  --warm                serialise every record and build every list page once before printing the URL
                        (a first read as fast as later ones, like a long-running Atera; for benchmarks)`;

/**
 * Parses `keel atera-sim` arguments, starts the simulator and prints its URL and key. Resolves once listening
 * (null after --help); the open server keeps the process alive until `close()` (the CLI wires SIGINT to it).
 * Bad arguments throw an Error whose message is meant for the user.
 */
export async function runAteraSimCli(
  argv: string[],
  out: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<AteraSim | null> {
  const { values } = parseArgs({
    args: argv,
    options: {
      seed: { type: 'string' },
      customers: { type: 'string' },
      agents: { type: 'string' },
      alerts: { type: 'string' },
      contacts: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      rpm: { type: 'string' },
      'max-page-size': { type: 'string' },
      'next-link': { type: 'string' },
      'api-key': { type: 'string' },
      'latency-ms': { type: 'string' },
      json: { type: 'boolean' },
      'no-log': { type: 'boolean' },
      warm: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    out(ATERA_SIM_USAGE);
    return null;
  }
  const int = (name: string, raw: string | undefined, fallback: number): number => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer (got "${raw}")`);
    return n;
  };
  const nextLink = values['next-link'] ?? 'empty';
  if (nextLink !== 'empty' && nextLink !== 'null') throw new Error('--next-link must be "empty" or "null"');
  const rpm =
    values.rpm === undefined ? 700 : values.rpm === 'none' || values.rpm === '0' ? null : int('rpm', values.rpm, 700);
  const latency = int('latency-ms', values['latency-ms'], 0);
  const sim = await startAteraSim({
    seed: int('seed', values.seed, 42),
    customers: int('customers', values.customers, 50),
    agents: int('agents', values.agents, 2000),
    alerts: int('alerts', values.alerts, 100),
    contacts: values.contacts === undefined ? undefined : int('contacts', values.contacts, 0),
    port: int('port', values.port, 4010),
    host: values.host ?? '127.0.0.1',
    requestsPerMinute: rpm,
    maxPageSize: int('max-page-size', values['max-page-size'], 50) || 50,
    nextLinkStyle: nextLink,
    apiKey: values['api-key'],
    logCalls: !values['no-log'],
    faults: latency > 0 ? [{ kind: 'latency', ms: latency }] : [],
  });
  if (values.warm) warmSimulator(sim);
  out(
    values.json
      ? JSON.stringify({ url: sim.url, apiKey: sim.apiKey, bearerToken: sim.bearerToken, counts: sim.state.counts() })
      : describeAteraSim(sim),
  );
  return sim;
}

/**
 * Serialises every record and builds each page of every list once, through the same route code a request takes
 * (not over HTTP: warming must not spend the rate-limit budget or appear in the call log). A benchmark of Keel's
 * client then measures the client, not the simulator's own first-run JIT compilation.
 */
function warmSimulator(sim: AteraSim): void {
  sim.state.warm();
  const counts = sim.state.counts();
  for (const [path, count] of [
    ['/api/v3/customers', counts.customers],
    ['/api/v3/agents', counts.agents],
    ['/api/v3/alerts', counts.alerts],
    ['/api/v3/contacts', counts.contacts],
  ] as const) {
    for (let page = 1; page <= Math.max(1, Math.ceil((count ?? 0) / 50)); page++) {
      handleApi(sim.state, { method: 'GET', path, query: { page: String(page), itemsinpage: '50' } }, sim.url);
    }
  }
}
