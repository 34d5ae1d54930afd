import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { type Kysely, sql } from 'kysely';
import type { DB } from '../../src/db/schema.js';

/**
 * Shared pieces of the hostile-input and security suites: the route list read from the OpenAPI
 * document the server generates, hostile value generators, and a fingerprint of database tables.
 */

export interface ApiRoute {
  method: string;
  /** OpenAPI spelling: /api/Client/{id} */
  path: string;
  pathParams: string[];
  queryParams: string[];
  /** Property names found anywhere in the request body schema (the route's real field names). */
  bodyFields: string[];
  hasBody: boolean;
}

export const routeKey = (r: { method: string; path: string }): string => `${r.method} ${r.path}`;

function collectProperties(schema: unknown, out: Set<string>, depth = 0): void {
  if (!schema || typeof schema !== 'object' || depth > 8) return;
  const s = schema as Record<string, unknown>;
  if (s.properties && typeof s.properties === 'object') {
    for (const [k, v] of Object.entries(s.properties)) {
      out.add(k);
      collectProperties(v, out, depth + 1);
    }
  }
  for (const key of ['items', 'additionalProperties', 'not']) collectProperties(s[key], out, depth + 1);
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    if (Array.isArray(s[key])) for (const sub of s[key] as unknown[]) collectProperties(sub, out, depth + 1);
  }
}

/** Every operation in the OpenAPI document the server serves. */
export function routesFromOpenApi(app: FastifyInstance): ApiRoute[] {
  const doc = app.swagger() as { paths: Record<string, Record<string, any>> };
  const out: ApiRoute[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const params = (op.parameters ?? []) as { in: string; name: string }[];
      const fields = new Set<string>();
      const content = op.requestBody?.content ?? {};
      for (const c of Object.values<any>(content)) collectProperties(c.schema, fields);
      out.push({
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: params.filter((p) => p.in === 'query').map((p) => p.name),
        bodyFields: [...fields],
        hasBody: Boolean(op.requestBody),
      });
    }
  }
  return out;
}

/** Fills {param} placeholders. */
export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? '1');
}

// ---------------------------------------------------------------------------------------------
// Hostile values

export const SQL_PAYLOADS = [
  "'; DROP TABLE client; --",
  "1' OR '1'='1",
  '1; SELECT pg_sleep(10)--',
  "' UNION SELECT token_hash, role FROM auth_token --",
  '" OR ""="',
  "Robert'); DROP TABLE ticket;--",
  '%',
  '_',
  '\\',
  '%_\\%',
  '$$; DROP TABLE users; $$',
];

export const HTML_PAYLOADS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '"><svg onload=alert(1)>',
  "javascript:alert('x')",
  '</textarea><script>alert(document.cookie)</script>',
  '<!--',
  '&lt;b&gt;&amp;',
];

export const UNICODE_PAYLOADS = [
  '\u202Egnp.exe',
  '\uFEFFbom',
  'Zalgo Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇',
  '👩‍👩‍👧‍👦🏳️‍🌈',
  '𝕂𝕖𝕖𝕝',
  'ﷺ',
  '日本語テキスト',
  'עִברִית',
  '\u00A0nbsp\u00A0',
  '\u2028\u2029',
];

/** Strings that PostgreSQL text/jsonb cannot hold or that are not well-formed UTF-16. */
export const AWKWARD_PAYLOADS = ['\u0000', 'a\u0000b', '\uD800', 'x\uDFFFy', '\uFFFF'];

export const OTHER_PAYLOADS = [
  '',
  ' ',
  '\t\r\n',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'NaN',
  'Infinity',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '-1',
  '0',
  '1e309',
  '9007199254740993',
  '2147483648',
  '-2147483649',
  '0x1F',
  '1.5',
  '١٢٣',
  '2026-13-45T99:99:99Z',
  '-200000-01-01T00:00:00Z',
  '+275760-09-13T00:00:00Z',
  '../../../etc/passwd',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, sent literally
  '${7*7}{{7*7}}',
  '%s%s%s%n',
  'x'.repeat(5000),
];

export const HOSTILE_STRINGS = [
  ...SQL_PAYLOADS,
  ...HTML_PAYLOADS,
  ...UNICODE_PAYLOADS,
  ...AWKWARD_PAYLOADS,
  ...OTHER_PAYLOADS,
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);

export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    -1,
    0,
    -0,
    1,
    1.5,
    2 ** 31 - 1,
    2 ** 31,
    -(2 ** 31) - 1,
    2 ** 53,
    -(2 ** 53),
    Number.MAX_SAFE_INTEGER + 2,
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    5e-324,
  ),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** A JSON value as text, so keys like __proto__ reach the server exactly as written. */
