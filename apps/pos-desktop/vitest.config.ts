import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    setupFiles: ['../../scripts/vitest/fast-check-replay.mjs'],
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'test/**/*.test.ts'],
    // Tests that spawn the CLI or SIGKILL a child need more than the default 5 s on a shared 2-core box.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
