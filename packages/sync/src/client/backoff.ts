import { invalid } from '@retail/domain';
import type { RandomSource } from './scheduler';

export interface BackoffOptions {
  /** The ceiling of the first retry's delay. */
  readonly baseMs: number;
  /** No delay ceiling grows beyond this. */
  readonly capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1_000, capMs: 5 * 60_000 };

/** The largest exponent that cannot overflow; any cap in minutes is reached long before it. */
const MAX_EXPONENT = 40;

/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): the
 * delay is uniform in [0, min(cap, base·2^attempt)). Full jitter spreads a fleet of stores that lost the
 * hub at the same instant across the whole window, so their reconnects do not arrive as one storm
 * (socket.io #2998, mattermost PR #10960). A `retryAfterMs` from the hub (429/503) is a floor: the
 * jittered delay is added on top of it so the stores it turned away do not all return at its deadline.
 */
export function backoffDelay(
  attempt: number,
  random: RandomSource,
  options: BackoffOptions = DEFAULT_BACKOFF,
  retryAfterMs?: number,
): number {
  if (!Number.isInteger(attempt) || attempt < 0) {
    throw invalid('sync.retryAttemptMustWhole', {}, { attempt });
  }
  if (!(options.baseMs > 0) || !(options.capMs >= options.baseMs)) {
    throw invalid('sync.backoffNeedsPositiveBase', {}, { ...options });
  }
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.min(attempt, MAX_EXPONENT));
  const sample = random();
  const unit = Number.isFinite(sample) ? Math.min(Math.max(sample, 0), 1 - Number.EPSILON) : 0;
  const jitter = Math.floor(unit * ceiling);
  const floor = retryAfterMs !== undefined && retryAfterMs > 0 ? Math.ceil(retryAfterMs) : 0;
  return floor + (floor > 0 ? Math.floor(jitter / 4) : jitter);
}

/** A counter of consecutive failures that turns into delays; `succeeded()` starts over. */
export interface Backoff {
  /** The delay before the next retry, counting this failure. */
  next(retryAfterMs?: number): number;
  succeeded(): void;
  readonly attempts: number;
}

export function createBackoff(random: RandomSource, options: BackoffOptions = DEFAULT_BACKOFF): Backoff {
  let attempts = 0;
  return {
    next(retryAfterMs) {
      const delay = backoffDelay(attempts, random, options, retryAfterMs);
      attempts += 1;
      return delay;
    },
    succeeded() {
      attempts = 0;
    },
    get attempts() {
      return attempts;
    },
  };
}
