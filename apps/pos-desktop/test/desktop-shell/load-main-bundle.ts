import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { compileFunction } from 'node:vm';

/**
 * Loads the built main-process bundle as Electron's main process would load a CommonJS entry, with two
 * differences a test needs: `require('electron')` answers the given fake, and `process` is this process
 * seen through the given argv and environment (the bundle reads its flags from process.argv).
 */
export function loadMainBundle(
  file: string,
  electron: unknown,
  options: { readonly argv: readonly string[]; readonly env: NodeJS.ProcessEnv },
): { readonly log: string[] } {
  const log: string[] = [];
  const stderr = { write: (chunk: string) => log.push(String(chunk).trimEnd()) !== 0 };
  const overrides: Record<PropertyKey, unknown> = { argv: [...options.argv], env: options.env, stderr };
  const fakeProcess = new Proxy(process, {
    get(target, property) {
      if (property in overrides) return overrides[property];
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== 'function') return value;
      // Bound to the real process, keeping properties such as process.hrtime.bigint.
      return Object.assign((value as (...args: unknown[]) => unknown).bind(target), value);
    },
  });
  const realRequire = createRequire(file);
  const bundleRequire = (id: string): unknown => (id === 'electron' ? electron : realRequire(id));
  const body = compileFunction(
    readFileSync(file, 'utf8'),
    ['exports', 'require', 'module', '__filename', '__dirname', 'process'],
    { filename: file },
  );
  const module = { exports: {} };
  body(module.exports, bundleRequire, module, file, dirname(file), fakeProcess);
  return { log };
}
