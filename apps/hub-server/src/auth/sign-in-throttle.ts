import { DomainError } from '@retail/domain';

export interface SignInThrottleOptions {
  /** Wrong passwords for one account from one address before any delay. */
  readonly freeFailures: number;
  /** The wait after the first failure past the free ones; it doubles with each further failure. */
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
  /** A pair with no failure for this long starts afresh. */
  readonly forgetAfterMs: number;
  /** Failures for one account, from any address, within `alertWindowMs` that make HQ look. */
  readonly alertAfterFailures: number;
  readonly alertWindowMs: number;
}

export const DEFAULT_SIGN_IN_THROTTLE: SignInThrottleOptions = {
  freeFailures: 5,
  firstDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000,
  alertAfterFailures: 20,
  alertWindowMs: 60 * 60_000,
};

/** What a failure added up to for the account, so the caller can tell HQ. */
export interface SignInFailure {
  /** Failures for this account from every address within the alert window. */
  readonly accountFailures: number;
  /** Distinct addresses among them (at most 20 kept). */
  readonly addresses: readonly string[];
  /** True on the failure that reaches the alert threshold, and on each further multiple of it. */
  readonly alert: boolean;
}

interface PairState {
  failures: number;
  lastFailureAt: number;
}

interface AccountState {
  windowStart: number;
  failures: number;
  addresses: Set<string>;
}

const MAX_ENTRIES = 10_000;
const MAX_ADDRESSES = 20;

/**
 * Guessing passwords is slowed per (account, address) pair with a delay that doubles with each wrong
 * password, so an attacker elsewhere cannot lock the real user out: their failures only slow their own
 * pair. Failures across all addresses are counted per account so HQ hears of a sustained attack.
 * In memory, per hub process (see docs/security.md).
 */
export class SignInThrottle {
  private readonly pairs = new Map<string, PairState>();
  private readonly accounts = new Map<string, AccountState>();

  constructor(
    private readonly options: SignInThrottleOptions,
    private readonly now: () => number,
  ) {}

  /** Throws RATE_LIMITED with the seconds to wait while this pair is in its delay. */
  check(account: string, address: string): void {
    const pair = this.livePair(account, address, this.now());
    if (pair === undefined) return;
    const waitMs = pair.lastFailureAt + this.delayAfter(pair.failures) - this.now();
    if (waitMs > 0) {
      const retryAfterSeconds = Math.ceil(waitMs / 1000);
      throw new DomainError(
        'RATE_LIMITED',
        'hub.auth.tooManyWrongPasswords',
        { retryAfterSeconds },
        { retryAfterSeconds },
      );
    }
  }

  recordFailure(account: string, address: string): SignInFailure {
    const now = this.now();
    const pairKey = keyOf(account, address);
    const pair = this.livePair(account, address, now) ?? { failures: 0, lastFailureAt: now };
    pair.failures += 1;
    pair.lastFailureAt = now;
    this.pairs.delete(pairKey);
    this.pairs.set(pairKey, pair);

    let state = this.accounts.get(account);
    if (state === undefined || now - state.windowStart >= this.options.alertWindowMs) {
      state = { windowStart: now, failures: 0, addresses: new Set() };
    }
    state.failures += 1;
    if (state.addresses.size < MAX_ADDRESSES) state.addresses.add(address);
    this.accounts.delete(account);
    this.accounts.set(account, state);
    this.bound();
    return {
      accountFailures: state.failures,
      addresses: [...state.addresses],
      alert: state.failures % this.options.alertAfterFailures === 0,
    };
  }

  /** The right password from this address clears this pair only. */
  recordSuccess(account: string, address: string): void {
    this.pairs.delete(keyOf(account, address));
  }

  private delayAfter(failures: number): number {
    const past = failures - this.options.freeFailures;
    if (past <= 0) return 0;
    return Math.min(this.options.maxDelayMs, this.options.firstDelayMs * 2 ** Math.min(past - 1, 40));
  }

  private livePair(account: string, address: string, now: number): PairState | undefined {
    const pair = this.pairs.get(keyOf(account, address));
    if (pair === undefined) return undefined;
    if (now - pair.lastFailureAt >= this.options.forgetAfterMs) {
      this.pairs.delete(keyOf(account, address));
      return undefined;
    }
    return pair;
  }

  /** Maps are kept in insertion order of last failure, so the oldest go first. */
  private bound(): void {
    for (const map of [this.pairs, this.accounts] as Map<string, unknown>[]) {
      while (map.size > MAX_ENTRIES) map.delete(map.keys().next().value as string);
    }
  }
}

function keyOf(account: string, address: string): string {
  return `${account}\u0000${address}`;
}
