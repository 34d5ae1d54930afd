import { scryptSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { bootContext } from '../../src/app/boot.js';
import type { AppContext } from '../../src/app/context.js';
import { createApplication } from '../../src/auth/accounts.js';
import { ManualClock } from '../../src/core/clock.js';
import { loadConfig } from '../../src/core/config.js';
import { sha256 } from '../../src/core/crypto.js';
import { silentLogger } from '../../src/core/logger.js';
import { buildServer } from '../../src/http/server.js';
import { createAgent } from '../helpers/app.js';
import { describeEachDb, resetDatabase } from '../helpers/db.js';

/**
 * Authentication: tokens expire (driven by an injected clock), passwords and application secrets are
 * scrypt hashes, tokens are stored as SHA-256 only, the token endpoint is rate limited, responses
 * carry security headers, and there is no cookie authentication to forge (CSRF).
 */
describeEachDb('security: authentication', (ctx) => {
  let context: AppContext;
  let clock: ManualClock;
  let app: FastifyInstance;
  let admin: { client_id: string; client_secret: string };

  /** A server of its own: the login limiter lives in the server, so each limiter test starts clean. */
  async function server(): Promise<FastifyInstance> {
    const s = await buildServer(context, { logger: false });
    await s.ready();
    return s;
  }

  beforeAll(async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'keel-auth-'));
    clock = new ManualClock('2026-03-01T09:00:00Z');
    context = await bootContext(loadConfig({ KEEL_DATA_DIR: dataDir, KEEL_SECRET_KEY: 'auth-test' }), silentLogger, {
      database: ctx.database,
      clock,
    });
  });
  afterEach(() => app?.close());
  beforeEach(async () => {
    // A new server per test: failed logins of one test must not rate-limit the next.
    app = await server();
    clock.set('2026-03-01T09:00:00Z');
    await resetDatabase(ctx.database);
    await context.db.deleteFrom('auth_token').execute();
    await context.db.deleteFrom('api_application').execute();
    await context.db.deleteFrom('agent').execute();
    admin = await createApplication(context.db, 'auth-admin', 'admin');
  });

  const token = async (s: FastifyInstance, body: Record<string, unknown>) =>
    s.inject({ method: 'POST', url: '/auth/token', payload: body });
  const get = (s: FastifyInstance, url: string, headers: Record<string, string> = {}) =>
    s.inject({ method: 'GET', url, headers });
  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

  it('a token works until its expiry and not a second after (injected clock)', async () => {
    const res = await token(app, { grant_type: 'client_credentials', ...admin });
    expect(res.statusCode).toBe(200);
    const { access_token, expires_in } = res.json();
    expect(expires_in).toBe(3600);
    expect((await get(app, '/api/Client', bearer(access_token))).statusCode).toBe(200);
    clock.advance(3599_000);
    expect((await get(app, '/api/Client', bearer(access_token))).statusCode).toBe(200);
    clock.advance(1_000);
    const expired = await get(app, '/api/Client', bearer(access_token));
    expect(expired.statusCode).toBe(401);
    expect(expired.json().error.message).toMatch(/expired/);
    clock.set('2026-03-01T09:00:00Z');
  });

  it('an expired token row is refused, and issuing new tokens prunes expired ones', async () => {
    const app1 = await context.db.selectFrom('api_application').select('id').executeTakeFirstOrThrow();
    await context.db
      .insertInto('auth_token')
      .values({
        token_hash: sha256('old-token'),
        application_id: app1.id,
        role: 'admin',
        expires_at: '2026-03-01T08:59:59Z',
      })
      .execute();
    expect((await get(app, '/api/Client', bearer('old-token'))).statusCode).toBe(401);
    await token(app, { grant_type: 'client_credentials', ...admin });
    const left = await context.db.selectFrom('auth_token').select('token_hash').execute();
    expect(left.map((r) => r.token_hash)).not.toContain(sha256('old-token'));
  });

  it('tokens are stored as SHA-256 hashes only, and logout revokes the token', async () => {
    const { access_token } = (await token(app, { grant_type: 'client_credentials', ...admin })).json();
    const rows = await context.db.selectFrom('auth_token').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(access_token);
    expect(rows.map((r) => r.token_hash)).toContain(sha256(access_token));
    const out = await app.inject({ method: 'POST', url: '/auth/logout', headers: bearer(access_token) });
    expect(out.statusCode).toBe(204);
    expect((await get(app, '/api/Client', bearer(access_token))).statusCode).toBe(401);
  });

  it('a disabled agent or application loses access at once, even with a live token', async () => {
    await createAgent(context, 'soon-disabled', 'a long password', 'technician');
    const { access_token: agentToken } = (
      await token(app, { grant_type: 'password', username: 'soon-disabled', password: 'a long password' })
    ).json();
    const { access_token: appToken } = (await token(app, { grant_type: 'client_credentials', ...admin })).json();
    await context.db.updateTable('agent').set({ disabled: true }).where('login', '=', 'soon-disabled').execute();
    await context.db
      .updateTable('api_application')
      .set({ disabled: true })
      .where('client_id', '=', admin.client_id)
      .execute();
    expect((await get(app, '/api/Client', bearer(agentToken))).statusCode).toBe(401);
    expect((await get(app, '/api/Client', bearer(appToken))).statusCode).toBe(401);
    // And they cannot get a new one.
    expect(
      (await token(app, { grant_type: 'password', username: 'soon-disabled', password: 'a long password' })).statusCode,
    ).toBe(401);
    expect((await token(app, { grant_type: 'client_credentials', ...admin })).statusCode).toBe(401);
  });

  it('passwords and application secrets are scrypt hashes: salted, never the plain text', async () => {
    const { access_token } = (await token(app, { grant_type: 'client_credentials', ...admin })).json();
    const password = 'Tr0ub4dor&3-unique-marker';
    for (const login of ['first', 'second']) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/Agent',
        headers: bearer(access_token),
        payload: [{ name: login, login, password }],
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.body).not.toContain(password);
      expect(res.body).not.toContain('scrypt$');
    }
    const rows = await context.db.selectFrom('agent').select(['login', 'password_hash']).orderBy('id').execute();
    const hashes = rows.map((r) => r.password_hash!);
    for (const h of hashes) {
      expect(h).toMatch(/^scrypt\$[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]+=*$/);
      expect(h).not.toContain(password);
      const [, salt, hash] = h.split('$');
      expect(Buffer.from(salt!, 'base64')).toHaveLength(16);
      // Node's scrypt with its defaults (N=16384, r=8, p=1) reproduces the stored hash.
      expect(scryptSync(password, Buffer.from(salt!, 'base64'), 32).toString('base64')).toBe(hash);
    }
    expect(hashes[0]).not.toBe(hashes[1]);
    const appRow = await context.db
      .selectFrom('api_application')
      .selectAll()
      .where('client_id', '=', admin.client_id)
      .executeTakeFirstOrThrow();
    expect(appRow.secret_hash).toMatch(/^scrypt\$/);
    expect(JSON.stringify(appRow)).not.toContain(admin.client_secret);
    // The agent list never shows a hash.
    const list = await get(app, '/api/Agent?includedisabled=true', bearer(access_token));
    expect(list.body).not.toContain('scrypt$');
    expect(list.body).not.toContain('password');
  });

  it('client_credentials: unknown client and wrong secret get the same 401 and message', async () => {
    const unknown = await token(app, {
      grant_type: 'client_credentials',
      client_id: 'no-such-client',
      client_secret: 'x',
    });
    const wrong = await token(app, {
      grant_type: 'client_credentials',
      client_id: admin.client_id,
      client_secret: 'wrong',
    });
    expect(unknown.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(401);
    expect(unknown.json()).toEqual(wrong.json());
  });

  it('password grant: unknown user, wrong password and disabled agent get the same 401 and message', async () => {
    await createAgent(context, 'known', 'the right password');
    await createAgent(context, 'gone', 'the right password');
    await context.db.updateTable('agent').set({ disabled: true }).where('login', '=', 'gone').execute();
    const answers = await Promise.all(
      [
        { username: 'nobody', password: 'the right password' },
        { username: 'known', password: 'wrong password' },
        { username: 'gone', password: 'the right password' },
      ].map((c) => token(app, { grant_type: 'password', ...c })),
    );
    for (const a of answers) expect(a.statusCode).toBe(401);
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);
  });

  it('password grant runs scrypt for an unknown user too (no timing oracle for login names)', async () => {
    const s = await server();
    try {
      await createAgent(context, 'timing', 'the right password');
      const time = async (username: string) => {
        const started = performance.now();
        const res = await token(s, { grant_type: 'password', username, password: 'a wrong password' });
        expect(res.statusCode).toBe(401);
        return performance.now() - started;
      };
      // A fresh server (its own login limiter): 1 + 2 × 4 failures stay under the 10-per-window limit.
      await time('timing');
      const known: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < 4; i++) {
        known.push(await time('timing'));
        unknown.push(await time(`nobody-${i}`));
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      // Both paths run one scrypt; without it an unknown login answered in well under a millisecond.
      expect(median(unknown)).toBeGreaterThan(median(known) * 0.5);
    } finally {
      await s.close();
    }
  });

  it('11 bad logins from one client get 429 with retry-after; the right password is refused too until the window passes', async () => {
    const s = await server();
    try {
      await createAgent(context, 'target', 'the right password');
      for (let i = 1; i <= 10; i++) {
        const res = await token(s, { grant_type: 'password', username: 'target', password: `guess ${i}` });
        expect(res.statusCode, `attempt ${i}`).toBe(401);
      }
      const eleventh = await token(s, { grant_type: 'password', username: 'target', password: 'guess 11' });
      expect(eleventh.statusCode).toBe(429);
      const retryAfter = Number(eleventh.headers['retry-after']);
      expect(
        Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 300,
        String(eleventh.headers['retry-after']),
      ).toBe(true);
      expect(eleventh.json().error.code).toBe('rate_limited');
      // Locked out: even the right password waits (otherwise the lockout tells a guesser when they are right).
      expect(
        (await token(s, { grant_type: 'password', username: 'target', password: 'the right password' })).statusCode,
      ).toBe(429);
      // Another user from the same address is limited too (per-IP key), and so is client_credentials.
      expect((await token(s, { grant_type: 'password', username: 'someone-else', password: 'x' })).statusCode).toBe(
        429,
      );
      expect((await token(s, { grant_type: 'client_credentials', ...admin })).statusCode).toBe(429);
      clock.advance(retryAfter * 1000);
      expect(
        (await token(s, { grant_type: 'password', username: 'target', password: 'the right password' })).statusCode,
      ).toBe(200);
    } finally {
      clock.set('2026-03-01T09:00:00Z');
      await s.close();
    }
  });

  it('bad client secrets are rate limited the same way (form-encoded, as Halo clients send them)', async () => {
    const s = await server();
    try {
      const form = (secret: string) =>
        s.inject({
          method: 'POST',
          url: '/auth/token',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: `grant_type=client_credentials&client_id=${admin.client_id}&client_secret=${secret}`,
        });
      for (let i = 0; i < 10; i++) expect((await form(`bad${i}`)).statusCode).toBe(401);
      const res = await form('bad-again');
      expect(res.statusCode).toBe(429);
      expect(res.headers['retry-after']).toBeDefined();
    } finally {
      await s.close();
    }
  });

  it('security headers are on every kind of response', async () => {
    const { access_token } = (await token(app, { grant_type: 'client_credentials', ...admin })).json();
    const responses = [
      await get(app, '/api/health'),
      await get(app, '/api/Client', bearer(access_token)),
      await get(app, '/api/Client'), // 401
      await get(app, '/api/Client/999999', bearer(access_token)), // 404
      await get(app, '/api/docs'),
      await get(app, '/'),
    ];
    for (const res of responses) {
      const h = res.headers;
      const where = `${res.statusCode} ${res.raw.req.url}`;
      expect(h['content-security-policy'], where).toMatch(/default-src 'self'/);
      expect(h['content-security-policy'], where).toMatch(/frame-ancestors 'self'|frame-ancestors 'none'/);
      expect(h['content-security-policy'], where).toMatch(/object-src 'none'/);
      expect(h['content-security-policy'], where).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
      expect(h['x-content-type-options'], where).toBe('nosniff');
      expect(h['x-frame-options'], where).toMatch(/SAMEORIGIN|DENY/);
      expect(h['referrer-policy'], where).toBeDefined();
      expect(h['strict-transport-security'], where).toBeDefined();
      expect(h['cross-origin-opener-policy'], where).toBeDefined();
      expect(h['x-powered-by'], where).toBeUndefined();
    }
  });

  it('no cookie authentication, so no CSRF: a request carrying only cookies is 401, and nothing sets a cookie', async () => {
    const res = await token(app, { grant_type: 'client_credentials', ...admin });
    expect(res.headers['set-cookie']).toBeUndefined();
    const { access_token } = res.json();
    const cookie = [
      `access_token=${access_token}`,
      `token=${access_token}`,
      `authorization=Bearer%20${access_token}`,
      `Bearer=${access_token}`,
      `keel_token=${access_token}`,
    ].join('; ');
    for (const [method, url, payload] of [
      ['GET', '/api/Client', undefined],
      ['POST', '/api/Client', [{ name: 'csrf' }]],
      ['POST', '/api/Integration/Atera', { atera_enabled: true }],
      ['DELETE', '/api/Client/1', undefined],
      ['GET', '/metrics', undefined],
    ] as const) {
      const r = await app.inject({
        method,
        url,
        headers: { cookie, origin: 'https://evil.example', referer: 'https://evil.example/' },
        ...(payload ? { payload: payload as object } : {}),
      });
      expect(r.statusCode, `${method} ${url}`).toBe(401);
    }
    // A cross-site form post (the classic CSRF shape) is refused as well.
    const form = await app.inject({
      method: 'POST',
      url: '/api/Client',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      payload: 'name=csrf',
    });
    expect(form.statusCode).toBe(401);
    expect(await context.db.selectFrom('client').select('id').where('name', '=', 'csrf').execute()).toEqual([]);
    // Nor is the token taken from the query string (it would end up in logs and referers).
    expect((await get(app, `/api/Client?access_token=${access_token}`)).statusCode).toBe(401);
    // And no CORS: another origin gets no permission to read responses.
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/api/Client',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    const cross = await get(app, '/api/Client', { ...bearer(access_token), origin: 'https://evil.example' });
    expect(cross.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('a malformed Authorization header is a 401, never a 500', async () => {
    for (const value of [
      'Bearer',
      'Bearer ',
      'Basic YWRtaW46YWRtaW4=',
      'Bearer a b',
      `Bearer ${'x'.repeat(20_000)}`,
      'Bearer \u00ff\u00fe',
      'bearer%20x',
      'Token x',
    ]) {
      const res = await get(app, '/api/Client', { authorization: value });
      expect(res.statusCode, value.slice(0, 30)).toBe(401);
    }
  });

  it('/metrics needs a token however the URL is spelled (query string, trailing slash, case)', async () => {
    for (const url of [
      '/metrics',
      '/metrics?x=1',
      '/metrics/',
      '/METRICS',
      '/Metrics?',
      '/api/Client?x=1',
      '/api/Client/',
      '/API/CLIENT',
    ]) {
      const res = await get(app, url);
      expect(res.statusCode, url).toBe(401);
    }
  });
});
