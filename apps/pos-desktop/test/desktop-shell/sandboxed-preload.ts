import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import * as timers from 'node:timers';
import * as url from 'node:url';
import { createContext, runInContext } from 'node:vm';

/**
 * Runs a preload bundle the way Electron runs the preload of a sandboxed renderer, so a test catches what
 * would make it throw on its first line in the real app.
 *
 * Electron's docs (docs/tutorial/sandbox.md, "Preload scripts"): a sandboxed preload gets a `require`
 * that "will only be able to import a subset of Electron and Node's built-in modules: electron (only
 * renderer process modules), events, timers, url", and Buffer, process, clearImmediate and setImmediate as
 * globals. Its source (lib/sandboxed_renderer/preload.ts, runPreloadScript; lib/sandboxed_renderer/init.ts
 * for the module lists) wraps the script as
 * `function (require, process, exports, module, Buffer, global, setImmediate, clearImmediate) { ... }`,
 * evaluated in the page's isolated world: there is no `__filename`, `__dirname` or Node `require` there.
 * The `electron` module offers contextBridge, crashReporter, ipcRenderer, nativeImage, webFrame and
 * webUtils; anything else it is asked for fails with "module not found: NAME".
 */
export const PRELOAD_PARAMETERS = [
  'require',
  'process',
  'exports',
  'module',
  'Buffer',
  'global',
  'setImmediate',
  'clearImmediate',
] as const;

/** The renderer half of the `electron` module, as a test scripts it. */
export interface RendererElectron {
  readonly contextBridge: { exposeInMainWorld(key: string, api: unknown): void };
  readonly ipcRenderer: {
    sendSync(channel: string, ...args: unknown[]): unknown;
    invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  };
}

function unavailable(name: string): unknown {
  return new Proxy(
    {},
    {
      get: (_target, property) => {
        throw new Error(
          `the preload used electron.${name}.${String(property)}, which this test does not script`,
        );
      },
    },
  );
}

export interface PreloadRun {
  /** What contextBridge exposed, by key (the page sees a copy of each). */
  readonly exposed: Map<string, unknown>;
  /** Every module the preload asked require() for, in order. */
  readonly required: readonly string[];
}

export function runSandboxedPreload(file: string, electron: RendererElectron): PreloadRun {
  const exposed = new Map<string, unknown>();
  const required: string[] = [];
  const rendererModules = {
    contextBridge: {
      exposeInMainWorld(key: string, api: unknown) {
        if (exposed.has(key))
          throw new Error(`Cannot bind an API on top of an existing property on the window object`);
        electron.contextBridge.exposeInMainWorld(key, api);
        exposed.set(key, api);
      },
    },
    ipcRenderer: electron.ipcRenderer,
    crashReporter: unavailable('crashReporter'),
    nativeImage: unavailable('nativeImage'),
    webFrame: unavailable('webFrame'),
    webUtils: unavailable('webUtils'),
  };
  const modules = new Map<string, () => unknown>([
    ['electron', () => rendererModules],
    ['electron/common', () => rendererModules],
    ['electron/renderer', () => rendererModules],
    ['events', () => EventEmitter],
    ['node:events', () => EventEmitter],
    ['timers', () => timers],
    ['node:timers', () => timers],
    ['url', () => url],
    ['node:url', () => url],
  ]);
  const preloadRequire = (name: string): unknown => {
    required.push(name);
    const load = modules.get(name);
    if (!load) throw new Error(`module not found: ${name}`);
    return load();
  };
  // Electron gives the preload its own process object: an EventEmitter with a few of the renderer's facts.
  const preloadProcess = Object.assign(new EventEmitter(), {
    type: 'renderer',
    sandboxed: true,
    contextIsolated: true,
    platform: process.platform,
    arch: process.arch,
    pid: process.pid,
    versions: { ...process.versions, electron: '40.10.2', chrome: '144.0.0.0' },
  });
  // The isolated world: a fresh global with the language built-ins and a console, nothing from Node.
  const world = createContext({ console });
  runInContext('globalThis.window = globalThis; globalThis.self = globalThis;', world);
  const source = readFileSync(file, 'utf8');
  const wrapper = runInContext(`(function (${PRELOAD_PARAMETERS.join(', ')}) {\n${source}\n})`, world, {
    filename: file,
  }) as (...args: unknown[]) => void;
  const exportsObject = {};
  wrapper(
    preloadRequire,
    preloadProcess,
    exportsObject,
    { exports: exportsObject },
    Buffer,
    runInContext('globalThis', world),
    setImmediate,
    clearImmediate,
  );
  return { exposed, required };
}
