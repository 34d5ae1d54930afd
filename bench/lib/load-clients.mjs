/**
 * The load benchmark's API clients, run in a worker thread of their own (bench/load.bench.ts).
 *
 * Why a thread: the benchmark's process also hosts the Atera simulator the sync reads 100,000 agents from. On one
 * event loop, every page the simulator serialised delayed the clients' timers and socket reads, and that delay
 * was counted as Keel's latency. Here a request's time is measured on an event loop that does nothing else.
 * Plain JavaScript so the thread needs no TypeScript loader.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Agent, request } from 'undici';

const { base, headers, seconds, clients, assetCount, ticketCount, assetIds, ticketIds, clientIds } = workerData;
const dispatcher = new Agent({ connections: clients, keepAliveTimeout: 30_000 });
const pick = (xs) => xs[Math.floor(Math.random() * xs.length)];
const page = (count) => 1 + Math.floor(Math.random() * Math.max(1, count / 50));
const get = (path) => request(`${base}${path}`, { headers, dispatcher });
const post = (path, body) =>
  request(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body), dispatcher });

const ops = {
  list_assets: () => get(`/api/Asset?pageinate=true&page_size=50&page_no=${page(assetCount)}`),
  list_assets_by_client: () => get(`/api/Asset?pageinate=true&page_size=50&client_id=${pick(clientIds)}`),
  list_open_tickets: () => get(`/api/Tickets?pageinate=true&page_size=50&open_only=true&page_no=${page(ticketCount)}`),
  get_ticket: () => get(`/api/Tickets/${pick(ticketIds)}`),
  update_asset: () => post('/api/Asset', [{ id: pick(assetIds), notes: `load ${Date.now()}` }]),
  add_note: () => post('/api/Actions', [{ ticket_id: pick(ticketIds), note: 'load test note', hiddenfromuser: true }]),
};
const names = Object.keys(ops);
const lat = Object.fromEntries(names.map((n) => [n, []]));
const errors = {};
const fail = (key) => {
  errors[key] = (errors[key] ?? 0) + 1;
};
const end = Date.now() + seconds * 1000;
await Promise.all(
  Array.from({ length: clients }, async () => {
    while (Date.now() < end) {
      const name = pick(names);
      const t = performance.now();
      try {
        const res = await ops[name]();
        await res.body.arrayBuffer();
        if (res.statusCode >= 400) fail(`${name} ${res.statusCode}`);
      } catch (e) {
        fail(`${name} ${e instanceof Error ? e.message : String(e)}`);
      }
      lat[name].push(performance.now() - t);
    }
  }),
);
await dispatcher.close();
parentPort.postMessage({ lat, errors });
