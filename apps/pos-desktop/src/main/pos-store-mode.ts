import { parseArgs } from 'node:util';
import { OPTIONS } from '../cli/options';

/**
 * An installed till has no Node to run `pos-store` with (its SQLite driver is built for Electron, and the
 * Electron fuses forbid ELECTRON_RUN_AS_NODE), so the app's own binary runs the CLI when its first
 * argument is `pos-store`: `retail-pos pos-store backup --data DIR --out FILE` (the packaged `pos-store`
 * wrapper next to the executable does exactly that). No window opens.
 */
export function posStoreArguments(argv: readonly string[], isPackaged: boolean): string[] | null {
  // Packaged: [executable, ...arguments]; from a checkout: [electron, appPath, ...arguments].
  const userArgs = argv.slice(isPackaged ? 1 : 2);
  return userArgs[0] === 'pos-store' ? userArgs.slice(1) : null;
}

/** Whether the CLI command keeps running after it answered (`start`, the default, serves until a signal). */
export function keepsServing(cliArgs: readonly string[]): boolean {
  const { values, positionals } = parseArgs({
    args: [...cliArgs],
    options: OPTIONS,
    allowPositionals: true,
    strict: false,
  });
  return values.help !== true && (positionals[0] ?? 'start') === 'start';
}
