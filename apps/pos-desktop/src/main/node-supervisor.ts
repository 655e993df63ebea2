/**
 * Keeps the store node (engine + local server) running next to the window. The node runs in its own
 * process so a crash there never takes the window down; it is started again with exponential backoff,
 * with the same port and token so the renderer simply reconnects. A node that keeps dying on start
 * (a damaged database, a port taken) stops being restarted and its last words are shown to staff.
 */

/** A started store node process, whatever launched it (Electron utility process or plain Node). */
export interface NodeChild {
  onReady(listener: (url: string) => void): void;
  onExit(listener: (code: number | null, lastError: string | null) => void): void;
  stop(): void;
}

export type NodeState =
  | { readonly status: 'starting'; readonly attempt: number }
  | { readonly status: 'running'; readonly url: string }
  | { readonly status: 'restarting'; readonly inMs: number; readonly lastError: string | null }
  | { readonly status: 'failed'; readonly message: string }
  | { readonly status: 'stopped' };

export interface SupervisorOptions {
  readonly launch: () => NodeChild;
  readonly onState: (state: NodeState) => void;
  readonly setTimer?: (run: () => void, ms: number) => unknown;
  readonly clearTimer?: (timer: unknown) => void;
  readonly now?: () => number;
  readonly firstDelayMs?: number;
  readonly maxDelayMs?: number;
  /** More crashes than this within `crashWindowMs` means restarting will not help. */
  readonly maxCrashes?: number;
  readonly crashWindowMs?: number;
}

/** Exit code the node uses for problems a restart cannot fix (missing database, bad settings). */
export const FATAL_EXIT_CODE = 2;

export interface NodeSupervisor {
  start(): void;
  stop(): void;
  state(): NodeState;
}

export function createNodeSupervisor(options: SupervisorOptions): NodeSupervisor {
  const setTimer = options.setTimer ?? ((run, ms) => setTimeout(run, ms));
  const clearTimer = options.clearTimer ?? ((timer) => clearTimeout(timer as ReturnType<typeof setTimeout>));
  const now = options.now ?? (() => Date.now());
  const firstDelay = options.firstDelayMs ?? 1000;
  const maxDelay = options.maxDelayMs ?? 30_000;
  const maxCrashes = options.maxCrashes ?? 5;
  const crashWindow = options.crashWindowMs ?? 120_000;
  let state: NodeState = { status: 'stopped' };
  let child: NodeChild | undefined;
  let timer: unknown;
  let stopping = false;
  let crashes: number[] = [];
  let attempt = 0;

  const set = (next: NodeState) => {
    state = next;
    options.onState(next);
  };

  function launch(): void {
    attempt += 1;
    set({ status: 'starting', attempt });
    const current = options.launch();
    child = current;
    current.onReady((url) => {
      if (child === current && !stopping) set({ status: 'running', url });
    });
    current.onExit((code, lastError) => {
      if (child !== current) return;
      child = undefined;
      if (stopping) {
        set({ status: 'stopped' });
        return;
      }
      if (code === FATAL_EXIT_CODE) {
        set({ status: 'failed', message: lastError ?? 'The store node cannot start with these settings.' });
        return;
      }
      const at = now();
      crashes = [...crashes.filter((crashAt) => at - crashAt < crashWindow), at];
      if (crashes.length > maxCrashes) {
        set({
          status: 'failed',
          message: `The store node stopped ${crashes.length} times in a row${lastError ? `: ${lastError}` : ''}. Restart the app; if it happens again, call support.`,
        });
        return;
      }
      const inMs = Math.min(maxDelay, firstDelay * 2 ** (crashes.length - 1));
      set({ status: 'restarting', inMs, lastError });
      timer = setTimer(() => {
        timer = undefined;
        if (!stopping) launch();
      }, inMs);
    });
  }

  return {
    start() {
      if (child || state.status === 'starting') return;
      stopping = false;
      crashes = [];
      launch();
    },
    stop() {
      stopping = true;
      if (timer !== undefined) {
        clearTimer(timer);
        timer = undefined;
      }
      if (child) child.stop();
      else set({ status: 'stopped' });
    },
    state: () => state,
  };
}
