// Bundles the pos-hub CLI (our TypeScript and the internal @retail packages) into one file. npm
// dependencies stay external and load from node_modules: better-sqlite3 is native, pino starts worker
// threads by file name, and none of them need bundling to run. The build and the process-level tests
// that must run this commit's source (not whatever dist/ holds) share it.
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const app = resolve(new URL('..', import.meta.url).pathname);

// Every bare import except our own workspaces (which ship TypeScript source) stays external, including the
// dependencies of those workspaces (e.g. socket.io-client under @retail/sync).
const externalPackages = {
  name: 'external-packages',
  setup(context) {
    context.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@retail/') || args.path.startsWith('node:')
        ? undefined
        : { path: args.path, external: true },
    );
  },
};

/**
 * Writes the bundle to `outfile`. External packages resolve from the bundle's folder upwards, so it must
 * sit inside the repository (dist/, or a node_modules/.cache folder for tests).
 */
export async function bundleHubCli(outfile, { sourcemap = false } = {}) {
  await build({
    entryPoints: [join(app, 'src/cli.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    sourcemap,
    plugins: [externalPackages],
    logLevel: 'warning',
  });
}
