import { defineConfig } from 'vitest/config';

/**
 * The fault suite (issue 9): `npm run test:faults`. The short version of the same files also runs in `npm test`;
 * KEEL_FAULTS_LONG=1 turns on the long version (50 kills per scenario). Multi-process tests need PostgreSQL
 * (TEST_DATABASE_URL, KEEL_FAULTS_DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres).
 */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts', 'test/faults/figures-setup.ts'],
    pool: 'forks',
    // Two files at once (the kill files each drive their own worker processes and databases).
    maxWorkers: 2,
    testTimeout: 600_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
