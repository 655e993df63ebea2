import { DomainError } from '@retail/domain';

export interface CatchUpAdmissionOptions {
  /** Catch-ups (snapshots and pulls far behind the head) served at once; the rest are told to come back. */
  readonly maxConcurrent: number;
  /** The shortest retryAfter handed out; it grows with how many tills were turned away recently. */
  readonly baseRetryAfterMs: number;
  /** The longest retryAfter handed out. */
  readonly maxRetryAfterMs: number;
  /** Epoch milliseconds; injected for tests. */
  readonly now?: () => number;
}

export const DEFAULT_CATCH_UP_ADMISSION: CatchUpAdmissionOptions = {
  maxConcurrent: 4,
  baseRetryAfterMs: 2_000,
  maxRetryAfterMs: 60_000,
};

/** How long a turned-away till counts towards the pressure that lengthens retryAfter. */
const PRESSURE_WINDOW_MS = 10_000;

/**
 * Limits concurrent catch-ups so a reconnect storm after an outage degrades gracefully (socket.io #2998,
 * #5413): a few tills are served at full speed while the others get `RATE_LIMITED` with a retryAfter
 * that grows with the crowd, and the hub keeps answering health checks, pushes and live pulls. The
 * agents add their own jitter to retryAfter, so the crowd spreads out instead of returning together.
 *
 * Live traffic is never limited here: a push is a store's facts and a pull near the head is one cheap
 * page. One instance per hub process; on several processes the limit applies per process.
 */
export class CatchUpAdmission {
  private inFlight = 0;
  private readonly refusals: number[] = [];
  private admittedTotal = 0;
  private refusedTotal = 0;
  private readonly now: () => number;

  constructor(private readonly options: CatchUpAdmissionOptions = DEFAULT_CATCH_UP_ADMISSION) {
    if (!Number.isInteger(options.maxConcurrent) || options.maxConcurrent < 1) {
      throw new DomainError(
        'INVALID_INPUT',
        'hub.sync.leastCatchUpMust',
        {},
        {
          maxConcurrent: options.maxConcurrent,
        },
      );
    }
    this.now = options.now ?? Date.now;
  }

  /** Runs `work` if a catch-up slot is free, else throws RATE_LIMITED with a retryAfter. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.inFlight >= this.options.maxConcurrent) throw this.refuse();
    this.inFlight += 1;
    this.admittedTotal += 1;
    try {
      // On SQLite a catch-up's queries complete synchronously, so without this yield it would finish
      // before the next request is even read and a storm would never see a slot taken (found by the
      // reconnect-storm test). Holding the slot across one turn of the event loop lets the requests that
      // arrived together meet the limit, and lets health checks in between catch-ups.
      await new Promise<void>((resolve) => setImmediate(resolve));
      return await work();
    } finally {
      this.inFlight -= 1;
    }
  }

  get stats(): { inFlight: number; admitted: number; refused: number } {
    return { inFlight: this.inFlight, admitted: this.admittedTotal, refused: this.refusedTotal };
  }

  private refuse(): DomainError {
    const now = this.now();
    while (this.refusals.length > 0 && this.refusals[0]! < now - PRESSURE_WINDOW_MS) this.refusals.shift();
    this.refusals.push(now);
    this.refusedTotal += 1;
    // Each round of maxConcurrent tills turned away recently adds a base period to the wait.
    const rounds = Math.ceil(this.refusals.length / this.options.maxConcurrent);
    const retryAfterMs = Math.min(this.options.maxRetryAfterMs, this.options.baseRetryAfterMs * rounds);
    return new DomainError(
      'RATE_LIMITED',
      'hub.sync.hubBusyBringingOther',
      {},
      { retryAfterMs, retryAfterSeconds: Math.ceil(retryAfterMs / 1000) },
    );
  }
}