export type JsonTree = { t: 'raw'; v: string } | { t: 'arr'; v: JsonTree[] } | { t: 'obj'; v: [string, JsonTree][] };

export function jsonText(tree: JsonTree): string {
  if (tree.t === 'raw') return tree.v;
  if (tree.t === 'arr') return `[${tree.v.map(jsonText).join(',')}]`;
  return `{${tree.v.map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`).join(',')}}`;
}

const scalarTree: fc.Arbitrary<JsonTree> = fc.oneof(
  hostileString.map((s) => ({ t: 'raw' as const, v: JSON.stringify(s) })),
  hostileNumber.map((n) => ({ t: 'raw' as const, v: JSON.stringify(n) })),
  // Numbers JSON.stringify cannot write but JSON allows: huge exponents, long mantissas.
  fc.constantFrom('1e400', '-1e400', '123456789012345678901234567890', '0.0000000000000000000001', '-0').map((v) => ({
    t: 'raw' as const,
    v,
  })),
  fc.boolean().map((b) => ({ t: 'raw' as const, v: String(b) })),
  fc.constant({ t: 'raw' as const, v: 'null' }),
);

/** Random JSON whose object keys are the route's real field names, pollution keys or random text. */
export function jsonTree(fieldNames: string[]): fc.Arbitrary<JsonTree> {
  const key = fc.oneof(
    { weight: 4, arbitrary: fieldNames.length ? fc.constantFrom(...fieldNames) : fc.constant('name') },
    { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', 'id', '') },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  );
  const { tree } = fc.letrec<{ tree: JsonTree }>((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      scalarTree,
      fc.array(tie('tree'), { maxLength: 4 }).map((v) => ({ t: 'arr' as const, v })),
      fc.array(fc.tuple(key, tie('tree')), { maxLength: 5 }).map((v) => ({ t: 'obj' as const, v })),
    ),
  }));
  return tree;
}

/** An object of the route's real fields, each with a hostile (often wrong-typed) value. */
export function fieldsObject(fieldNames: string[], ids: number[]): fc.Arbitrary<JsonTree> {
  const names = fieldNames.length ? fieldNames : ['name'];
  const value = fc.oneof(
    scalarTree,
    jsonTree(names),
    fc.constantFrom(...ids).map((n) => ({ t: 'raw' as const, v: String(n) })),
  );
  return fc
    .tuple(
      fc.array(fc.tuple(fc.constantFrom(...names), value), { minLength: 1, maxLength: 6 }),
      fc.option(fc.constantFrom(...ids), { nil: undefined }),
    )
    .map(([entries, id]) => ({
      t: 'obj' as const,
      v: id === undefined ? entries : [['id', { t: 'raw' as const, v: String(id) }] as [string, JsonTree], ...entries],
    }));
}

const deep = (n: number, open: string, inner: string, close: string) => open.repeat(n) + inner + close.repeat(n);

/** Raw bodies a JSON parser must refuse or survive: malformed, pollution, very deep, very large. */
export const rawJsonBodies: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '{',
    '{"a":',
    '[1,2',
    'nul',
    '{"a":1}}',
    "{'a':1}",
    '{"a":1,}',
    '[,]',
    '\u0000',
    ' ',
    '"\\ud800"',
    '{"name":"\\u0000"}',
    '{"__proto__":{"polluted":"yes"}}',
    '[{"__proto__":{"polluted":"yes"},"name":"p"}]',
    '{"constructor":{"prototype":{"polluted":"yes"}}}',
    '[{"name":"dup","name":"dup2","id":-1}]',
    '{"name":1e999999}',
    '[NaN]',
    '[Infinity]',
    '\uFEFF[]',
  ),
  fc.integer({ min: 1000, max: 20_000 }).map((n) => deep(n, '[', '', ']')),
  fc.integer({ min: 1000, max: 20_000 }).map((n) => deep(n, '{"a":', '1', '}')),
  fc.integer({ min: 1000, max: 5000 }).map((n) => `[{"name":"deep","notes":${deep(n, '[', '"x"', ']')}}]`),
  fc.integer({ min: 1000, max: 20_000 }).map((n) => '['.repeat(n)),
);

/** Bodies of 1-3 MB (under the 16 MB limit), in a real field or as a huge array. */
export function hugeBodies(fieldNames: string[]): fc.Arbitrary<string> {
  const names = fieldNames.length ? fieldNames : ['name'];
  return fc.tuple(fc.constantFrom(...names), fc.integer({ min: 1, max: 3 }), fc.boolean()).map(([field, mb, arr]) => {
    if (arr) return `[${new Array(mb * 200_000).fill('1').join(',')}]`;
    return JSON.stringify([{ [field]: '𝕂'.repeat((mb * 1024 * 1024) / 4) }]);
  });
}

export interface FuzzBody {
  contentType: string | null;
  payload: string;
}

/**
 * A valid record for the route with one or two fields replaced by hostile values (mostly strings, which
 * text fields accept): these get past validation and reach the use case and the database.
 */
export function nearlyValid(
  template: Record<string, unknown>,
  fieldNames: string[],
  ids: number[],
): fc.Arbitrary<string> {
  const own = Object.keys(template);
  const names = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...(own.length ? own : ['name'])) },
    { weight: 1, arbitrary: fc.constantFrom(...fieldNames, 'name', '__proto__', 'constructor') },
  );
  const value: fc.Arbitrary<unknown> = fc.oneof(
    { weight: 5, arbitrary: hostileString },
    { weight: 1, arbitrary: hostileNumber },
    { weight: 1, arbitrary: fc.constantFrom(...ids) },
    { weight: 1, arbitrary: fc.constantFrom(null, true, [], {}) },
  );
  return fc
    .tuple(fc.array(fc.tuple(names, value), { minLength: 1, maxLength: 2 }), fc.boolean())
    .map(([overrides, wrap]) => {
      const record: Record<string, unknown> = { ...template };
      for (const [k, v] of overrides)
        Object.defineProperty(record, k, { value: v, enumerable: true, writable: true, configurable: true });
      return JSON.stringify(wrap ? [record] : record);
    });
}

export function bodies(
  fieldNames: string[],
  ids: number[],
  template?: Record<string, unknown>,
): fc.Arbitrary<FuzzBody | null> {
  const json = (a: fc.Arbitrary<string>) => a.map((payload) => ({ contentType: 'application/json', payload }));
  return fc.oneof(
    { weight: template ? 6 : 0, arbitrary: json(nearlyValid(template ?? {}, fieldNames, ids)) },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 4, arbitrary: json(jsonTree(fieldNames).map(jsonText)) },
    {
      weight: 4,
      arbitrary: json(
        fc
          .tuple(fieldsObject(fieldNames, ids), fc.boolean())
          .map(([o, wrap]) => (wrap ? `[${jsonText(o)}]` : jsonText(o))),
      ),
    },
    { weight: 2, arbitrary: json(rawJsonBodies) },
    { weight: 1, arbitrary: json(hugeBodies(fieldNames)) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom(
            'text/plain',
            'application/x-www-form-urlencoded',
            'application/xml',
            'multipart/form-data; boundary=x',
            'text/json',
            'application/merge-patch+json',
            'application/json; charset=utf-16',
            'application/octet-stream',
            '*/*',
            ';;;',
          ),
          fc.oneof(
            hostileString,
            fc.constantFrom('name=%3Cscript%3E&id=-1&__proto__[x]=1', 'a=%E0%A4%A', '<x/>', '--x\r\n\r\n--x--'),
          ),
        )
        .map(([contentType, payload]) => ({ contentType, payload })),
    },
  );
}

/**
 * Percent-encodes any JS string, lone surrogates included (as the bytes of U+FFFD, the way a browser
 * would send them); encodeURIComponent throws on those.
 */
export function pct(s: string): string {
  return [...Buffer.from(s, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}

/** A query string with the route's parameters (wrong-typed) and random keys, sometimes badly encoded. */
export function queryStrings(paramNames: string[]): fc.Arbitrary<string> {
  const key = fc.oneof(
    { weight: 4, arbitrary: paramNames.length ? fc.constantFrom(...paramNames) : fc.constant('q') },
    { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', '__proto__[polluted]', 'a[b][c]', '') },
    { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
  );
  const value = fc.oneof(
    hostileString,
    hostileNumber.map(String),
    fc.constantFrom('true', 'false', '1', '0', 'yes', ''),
  );
  const pair = fc
    .tuple(key, value, fc.boolean())
    .map(([k, v, raw]) => (raw ? `${k}=${v.replace(/[&#\s]/g, '')}` : `${pct(k)}=${pct(v)}`));
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant('') },
    { weight: 6, arbitrary: fc.array(pair, { minLength: 1, maxLength: 6 }).map((p) => p.join('&')) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '%',
        '%zz',
        'a=%E0%A4%A',
        'search=%ED%A0%80',
        'search=%C0%AF',
        'a&&&b=&=c',
        `x=${'y'.repeat(20_000)}`,
      ),
    },
  );
}

