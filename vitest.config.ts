import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'test/e2e/**', 'web/**'],
    // The fault suite's short version runs here too; its setup prints the figures at the end.
    globalSetup: ['test/helpers/global-setup.ts', 'test/faults/figures-setup.ts'],
    // Each test file opens its own database (PGlite from a dumped template, or a PostgreSQL database
    // cloned from a migrated template), so files run in parallel without sharing state.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
