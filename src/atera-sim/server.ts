import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleApi } from './api-routes.js';
import { type ControlContext, handleControl } from './control-routes.js';
import { empty, lowerQuery, type Reply, readBody, send } from './http-util.js';
import type { CallLogEntry, SimState } from './state.js';

/**
 * The simulator's HTTP server. A bare node:http handler rather than Fastify: the simulator must reproduce wire
 * behaviour a framework smooths over (empty 401 bodies, destroyed sockets, half-written bodies, non-JSON 200s),
 * and serve ~100 MB/s of JSON for the benchmark without per-request framework work.
 *
 * Order of checks for /api/v3 requests, chosen to mimic a real deployment: network faults first (latency,
 * dropped connection), then the key, then the rate limit, then server errors, then the route itself.
 */

export interface SimServerOptions {
  state: SimState;
  apiKey: string;
  bearerToken: string;
  host: string;
  port: number;
  info: () => Record<string, unknown>;
}

export interface RunningServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

type Auth = CallLogEntry['auth'];

export async function listen(opts: SimServerOptions): Promise<RunningServer> {
  let publicUrl = '';
  const control: ControlContext = { state: opts.state, info: opts.info };
  const server = createServer((req, res) => {
    handle(opts, control, publicUrl, req, res).catch((err: unknown) => {
      // A bug in the simulator must show up as a 500, not as a hung test.
      if (!res.headersSent) send(res, { status: 500, body: String(err), contentType: 'text/plain' });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host;
  publicUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url: publicUrl,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function authOf(req: IncomingMessage, apiKey: string, bearerToken: string): Auth {
  // Header names are case-insensitive in HTTP (node lower-cases them), so X-Api-Key and x-api-key both work.
  const key = req.headers['x-api-key'];
  const authorization = req.headers.authorization;
  if (typeof key === 'string' && key === apiKey) return 'x-api-key';
  if (typeof authorization === 'string' && /^bearer /i.test(authorization) && authorization.slice(7) === bearerToken) {
    return 'bearer';
  }
  return key !== undefined || authorization !== undefined ? 'invalid' : 'none';
}

async function handle(
  opts: SimServerOptions,
  control: ControlContext,
  publicUrl: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { state } = opts;
  const started = performance.now();
  const url = new URL(req.url ?? '/', 'http://sim');
  const path = url.pathname;
  const method = (req.method ?? 'GET').toUpperCase();
  const bodyText = method === 'GET' || method === 'HEAD' ? undefined : await readBody(req);

  if (path === '/_sim' || path.startsWith('/_sim/')) {
    send(res, handleControl(control, method, path, Object.fromEntries(url.searchParams), bodyText));
    return;
  }

  const auth = authOf(req, opts.apiKey, opts.bearerToken);
  const log = (status: number): void =>
    state.recordCall({
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      status,
      time: state.clock.now().toISOString(),
      ms: Math.round(performance.now() - started),
      auth,
    });
  const reply = (r: Reply): void => {
    send(res, r);
    log(r.status);
  };
  const { faults } = state;

  const latency = faults.take('latency', method, path);
  if (latency) {
    const ms = latency.ms + (latency.jitterMs ? faults.random() * latency.jitterMs : 0);
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  }
  const drop = faults.take('drop-connection', method, path);
  if (drop && drop.stage !== 'mid-body') {
    req.socket.destroy();
    log(0);
    return;
  }

  // Atera: 401 with an empty body and no WWW-Authenticate, for a missing and a wrong key alike (reference §4).
  if (auth !== 'x-api-key' && auth !== 'bearer') return reply(empty(401));

  const storm = faults.take('rate-limit-storm', method, path);
  if (storm) {
    const after = storm.retryAfterSeconds === undefined ? 1 : storm.retryAfterSeconds;
    return reply({ status: 429, headers: after === null ? {} : { 'Retry-After': String(after) } });
  }
  // One budget per account (both credentials are the same account's).
  const waitSeconds = state.buckets.take('account');
  if (waitSeconds !== null) return reply({ status: 429, headers: { 'Retry-After': String(waitSeconds) } });

  const failure = faults.take('error', method, path);
  if (failure) return reply(empty(failure.status));

  const answer = handleApi(
    state,
    { method, path, query: lowerQuery(url.searchParams), body: bodyText, contentType: req.headers['content-type'] },
    publicUrl,
  );
  if (drop && answer.body !== undefined) {
    // Mid-body drop: promise the full length, send half, cut the connection.
    const bytes = typeof answer.body === 'string' ? Buffer.from(answer.body) : answer.body;
    res.writeHead(answer.status, {
      ...answer.headers,
      'Content-Type': answer.contentType ?? 'application/json; charset=utf-8',
      'Content-Length': bytes.length,
    });
    res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.destroy());
    log(answer.status);
    return;
  }
  reply(answer);
}
