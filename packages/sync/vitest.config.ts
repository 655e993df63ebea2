import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    setupFiles: ['../../scripts/vitest/fast-check-replay.mjs'],
    include: ['src/**/*.test.ts'],
    // Model tests with injected faults and real sockets run longer than 5 s on a shared, busy machine;
    // the limit only stops a hung test, it never judges speed.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
