/** Bundles the pos-hub CLI from source into `outfile` (see bundle-cli.mjs). */
export function bundleHubCli(outfile: string, options?: { sourcemap?: boolean }): Promise<void>;
