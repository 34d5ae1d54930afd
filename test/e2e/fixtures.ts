import {
  type APIRequestContext,
  test as base,
  expect,
  type Page,
  request as playwrightRequest,
} from '@playwright/test';
import { type E2eEnv, e2eEnv } from './env.js';

/** A bearer-token API client for arranging data (the UI itself is what the tests check). */
export class KeelApi {
  constructor(
    readonly ctx: APIRequestContext,
    readonly env: E2eEnv,
  ) {}

  static async signIn(env: E2eEnv, username: string, password: string): Promise<KeelApi> {
    const anon = await playwrightRequest.newContext({ baseURL: env.url });
    const res = await anon.post('/auth/token', { data: { grant_type: 'password', username, password } });
    expect(res.ok(), await res.text()).toBeTruthy();
    const { access_token } = (await res.json()) as { access_token: string };
    await anon.dispose();
    const ctx = await playwrightRequest.newContext({
      baseURL: env.url,
      extraHTTPHeaders: { authorization: `Bearer ${access_token}` },
    });
    return new KeelApi(ctx, env);
  }

  async call<T = unknown>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const res = await this.ctx.fetch(path, { method, data: body });
    const text = await res.text();
    if (!res.ok()) throw new Error(`${method} ${path} → ${res.status()}: ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  }

  get = <T = unknown>(path: string) => this.call<T>('GET', path);

  /** POST one record of a Halo resource (Halo answers a one-element array with the record itself). */
  async create<T = { id: number }>(resource: string, record: Record<string, unknown>): Promise<T> {
    const out = await this.post<T | T[]>(`/api/${resource}`, [record]);
    return Array.isArray(out) ? out[0]! : out;
  }
  post = <T = unknown>(path: string, body?: unknown) => this.call<T>('POST', path, body ?? {});

  async status(method: 'GET' | 'POST', path: string, body?: unknown): Promise<number> {
    const res = await this.ctx.fetch(path, { method, data: body });
    return res.status();
  }

  /** Module enabled and connected to the simulator (idempotent). */
  async connect(): Promise<void> {
    await this.post('/api/Integration/Atera', {
      atera_enabled: true,
      atera_url: this.env.simUrl,
      atera_apikey: this.env.simApiKey,
    });
  }

  async ensureCustomers(): Promise<void> {
    await this.connect();
    const list = await this.get<{ record_count: number }>('/api/Client?pageinate=true&page_size=1&ateraid=1001');
    if (list.record_count === 0) await this.post('/api/Integration/Atera/ImportCustomers?wait=true', {});
  }

  async ensureAssets(): Promise<void> {
    await this.ensureCustomers();
    const list = await this.get<{ record_count: number }>('/api/Asset?pageinate=true&page_size=1');
    if (list.record_count === 0) await this.post('/api/Integration/Atera/ImportAssets?wait=true', {});
  }

  async dispose(): Promise<void> {
    await this.ctx.dispose();
  }
}

/** The simulator's control API (/_sim): script Atera's side of a test. */
export class SimControl {
  constructor(readonly env: E2eEnv) {}

  async call<T = unknown>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.env.simUrl}/_sim${path}`, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`sim ${method} ${path} → ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  }

  calls(method?: string, path?: string) {
    const q = new URLSearchParams();
    if (method) q.set('method', method);
    if (path) q.set('path', path);
    return this.call<{ calls: { method: string; path: string; status: number }[] }>('GET', `/calls?${q}`);
  }

  agents() {
    return fetch(`${this.env.simUrl}/api/v3/agents?page=1&itemsInPage=50`, {
      headers: { 'X-API-KEY': this.env.simApiKey },
    }).then(
      (r) =>
        r.json() as Promise<{ items: { AgentID: number; CustomerID: number; MachineName: string; OSType: string }[] }>,
    );
  }
}

interface Fixtures {
  keel: E2eEnv;
  admin: KeelApi;
  sim: SimControl;
}

export const test = base.extend<Fixtures>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright fixtures name what they need by destructuring.
  baseURL: async ({}, use) => {
    await use(e2eEnv().url);
  },
  // biome-ignore lint/correctness/noEmptyPattern: Playwright fixtures name what they need by destructuring.
  keel: async ({}, use) => {
    await use(e2eEnv());
  },
  // biome-ignore lint/correctness/noEmptyPattern: Playwright fixtures name what they need by destructuring.
  admin: async ({}, use) => {
    const env = e2eEnv();
    const api = await KeelApi.signIn(env, 'admin', env.adminPassword);
    await use(api);
    await api.dispose();
  },
  // biome-ignore lint/correctness/noEmptyPattern: Playwright fixtures name what they need by destructuring.
  sim: async ({}, use) => {
    await use(new SimControl(e2eEnv()));
  },
});

export { expect };

export async function signIn(page: Page, login: string, password: string): Promise<void> {
  await page.goto('/signin');
  await page.getByLabel('Login').fill(login);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
}

export async function signInAsAdmin(page: Page): Promise<void> {
  await signIn(page, 'admin', e2eEnv().adminPassword);
}

/** Picks an option of a Mantine Select/MultiSelect by its label, typing to search first when asked. */
export async function choose(
  page: Page,
  label: string | RegExp,
  option: string | RegExp,
  search?: string,
): Promise<void> {
  const input = page.getByRole('combobox', { name: label, exact: typeof label === 'string' }).first();
  await input.click();
  if (search !== undefined) await input.fill(search);
  await page.getByRole('option', { name: option }).first().click();
}
