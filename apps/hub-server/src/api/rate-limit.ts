import { DomainError } from '@retail/domain';

export interface RateLimit {
  /** Sustained requests per second. */
  readonly perSecond: number;
  /** How many may arrive at once. */
  readonly burst: number;
}

/**
 * Token buckets per key (principal or address), in memory: each hub process limits its own share.
 * Buckets idle long enough to be full again are dropped so the map cannot grow without bound.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number,
  ) {}

  /** Takes one token or throws RATE_LIMITED with the seconds to wait. */
  take(key: string): void {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.limit.burst, at: now };
    const refilled = Math.min(
      this.limit.burst,
      bucket.tokens + ((now - bucket.at) / 1000) * this.limit.perSecond,
    );
    if (refilled < 1) {
      const retryAfterSeconds = Math.max(1, Math.ceil((1 - refilled) / this.limit.perSecond));
      this.buckets.set(key, { tokens: refilled, at: now });
      throw new DomainError(
        'RATE_LIMITED',
        'hub.api.tooManyRequestsTry',
        { retryAfterSeconds },
        {
          retryAfterSeconds,
        },
      );
    }
    this.buckets.set(key, { tokens: refilled - 1, at: now });
    if (this.buckets.size > 10_000) this.sweep(now);
  }

  private sweep(now: number): void {
    const fullAfterMs = (this.limit.burst / this.limit.perSecond) * 1000;
    for (const [key, bucket] of this.buckets) if (now - bucket.at > fullAfterMs) this.buckets.delete(key);
  }
}
