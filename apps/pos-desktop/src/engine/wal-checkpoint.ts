import type { Db } from './database';

/**
 * Moves the write-ahead log's checkpoints off the command path.
 *
 * SQLite's own rule checkpoints inside the commit that takes the log past `wal_autocheckpoint` pages
 * (1,000 by default): on a till that is about every 13th sale, and the scan or completion it lands on
 * waits for some 4 MiB to be copied into the database file and for its fsync. Here the command
 * connection checkpoints once a stretch of `idleMs` passed without a commit (between customers, between
 * two scans; no clock is read, so a clock set back or a test's fake timers cannot hold it off), and SQLite's automatic checkpoint stays on as the bound, at
 * `boundPages`, for a till that is never idle (or a feed applying page after page).
 *
 * Durability does not depend on checkpoints: a commit is durable once its log frames are (FULL
 * fsyncs them), and a checkpoint only copies durable frames into the database file.
 *
 * SQLite reuses its log file from the start after a checkpoint rather than shrinking it, so a till that
 * once went `boundPages` without an idle stretch would keep a 40 MiB log on disk for good; the connection's
 * `journal_size_limit` (`keepBytes`) has SQLite cut the file back to that size when the log restarts.
 */
export interface WalCheckpointOptions {
  /** How long a stretch without a commit must last before the log is checkpointed (default 500 ms). */
  readonly idleMs?: number;
  /** The log size, in pages, at which SQLite checkpoints in a commit anyway (default 10,000: 40 MiB). */
  readonly boundPages?: number;
  /** The size the log file is cut back to when it restarts after a checkpoint (default 4 MiB). */
  readonly keepBytes?: number;
  readonly setTimer?: (run: () => void, ms: number) => object;
  readonly clearTimer?: (timer: object) => void;
  /** Told when an idle checkpoint fails (it is tried again after the next commit). */
  readonly onError?: (error: unknown) => void;
}

export const DEFAULT_CHECKPOINT_IDLE_MS = 500;
export const DEFAULT_CHECKPOINT_BOUND_PAGES = 10_000;
/** About SQLite's own default log (1,000 pages of 4 KiB with their frame headers). */
export const DEFAULT_LOG_KEEP_BYTES = 4 * 1024 * 1024;

export interface WalCheckpointer {
  /** Call after each commit that wrote to the log. */
  committed(): void;
  /** Checkpoints done when idle so far (for tests and benchmarks). */
  readonly idleCheckpoints: number;
  stop(): void;
}

export function walCheckpointer(db: Db, options: WalCheckpointOptions = {}): WalCheckpointer {
  const idleMs = options.idleMs ?? DEFAULT_CHECKPOINT_IDLE_MS;
  const setTimer = options.setTimer ?? ((run: () => void, ms: number): object => setTimeout(run, ms));
  const clearTimer =
    options.clearTimer ?? ((timer: object) => clearTimeout(timer as ReturnType<typeof setTimeout>));
  db.pragma(`wal_autocheckpoint = ${options.boundPages ?? DEFAULT_CHECKPOINT_BOUND_PAGES}`);
  db.pragma(`journal_size_limit = ${options.keepBytes ?? DEFAULT_LOG_KEEP_BYTES}`);
  let timer: object | undefined;
  let commitsSinceArmed = 0;
  let pending = false;
  let stopped = false;
  let idleCheckpoints = 0;

  const arm = (ms: number) => {
    commitsSinceArmed = 0;
    timer = setTimer(fire, ms);
    // An idle till's process may exit without waiting for its checkpoint: closing checkpoints anyway.
    (timer as { unref?: () => unknown }).unref?.();
  };
  function fire(): void {
    timer = undefined;
    if (stopped || !pending) return;
    // A commit since the timer was set: wait for a stretch without one (one timer, never reset).
    if (commitsSinceArmed > 0) {
      arm(idleMs);
      return;
    }
    if (!db.open) return;
    // Never inside a transaction a caller holds open (a command is synchronous; a feed apply is too).
    if (db.inTransaction) {
      arm(idleMs);
      return;
    }
    pending = false;
    try {
      // PASSIVE: copies what no reader still needs, never waits for a lock, never blocks a writer.
      db.pragma('wal_checkpoint(PASSIVE)');
      idleCheckpoints += 1;
    } catch (error) {
      pending = true;
      options.onError?.(error);
    }
  }

  return {
    committed() {
      if (stopped) return;
      pending = true;
      if (timer === undefined) arm(idleMs);
      else commitsSinceArmed += 1;
    },
    get idleCheckpoints() {
      return idleCheckpoints;
    },
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimer(timer);
      timer = undefined;
    },
  };
}
