import type { NodeChild } from './node-supervisor';

/** What the store node process looks like to the main process, however it was started. */
export interface SpawnedProcess {
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: NodeJS.ReadableStream | null;
  onExit(listener: (code: number | null) => void): void;
  /** Asks the node to shut down cleanly (it closes the database first). */
  requestStop(): void;
  kill(): void;
}

/** How long a clean shutdown may take before the node is killed. */
export const STOP_GRACE_MS = 10_000;

/**
 * Reads the node's stdout protocol (JSON lines: ready / fatal) and keeps the tail of its stderr, so a
 * crash can be explained to staff with the node's own last words.
 */
export function watchNodeProcess(child: SpawnedProcess): NodeChild {
  const readyListeners: ((url: string) => void)[] = [];
  const exitListeners: ((code: number | null, lastError: string | null) => void)[] = [];
  let fatalMessage: string | null = null;
  let lastStderr: string | null = null;
  let buffered = '';
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    buffered += chunk;
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf('\n');
      if (!line.startsWith('{')) continue;
      try {
        const event = JSON.parse(line) as { event?: unknown; url?: unknown; message?: unknown };
        if (event.event === 'ready' && typeof event.url === 'string') {
          for (const listener of readyListeners) listener(event.url);
        } else if (event.event === 'fatal' && typeof event.message === 'string') {
          fatalMessage = event.message;
        }
      } catch {
        // Not a protocol line: ignored, the node's logs go to stderr.
      }
    }
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    for (const line of chunk.trim().split('\n')) {
      if (line === '') continue;
      try {
        const record = JSON.parse(line) as { level?: unknown; msg?: unknown };
        // pino level 50 = error, 60 = fatal: the node's own account of what went wrong.
        if (typeof record.level === 'number' && record.level >= 50 && typeof record.msg === 'string')
          lastStderr = record.msg;
      } catch {
        lastStderr = line.slice(0, 500);
      }
    }
  });
  child.onExit((code) => {
    if (killTimer) clearTimeout(killTimer);
    for (const listener of exitListeners) listener(code, fatalMessage ?? lastStderr);
  });
  return {
    onReady: (listener) => void readyListeners.push(listener),
    onExit: (listener) => void exitListeners.push(listener),
    stop() {
      child.requestStop();
      killTimer = setTimeout(() => child.kill(), STOP_GRACE_MS);
    },
  };
}

/**
 * V8 flags of the store node's process: a young generation of 16 MiB semi-spaces from the start (growing
 * to 32 MiB). A scan allocates about 100 KB, most of it garbage by its answer; with V8's default the
 * young generation starts at 1 MiB and grows only while much survives, which a till's garbage never
 * does, so a scavenge came every ~90 commands and paused the one it landed in. With these, one comes
 * every ~220 commands: fewer than 1 in 100 scans waits for one (docs/performance.md, store node round 8).
 * Costs ~11 MiB more resident memory. Flags for V8 must be on the process's command line: set where the
 * node is launched (the desktop app's utility process, `npm run desktop`'s Node, the benchmark, the
 * `pos-store` command's shebang).
 */
export const STORE_NODE_V8_FLAGS: readonly string[] = [
  '--min-semi-space-size=16',
  '--max-semi-space-size=32',
];

export interface NodeLaunchArgs {
  readonly entry: string;
  readonly dataDir: string;
  readonly port: number;
  readonly lan: boolean;
  readonly migrationsDir: string;
  readonly rendererDir: string;
  readonly hubUrl: string | undefined;
  /** Demo data to load before serving (`npm run desktop -- --demo`). */
  readonly fixture?: string;
  readonly token: string;
}

export function nodeArguments(args: NodeLaunchArgs): string[] {
  return [
    '--data',
    args.dataDir,
    '--port',
    String(args.port),
    '--host',
    args.lan ? '0.0.0.0' : '127.0.0.1',
    '--migrations',
    args.migrationsDir,
    // Lanes and handhelds on the LAN load the renderer from the node; the window itself uses the bundle.
    ...(args.lan ? ['--ui', args.rendererDir] : []),
    ...(args.hubUrl === undefined ? [] : ['--hub', args.hubUrl]),
    ...(args.fixture === undefined ? [] : ['--fixture', args.fixture]),
  ];
}

/**
 * The token and the drawer key travel in the environment, never on the command line where `ps` would
 * show them.
 */
export function nodeEnvironment(
  base: NodeJS.ProcessEnv,
  token: string,
  drawerKey?: Uint8Array,
): NodeJS.ProcessEnv {
  return {
    ...base,
    POS_STORE_TOKEN: token,
    POS_STORE_DRAWER_KEY: drawerKey === undefined ? undefined : Buffer.from(drawerKey).toString('base64url'),
    ELECTRON_RUN_AS_NODE: undefined,
  };
}
