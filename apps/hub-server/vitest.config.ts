import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    setupFiles: ['../../scripts/vitest/fast-check-replay.mjs'],
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'test/**/*.test.ts'],
    // Conformance tests open real databases (a fresh PostgreSQL database per file when PG_URL is set).
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores shared with everyone else: two files at a time keeps PostgreSQL and SQLite fsyncs sane.
    maxWorkers: 2,
  },
});
