import { defineConfig } from 'vitest/config';

// Two tiers, both run by `vitest run` (so `npm test` and CI run everything): `unit` is the code next to
// its tests in src/ (one process, in-memory or temp-file SQLite, a real hub in-process where sync is
// under test); `process` is test/, which starts real pos-hub / pos-store processes, SIGKILLs children
// and fills disks. `npm run test:unit` / `npm run test:process` run one tier.
export default defineConfig({
  test: {
    setupFiles: ['../../scripts/vitest/fast-check-replay.mjs'],
    // Tests that spawn the CLI or SIGKILL a child need more than the default 5 s on a shared 2-core box.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['src/**/*.test.ts', 'src/**/*.test.tsx'] } },
      { extends: true, test: { name: 'process', include: ['test/**/*.test.ts'] } },
    ],
  },
});
