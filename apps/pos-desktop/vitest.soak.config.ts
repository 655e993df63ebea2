import { defineConfig } from 'vitest/config';

// The soak (test/soak, `npm run soak`) only: its length comes from SOAK_MINUTES, and it is kept out of
// the unit run so `npm test` runs it once, as its own step, at its CI length.
export default defineConfig({
  test: {
    setupFiles: ['../../scripts/vitest/fast-check-replay.mjs'],
    include: ['test/soak/**/*.soak.ts'],
    testTimeout: 60_000,
    hookTimeout: 300_000,
  },
});
