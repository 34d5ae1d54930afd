import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bootContext } from '../../src/app/boot.js';
import type { AppContext } from '../../src/app/context.js';
import { type Runtime, startRuntime } from '../../src/app/runtime.js';
import { type AteraSim, startAteraSim } from '../../src/atera-sim/index.js';
import { createApplication } from '../../src/auth/accounts.js';
import { loadConfig } from '../../src/core/config.js';
import { SecretBox } from '../../src/core/crypto.js';
import { createLogger } from '../../src/core/logger.js';
import { buildServer } from '../../src/http/server.js';
import { describeEachDb } from '../helpers/db.js';

/**
 * The Atera API key and application secrets: encrypted at rest, and never in any response, log line,
 * error, run record, job payload or metric. A full flow runs with known secrets (configure, Test
 * Configuration, every import, Sync, PollAlerts, an alert resolved back in Atera, a wrong key, an
 * unreachable Atera), every request and response is kept, the logger writes to memory at trace level,
 * and then all of it plus every row of every table (Keel's and the job queue's) is searched for the
 * secrets, whole and in 12-character pieces.
 */
const RUN = Math.random().toString(16).slice(2, 10);
const API_KEY = `keelkey${RUN}0123456789abcdef012`; // 32 characters: the legacy X-API-KEY scheme
const WRONG_KEY = `wrongkey${RUN}${'x'.repeat(100)}`; // > 100 characters: sent as a bearer token
const SECRET_KEY = `keel-at-rest-${RUN}`;

/** The secret, and slices of it long enough to be unmistakable (catches truncated echoes). */
function needles(secret: string): string[] {
  const out = new Set([secret]);
  for (let i = 0; i + 12 <= secret.length; i += 6) out.add(secret.slice(i, i + 12));
  // Slices of the repeated padding are not specific to the secret.
  return [...out].filter((n) => !/^x+$/.test(n));
}

