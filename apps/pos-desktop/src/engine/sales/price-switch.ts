import type { Db } from '../database';

/**
 * The longest the timer sleeps before it looks at the clock again. setTimeout counts real elapsed time, so
 * a wall clock stepped forward (a till that was a day slow being corrected) would otherwise pass a
 * boundary while the timer still waits for the original delay.
 */
export const MAX_PRICE_SWITCH_SLEEP_MS = 60_000;
/** After waking before the boundary: never spin on a clock that is not moving forward. */
const EARLY_WAKE_SLEEP_MS = 1_000;

/**
 * The next moment after `at` a price book or promotion in the replica starts or ends, or undefined.
 * Every boundary counts, whether or not the book applies to this store: a spurious wake-up re-prices the
 * open sale to the same result, a missed one leaves an old price on the screen.
 */
export function nextPricingChangeAt(db: Db, at: number): number | undefined {
  const row = db
    .prepare(
      `SELECT MIN(t) AS next FROM (
         SELECT starts_at_ms AS t FROM price_books WHERE starts_at_ms > @at
         UNION ALL SELECT ends_at_ms FROM price_books WHERE ends_at_ms > @at
         UNION ALL SELECT starts_at_ms FROM promotions WHERE starts_at_ms > @at
         UNION ALL SELECT ends_at_ms FROM promotions WHERE ends_at_ms > @at
       )`,
    )
    .get({ at }) as { next: number | null };
  return row.next ?? undefined;
}

export interface PriceSwitchTimerOptions {
  readonly next: (at: number) => number | undefined;
  readonly now: () => number;
  /** Called at each boundary with its time, once the clock has reached it. */
  readonly fire: (at: number) => void;
}

/**
 * Wakes the node when prices or promotions switch on or off, so screens showing an open sale re-price it
 * at that moment, with or without the hub. The engine re-arms it whenever the feed changes the schedule.
 */
export class PriceSwitchTimer {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: PriceSwitchTimerOptions) {}

  arm(): void {
    this.armAfter(0);
  }

  private armAfter(minimumSleepMs: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stopped) return;
    const now = this.options.now();
    const next = this.options.next(now);
    if (next === undefined) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        // Timers can fire a little early against the engine's clock, and a clock set back makes the
        // boundary further away again: only a boundary that has passed counts.
        if (this.options.now() >= next) {
          this.options.fire(next);
          this.armAfter(0);
        } else {
          this.armAfter(EARLY_WAKE_SLEEP_MS);
        }
      },
      Math.max(minimumSleepMs, Math.min(Math.max(0, next - now), MAX_PRICE_SWITCH_SLEEP_MS)),
    );
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
