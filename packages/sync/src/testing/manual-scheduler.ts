import type { SyncScheduler, TimerHandle } from '../client/scheduler';

interface PendingTimer {
  readonly id: number;
  readonly at: number;
  readonly callback: () => void;
  cancelled: boolean;
}

/** Lets every promise chain that is ready run to its end (in-memory stores and transports only). */
export async function flushMicrotasks(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Virtual time for deterministic tests: timers fire only when the test advances the clock, in time
 * order (ties in creation order), with every ready promise chain settled in between. `skewed(ms)` gives
 * a device its own wall clock on the same timeline, to test clock skew between devices.
 */
export class ManualScheduler implements SyncScheduler {
  private time: number;
  private nextId = 1;
  private timers: PendingTimer[] = [];

  constructor(startMs = Date.UTC(2026, 10, 23, 9, 0, 0)) {
    this.time = startMs;
  }

  now(): number {
    return this.time;
  }

  setTimer(callback: () => void, delayMs: number): TimerHandle {
    const timer: PendingTimer = {
      id: this.nextId++,
      at: this.time + Math.max(0, Math.floor(delayMs)),
      callback,
      cancelled: false,
    };
    this.timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** A view with its wall clock `skewMs` away from this one, sharing the same timers. */
  skewed(skewMs: number): SyncScheduler {
    return {
      now: () => this.now() + skewMs,
      setTimer: (callback, delayMs) => this.setTimer(callback, delayMs),
    };
  }

  pendingTimers(): number {
    return this.timers.filter((timer) => !timer.cancelled).length;
  }

  private takeNextDue(until: number): PendingTimer | undefined {
    this.timers = this.timers.filter((timer) => !timer.cancelled);
    let next: PendingTimer | undefined;
    for (const timer of this.timers) {
      if (timer.at > until) continue;
      if (next === undefined || timer.at < next.at || (timer.at === next.at && timer.id < next.id))
        next = timer;
    }
    if (next !== undefined) this.timers = this.timers.filter((timer) => timer !== next);
    return next;
  }

  /** Moves time forward by `ms`, firing each timer due on the way at its own time. */
  async advance(ms: number, maxTimers = 100_000): Promise<void> {
    const target = this.time + Math.max(0, ms);
    await flushMicrotasks();
    for (let fired = 0; fired < maxTimers; fired += 1) {
      const next = this.takeNextDue(target);
      if (next === undefined) break;
      this.time = Math.max(this.time, next.at);
      next.callback();
      await flushMicrotasks();
    }
    this.time = Math.max(this.time, target);
    await flushMicrotasks();
  }

  /**
   * Advances in `stepMs` steps until `done()` holds or `maxMs` of virtual time passed; returns whether
   * it held. Bounded, so a test that never converges fails instead of hanging.
   */
  async runUntil(done: () => boolean, options: { stepMs?: number; maxMs?: number } = {}): Promise<boolean> {
    const step = options.stepMs ?? 1_000;
    const end = this.time + (options.maxMs ?? 6 * 60 * 60_000);
    await flushMicrotasks();
    while (!done()) {
      if (this.time >= end) return false;
      await this.advance(Math.min(step, end - this.time));
    }
    return true;
  }
}