describeEachDb('security: secrets never leak', (ctx) => {
  let context: AppContext;
  let app: FastifyInstance;
  let runtime: Runtime;
  let sim: AteraSim;
  let token: string;
  let appSecret: string;
  const logLines: string[] = [];
  const exchanges: string[] = [];

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _enc, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ level: 'trace', destination: sink });
    const config = loadConfig({
      KEEL_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'keel-secrets-')),
      KEEL_SECRET_KEY: SECRET_KEY,
    });
    context = await bootContext(config, logger, { database: ctx.database });
    runtime = await startRuntime(context, { worker: true, scheduler: false });
    app = await buildServer(context, { logger: true });
    await app.ready();
    sim = await startAteraSim({
      apiKey: API_KEY,
      requestsPerMinute: null,
      customers: 3,
      agents: 12,
      alerts: 4,
      seed: 11,
    });
    const application = await createApplication(context.db, 'secrets-admin', 'admin');
    appSecret = application.client_secret;
    // Through HTTP, so the token request (with the client secret in its body) is in the logs too.
    const res = await call('POST', '/auth/token', {
      grant_type: 'client_credentials',
      client_id: application.client_id,
      client_secret: appSecret,
    });
    token = JSON.parse(res.body).access_token;
  });
  afterAll(async () => {
    await sim?.close();
    await runtime?.stop();
    await app?.close();
  });

  async function call(method: string, url: string, payload?: unknown) {
    const res = await app.inject({
      method: method as 'GET',
      url,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
    exchanges.push(
      `${method} ${url} ${JSON.stringify(payload ?? null)}\n${res.statusCode} ${JSON.stringify(res.headers)}\n${res.body}`,
    );
    return res;
  }
  const ok = async (method: string, url: string, payload?: unknown) => {
    const res = await call(method, url, payload);
    expect(res.statusCode, `${method} ${url}: ${res.body.slice(0, 300)}`).toBeLessThan(300);
    return res.json();
  };

  /** Every row of every table of Keel's schema and the job queue's, as text. */
  async function databaseText(): Promise<{ table: string; text: string }[]> {
    const { rows: tables } = await sql<{ s: string; t: string }>`
      SELECT table_schema AS s, table_name AS t FROM information_schema.tables
      WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`.execute(context.db);
    const out: { table: string; text: string }[] = [];
    for (const { s, t } of tables) {
      const { rows } = await sql<{ r: string }>`SELECT x::text AS r FROM ${sql.table(`${s}.${t}`)} x`.execute(
        context.db,
      );
      out.push({ table: `${s}.${t}`, text: rows.map((r) => r.r).join('\n') });
    }
    return out;
  }

  it('runs the whole Atera flow with a known key, then a wrong key and an unreachable Atera', {
    timeout: 120_000,
  }, async () => {
    await ok('POST', '/api/Integration/Atera', {
      atera_enabled: true,
      atera_url: sim.url,
      atera_apikey: API_KEY,
      atera_enable_alerting: true,
      halointegrator_atera: true,
      halointegrator_atera_entities: ['customers', 'assets', 'alerts'],
    });
    const settings = await ok('GET', '/api/Integration/Atera');
    expect(settings.atera_apikey_set).toBe(true);
    expect(settings).not.toHaveProperty('atera_apikey');
    expect((await ok('POST', '/api/Integration/Atera/Test')).success).toBe(true);
    await ok('GET', '/api/Integration/Atera/Data/customers');
    await ok('GET', '/api/Integration/Atera/Data/devicetypes');
    const routes = Object.keys((app.swagger() as { paths: Record<string, unknown> }).paths);
    const runs = [
      'ImportCustomers',
      'ImportAssets',
      ...(routes.includes('/api/Integration/Atera/ImportContacts') ? ['ImportContacts'] : []),
      'Sync',
    ];
    for (const r of runs) {
      const run = await ok('POST', `/api/Integration/Atera/${r}?wait=true`, {});
      expect(run.status, `${r}: ${JSON.stringify(run)}`).toBe('succeeded');
    }
    await ok('POST', '/api/Integration/Atera/Alerts/Preview');
    const poll = await ok('POST', '/api/Integration/Atera/PollAlerts?wait=true');
    expect(poll.status, JSON.stringify(poll)).toBe('succeeded');
    // Close an alert ticket: the resolve goes back to Atera through the outbox job (an outbound call with the key).
    const alerts = await ok('GET', '/api/Integration/Atera/Alerts');
    const withTicket = alerts.alerts.find((a: { ticket_id: number | null }) => a.ticket_id);
    expect(withTicket, 'an alert became a ticket').toBeTruthy();
    const closed = (await ok('GET', '/api/Status?type=1')) as unknown;
    const closedId = (
      Array.isArray(closed) ? closed : (closed as { statuses: { id: number; type: number }[] }).statuses
    ).find((s: { type: number }) => s.type === 1)!.id;
    await ok('POST', '/api/Actions', [{ ticket_id: withTicket.ticket_id, note: 'fixed', new_status: closedId }]);
    for (let i = 0; i < 100; i++) {
      const row = await context.db
        .selectFrom('alert_outbox')
        .select('status')
        .where('alert_id', '=', withTicket.alert_id)
        .executeTakeFirst();
      if (row && row.status !== 'pending') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const r of (await ok('GET', '/api/Integration/Atera/Runs?page_size=500')).runs) {
      await ok('GET', `/api/Integration/Atera/Runs/${r.id}`);
      await ok('GET', `/api/Integration/Atera/Runs/${r.id}/Changes?page_size=500`);
    }
    await ok('GET', '/api/IntegrationError');

    // A wrong key: Atera refuses it (401), runs fail with atera_auth.
    await ok('POST', '/api/Integration/Atera', { atera_apikey: WRONG_KEY });
    const test = await ok('POST', '/api/Integration/Atera/Test');
    expect(test.success).toBe(false);
    const failed = await ok('POST', '/api/Integration/Atera/ImportCustomers?wait=true', {});
    expect(failed.status).toBe('failed');
    expect(failed.error_code).toBe('atera_auth');
    const failedPoll = await ok('POST', '/api/Integration/Atera/PollAlerts?wait=true');
    expect(failedPoll.status).toBe('failed');
    await call('GET', '/api/Integration/Atera/Data/customers');
    await call('POST', '/api/Integration/Atera/Alerts/Preview');

    // The right key, but Atera unreachable: network errors must not carry the request's headers.
    await ok('POST', '/api/Integration/Atera', {
      atera_apikey: API_KEY,
      atera_url: 'http://127.0.0.1:9',
      atera_max_attempts: 1,
      atera_timeout_seconds: 2,
    });
    expect((await ok('POST', '/api/Integration/Atera/Test')).success).toBe(false);
    expect((await ok('POST', '/api/Integration/Atera/Sync?wait=true', {})).status).toBe('failed');
    await call('GET', '/api/Integration/Atera/Data/customers');
    await ok('GET', '/api/Integration/Atera');
    await ok('GET', '/api/Integration/Atera/Runs');
  });

  it('the key is encrypted at rest: the raw row holds AES-GCM ciphertext that decrypts to it', async () => {
    const rows = await sql<{
      integration: string;
      key: string;
      sealed: string;
    }>`SELECT * FROM integration_secret`.execute(context.db);
    expect(rows.rows).toHaveLength(1);
    const sealed = rows.rows[0]!.sealed;
    expect(sealed).toMatch(/^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    for (const n of needles(API_KEY)) expect(sealed).not.toContain(n);
    expect(new SecretBox(Buffer.alloc(32, 1)).encrypt(API_KEY)).not.toBe(sealed);
    expect(SecretBox.fromConfig(SECRET_KEY, '/nonexistent').decrypt(sealed)).toBe(API_KEY);
    // A different KEEL_SECRET_KEY cannot read it.
    expect(() => SecretBox.fromConfig('another key', '/nonexistent').decrypt(sealed)).toThrow(/cannot be decrypted/);
  });

  it('no secret in any response, log line, table row (runs, changes, errors, settings, jobs) or metric', async () => {
    const metrics = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${token}` } });
    const sources: { where: string; text: string }[] = [
      { where: 'responses', text: exchanges.map((e) => e.slice(e.indexOf('\n') + 1)).join('\n') },
      { where: 'logs', text: logLines.join('') },
      ...(await databaseText()).map((d) => ({ where: `table ${d.table}`, text: d.text })),
    ];
    if (metrics.statusCode === 404) {
      console.warn('GET /metrics is not served (404): metrics not checked');
    } else {
      expect(metrics.statusCode).toBe(200);
      sources.push({ where: 'metrics', text: metrics.body });
    }
    // Sanity: the sources are real (the flow logged requests and Atera calls, and recorded runs), and the
    // search finds a secret where it legitimately is (the requests that saved it).
    expect(logLines.length).toBeGreaterThan(50);
    if (process.env.SECRETS_DEBUG) console.log([...new Set(logLines.map((l) => JSON.parse(l).msg))].join('\n'));
    expect(exchanges.join('\n')).toContain(API_KEY);
    expect(exchanges.join('\n')).toContain(appSecret);
    expect(sources.find((s) => s.where === 'table public.sync_run')?.text).toMatch(/atera_auth/);
    const leaks: string[] = [];
    for (const [name, secret] of [
      ['Atera API key', API_KEY],
      ['wrong Atera key', WRONG_KEY],
      ['application client secret', appSecret],
      ['KEEL_SECRET_KEY', SECRET_KEY],
    ] as const) {
      for (const n of needles(secret)) {
        for (const s of sources) {
          const at = s.text.indexOf(n);
          if (at >= 0)
            leaks.push(`${name} in ${s.where}: …${s.text.slice(Math.max(0, at - 120), at + n.length + 40)}…`);
        }
      }
    }
    expect(leaks, leaks.slice(0, 10).join('\n\n')).toEqual([]);
  });

  it('bearer tokens are not logged either (only their use is)', () => {
    const logs = logLines.join('');
    expect(logs).not.toContain(token);
    expect(logs).toMatch(/"url":"\/api\/Integration\/Atera/);
  });
});
