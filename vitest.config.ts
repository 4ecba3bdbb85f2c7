import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['test/support/no-real-metadata.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests start real peers (IdP, Chromium, AWS CLI); two cores do not like more at once.
    maxWorkers: 2,
  },
});
