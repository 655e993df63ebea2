/**
 * Time as the sync client sees it. Injected so tests run on virtual time with seeded randomness and
 * never wait for a real timer; production uses `systemScheduler`.
 */
export interface TimerHandle {
  cancel(): void;
}

export interface SyncScheduler {
  /** The device's wall clock, milliseconds since the Unix epoch. Used for status times only, never for order. */
  now(): number;
  /** Runs `callback` once after `delayMs`. */
  setTimer(callback: () => void, delayMs: number): TimerHandle;
}

export const systemScheduler: SyncScheduler = {
  now: () => Date.now(),
  setTimer(callback, delayMs) {
    const timer = setTimeout(callback, Math.max(0, delayMs));
    // A pending retry must never keep a process alive on its own (clean shutdown of CLI and tests).
    timer.unref?.();
    return { cancel: () => clearTimeout(timer) };
  },
};

/** A source of uniform numbers in [0, 1), injected so jitter is reproducible in tests. */
export type RandomSource = () => number;

export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}
