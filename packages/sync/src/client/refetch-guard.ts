import { invalid } from '@retail/domain';

export interface RefetchGuardOptions {
  /** Re-snapshots allowed inside one window. */
  readonly maxRefetches: number;
  readonly windowMs: number;
}

export const DEFAULT_REFETCH_GUARD: RefetchGuardOptions = { maxRefetches: 3, windowMs: 60 * 60_000 };

export type RefetchDecision =
  { readonly allowed: true } | { readonly allowed: false; readonly retryAt: number };

/**
 * Caps re-snapshots per sliding window. A hub that keeps answering `mustRefetch` (a rotated epoch that
 * never settles, a bug, a proxy caching the 409) would otherwise have every store download its whole
 * catalogue in a loop: Electric #3961 logged 8,764 refetches in 9 hours, #3116 and #1552 looped the same
 * way. Past the cap the agent stops and shows an error instead, and tries again when the window allows.
 * The history lives in memory: a restart is a human decision and may try again.
 */
export interface RefetchGuard {
  /** Records a refetch if the window allows it; otherwise says when it would. */
  tryAcquire(nowMs: number): RefetchDecision;
  /** Refetches counted in the window ending at `nowMs`. */
  recent(nowMs: number): number;
}

export function createRefetchGuard(options: RefetchGuardOptions = DEFAULT_REFETCH_GUARD): RefetchGuard {
  if (!Number.isInteger(options.maxRefetches) || options.maxRefetches < 1 || !(options.windowMs > 0)) {
    throw invalid('sync.refetchGuardNeedsLeast', {}, { ...options });
  }
  const history: number[] = [];
  const forget = (nowMs: number) => {
    // A wall clock stepped back would otherwise keep old entries "in the future" for as long as the step.
    for (let i = 0; i < history.length; i += 1) history[i] = Math.min(history[i]!, nowMs);
    while (history.length > 0 && history[0]! <= nowMs - options.windowMs) history.shift();
  };
  return {
    tryAcquire(nowMs) {
      forget(nowMs);
      if (history.length >= options.maxRefetches) {
        return { allowed: false, retryAt: history[0]! + options.windowMs };
      }
      history.push(nowMs);
      return { allowed: true };
    },
    recent(nowMs) {
      forget(nowMs);
      return history.length;
    },
  };
}
