import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Moves the SQLite hub's write-ahead-log checkpoints off the main thread (docs/performance.md,
 * "Catch-up, round 4").
 *
 * SQLite's own rule checkpoints inside the commit that takes the log past `wal_autocheckpoint` pages
 * (1,000 by default): copying the log's pages into the database file and fsyncing it, on the thread that
 * answers every request. A catch-up's push of 500 sales writes about 1,100 pages, so every push's commit
 * paid one. Here a worker thread with a connection of its own runs a PASSIVE checkpoint shortly after
 * commits: it copies what no reader still needs, never takes the write lock, never waits for one, so the
 * main connection keeps committing while it runs. The main connection's automatic checkpoint stays on,
 * at `boundPages` (10,000: about 40 MiB), so the log cannot grow without limit if the worker falls behind
 * or is gone: then SQLite checkpoints in a commit as before, and only the pages the worker had not copied.
 *
 * Durability does not depend on checkpoints: a commit is durable once its log frames are (the main
 * connection's synchronous=FULL fsyncs them before the commit returns, so before any push is
 * acknowledged); a checkpoint copies durable frames into the database file and fsyncs that.
 *
 * The worker is started at the first commit (a CLI command that only reads never starts one), holds no
 * process open (unref), and is closed before the main connection, so the main connection stays the last
 * one and SQLite checkpoints and removes the log when it closes, as before. If the worker cannot start or
 * dies, `onLost` is told, and storage.ts puts SQLite's own 1,000-page rule back.
 */

export interface WalCheckpointerOptions {
  /** The database file (not `:memory:`). */
  readonly location: string;
  /** How long after a commit the worker checkpoints, so a burst of small commits shares one (default 10 ms). */
  readonly delayMs?: number;
  /** The worker is gone (failed to start, crashed) and will not checkpoint again. */
  readonly onLost?: (error: unknown) => void;
}

export interface WalCheckpointerStats {
  /** Checkpoints the worker completed. */
  readonly checkpoints: number;
  /** Of them, those that copied every frame of the log (nothing left for the main connection). */
  readonly complete: number;
  /** Log frames the worker found, summed over its checkpoints (SQLite's `log` column). */
  readonly frames: number;
  /** Milliseconds the worker spent checkpointing (its thread, not the main one). */
  readonly milliseconds: number;
  /** Checkpoints that failed (the reason went to `onLost` only if the worker then died). */
  readonly failures: number;
}

export interface WalCheckpointer {
  /** Call after each commit: the worker checkpoints `delayMs` later (one checkpoint for a burst). */
  committed(): void;
  stats(): WalCheckpointerStats;
  /** Resolves once the worker has closed its connection and exited. */
  close(): Promise<void>;
}

export const DEFAULT_WAL_BOUND_PAGES = 10_000;
export const DEFAULT_CHECKPOINT_DELAY_MS = 10;

type FromWorker =
  | { readonly type: 'done'; readonly log: number; readonly checkpointed: number; readonly ms: number }
  | { readonly type: 'failed'; readonly ms: number };

/**
 * The worker's own code, plain JavaScript evaluated by the Worker (so the bundled CLI needs no file of
 * its own next to it). It loads the same better-sqlite3 as the hub, by resolved path.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.location, { fileMustExist: true });
db.pragma('synchronous = FULL');
db.pragma('busy_timeout = 5000');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
let timer;
function run() {
  timer = undefined;
  const started = performance.now();
  try {
    const row = checkpoint.get();
    parentPort.postMessage({ type: 'done', log: row.log, checkpointed: row.checkpointed, ms: performance.now() - started });
  } catch {
    parentPort.postMessage({ type: 'failed', ms: performance.now() - started });
  }
}
parentPort.on('message', (message) => {
  if (message === 'stop') {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    db.close();
    parentPort.close();
    return;
  }
  if (timer === undefined) timer = setTimeout(run, workerData.delayMs);
});
`;

export function startWalCheckpointer(options: WalCheckpointerOptions): WalCheckpointer {
  const delayMs = options.delayMs ?? DEFAULT_CHECKPOINT_DELAY_MS;
  let worker: Worker | undefined;
  let exited: Promise<void> | undefined;
  let lost = false;
  let closed = false;
  /** A request is with the worker and not answered yet; commits meanwhile only set `again`. */
  let asked = false;
  let again = false;
  const stats = { checkpoints: 0, complete: 0, frames: 0, milliseconds: 0, failures: 0 };

  function gone(error: unknown): void {
    if (lost || closed) return;
    lost = true;
    options.onLost?.(error);
  }

  function start(): Worker | undefined {
    try {
      const started = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          driver: createRequire(import.meta.url).resolve('better-sqlite3'),
          location: options.location,
          delayMs,
        },
      });
      started.unref();
      exited = new Promise<void>((resolve) => started.once('exit', () => resolve()));
      started.on('message', (message: FromWorker) => {
        stats.milliseconds += message.ms;
        if (message.type === 'done') {
          stats.checkpoints += 1;
          stats.frames += message.log;
          if (message.log === message.checkpointed) stats.complete += 1;
        } else stats.failures += 1;
        asked = false;
        if (again) ask();
      });
      started.on('error', (error) => gone(error));
      started.on('exit', (code) => gone(new Error(`the WAL checkpoint worker exited (${code})`)));
      return started;
    } catch (error) {
      gone(error);
      return undefined;
    }
  }

  function ask(): void {
    again = false;
    if (worker === undefined) worker = start();
    if (worker === undefined || lost) return;
    asked = true;
    worker.postMessage('go');
  }

  return {
    committed() {
      if (closed || lost) return;
      if (asked) again = true;
      else ask();
    },
    stats: () => ({ ...stats }),
    async close() {
      if (closed) return;
      closed = true;
      if (worker === undefined) return;
      // Referenced again while it closes: an unref'd worker would not keep the process alive until its
      // exit, and a CLI command awaiting this would end with nothing printed.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
