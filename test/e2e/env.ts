/** Where global-setup started Keel and the Atera simulator. */
export interface E2eEnv {
  url: string;
  simUrl: string;
  simApiKey: string;
  adminPassword: string;
}

export function e2eEnv(): E2eEnv {
  const raw = process.env.KEEL_E2E;
  if (!raw) throw new Error('KEEL_E2E is not set: run the browser tests with `npx playwright test`');
  return JSON.parse(raw) as E2eEnv;
}
