import { main } from './cli/main';

// Entry point of `pos-store` (bundled to dist/cli.js for bin/pos-store.mjs; tests run it with tsx).
// A finished command sets the exit code; `start` leaves the server running until a signal.
const exitCode = await main(process.argv.slice(2));
if (exitCode !== 0) process.exit(exitCode);