/** Values for an {id} path parameter: invalid numbers, unicode and injection as well as real ids. */
export function idSegments(realIds: number[]): fc.Arbitrary<string> {
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        '-1',
        '0',
        '-0',
        '9007199254740992',
        '9007199254740993',
        '2147483648',
        '99999999999999999999999',
        '1e3',
        '1.5',
        '0x10',
        'abc',
        'NaN',
        'null',
        '%20',
        '%00',
        '%F0%9F%92%A9',
        '%D9%A3',
        '%ED%A0%80',
        '%',
        '1%3BDROP%20TABLE%20client',
        '%27%20OR%201%3D1',
        '__proto__',
        'constructor',
      ),
    },
    { weight: 2, arbitrary: fc.constantFrom(...realIds).map(String) },
    { weight: 1, arbitrary: fc.integer().map(String) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }).map(pct) },
  );
}

/** A valid body per write route (the fuzzer spoils one or two fields; the role table sends it as is). */
export function validBodies(ids: Record<string, number>): Record<string, Record<string, unknown>> {
  return {
    'POST /auth/token': { grant_type: 'client_credentials', client_id: 'nobody', client_secret: 'x' },
    'POST /api/Client': { name: 'Fuzzed client', notes: 'n', website: 'https://example.com', toplevel_id: 1 },
    'POST /api/Site': { name: 'Fuzzed site', client_id: ids.client, city: 'c', notes: 'n' },
    'POST /api/TopLevel': { name: 'Fuzzed top level' },
    'POST /api/Users': { name: 'Fuzzed user', client_id: ids.client, site_id: ids.site, emailaddress: 'a@b.c' },
    'POST /api/Agent': { name: 'Fuzzed agent', login: 'fuzzed', email: 'f@x.y', role: 'technician' },
    'POST /api/AssetGroup': { name: 'Fuzzed group' },
    'POST /api/AssetType': { name: 'Fuzzed type', assetgroup_id: 1 },
    'POST /api/Field': { name: 'Fuzzed field', type: 'text' },
    'POST /api/FieldInfo': { name: 'fuzzed', label: 'Fuzzed', usage: 'ticket', type: 'text' },
    'POST /api/Asset': {
      inventory_number: 'FZ',
      client_id: ids.client,
      site_id: ids.site,
      assettype_id: ids.assettype ?? 1,
      notes: 'n',
    },
    'POST /api/TicketType': { name: 'Fuzzed type', default_priority: 3 },
    'POST /api/Status': { name: 'Fuzzed status', type: 0, sequence: 5 },
    'POST /api/Priority': { name: 'Fuzzed priority' },
    'POST /api/Tickets': { summary: 'Fuzzed ticket', details: 'd', client_id: ids.client, site_id: ids.site },
    'POST /api/Actions': { ticket_id: ids.ticket, note: 'fuzzed note', outcome: 'o' },
    'POST /api/IntegrationError': { module: 'atera', error: 'e', entity_name: 'n' },
    'POST /api/Integration/Atera': {
      atera_placeholders: ['x'],
      atera_schedule_timezone: 'UTC',
      atera_devicetypes: ['Server'],
    },
    'POST /api/Integration/Atera/ImportCustomers': { preview: true },
    'POST /api/Integration/Atera/ImportAssets': { preview: true },
    'POST /api/Integration/Atera/Sync': { entities: ['customers'], dry_run: true },
  };
}

// ---------------------------------------------------------------------------------------------
// Database fingerprints

/** Tables whose rows every request may touch (tokens are issued, used and pruned). */
const VOLATILE = new Set(['keel_migration', 'auth_token']);

export type Fingerprint = Record<string, string>;

export async function tableNames(db: Kysely<DB>): Promise<string[]> {
  const { rows } = await sql<{ tablename: string }>`
    SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`.execute(db);
  return rows.map((r) => r.tablename).filter((t) => !VOLATILE.has(t));
}

/** Row count and an md5 over every row's text form, per table. */
export async function fingerprint(db: Kysely<DB>, tables: string[]): Promise<Fingerprint> {
  const parts = tables.map(
    (t) =>
      `SELECT '${t}' AS t, count(*)::text || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '-') AS h FROM "${t}" x`,
  );
  const { rows } = await sql<{ t: string; h: string }>`${sql.raw(parts.join(' UNION ALL '))}`.execute(db);
  return Object.fromEntries(rows.map((r) => [r.t, r.h]));
}

export function changedTables(before: Fingerprint, after: Fingerprint): string[] {
  return Object.keys({ ...before, ...after }).filter((t) => before[t] !== after[t]);
}
