import { DomainError, assertNever } from '../errors';
import { describeAge } from './schema-parts';

/**
 * The offline redemption rule shared by points and stored value (reference/domain.md §4.2): with no hub to
 * ask, a till lets a customer spend at most the smallest of
 *   - the balance in the last synced snapshot less what this device already let them spend since then,
 *   - a per-transaction cap,
 *   - what is left of the device's cap over the last 24 hours (all customers together),
 * and nothing at all when the snapshot is older than the maximum age. The hub applies whatever was spent
 * regardless; these caps bound what an overdraft can cost.
 */

export const OFFLINE_LIMIT_KINDS = ['snapshot_age', 'balance', 'device_day_cap', 'transaction_cap'] as const;
export type OfflineLimitKind = (typeof OFFLINE_LIMIT_KINDS)[number];

type CapKind = Exclude<OfflineLimitKind, 'snapshot_age'>;

export const DEVICE_CAP_WINDOW_MS = 86_400_000;

/** Arithmetic on the quantity being limited: points (numbers) or Money. */
export interface QuantityOps<Q> {
  readonly zero: Q;
  add(a: Q, b: Q): Q;
  subtract(a: Q, b: Q): Q;
  compare(a: Q, b: Q): number;
  /** "1,200 points", "€12.00". */
  format(value: Q): string;
  /** "Points balance", "Gift card balance". */
  readonly balanceLabel: string;
}

export interface OfflineUse<Q> {
  readonly accountId: string;
  readonly amount: Q;
  readonly occurredAt: number;
}

export interface OfflineAllowanceInput<Q> {
  readonly accountId: string;
  readonly snapshotAvailable: Q;
  readonly snapshotTakenAt: number;
  readonly deviceUses: readonly OfflineUse<Q>[];
  readonly maxSnapshotAgeMs: number;
  readonly perTransactionCap: Q;
  readonly perDeviceDayCap: Q;
  readonly at: number;
}

export interface OfflineAllowance<Q> {
  /** The most this sale may spend offline; zero when any limit is exhausted. */
  readonly allowed: Q;
  /** The limit that decided `allowed`. */
  readonly limitedBy: OfflineLimitKind;
  /** A sentence for the till explaining `allowed`. */
  readonly reason: string;
  readonly snapshotAgeMs: number;
  /** Snapshot balance less this device's uses for the account since the snapshot (may be negative). */
  readonly balanceLeft: Q;
  /** Device cap less its uses over the last 24 hours. */
  readonly deviceDayLeft: Q;
}

function maxOf<Q>(ops: QuantityOps<Q>, a: Q, b: Q): Q {
  return ops.compare(a, b) >= 0 ? a : b;
}

export function offlineAllowance<Q>(
  ops: QuantityOps<Q>,
  input: OfflineAllowanceInput<Q>,
): OfflineAllowance<Q> {
  // A snapshot stamped after `at` means the till's clock is behind the hub's: treat it as fresh rather than
  // refuse every customer while the clocks disagree.
  const snapshotAgeMs = Math.max(0, input.at - input.snapshotTakenAt);
  const age = describeAge(snapshotAgeMs);
  let sinceSnapshot = ops.zero;
  let deviceDay = ops.zero;
  for (const use of input.deviceUses) {
    if (use.accountId === input.accountId && use.occurredAt >= input.snapshotTakenAt) {
      sinceSnapshot = ops.add(sinceSnapshot, use.amount);
    }
    if (use.occurredAt > input.at - DEVICE_CAP_WINDOW_MS && use.occurredAt <= input.at) {
      deviceDay = ops.add(deviceDay, use.amount);
    }
  }
  const balanceLeft = ops.subtract(input.snapshotAvailable, sinceSnapshot);
  const deviceDayLeft = ops.subtract(input.perDeviceDayCap, deviceDay);
  const base = { snapshotAgeMs, balanceLeft, deviceDayLeft };

  if (snapshotAgeMs > input.maxSnapshotAgeMs) {
    return {
      ...base,
      allowed: ops.zero,
      limitedBy: 'snapshot_age',
      reason: `${ops.balanceLabel} last checked ${age}; ask for another tender.`,
    };
  }

  const candidates: { kind: CapKind; room: Q }[] = [
    { kind: 'balance', room: maxOf(ops, ops.zero, balanceLeft) },
    { kind: 'device_day_cap', room: maxOf(ops, ops.zero, deviceDayLeft) },
    { kind: 'transaction_cap', room: maxOf(ops, ops.zero, input.perTransactionCap) },
  ];
  let binding = candidates[0] ?? { kind: 'balance' as const, room: ops.zero };
  for (const candidate of candidates) if (ops.compare(candidate.room, binding.room) < 0) binding = candidate;
  const allowed = binding.room;
  const none = ops.compare(allowed, ops.zero) <= 0;
  const usedSince =
    ops.compare(sinceSnapshot, ops.zero) > 0
      ? `, less ${ops.format(sinceSnapshot)} already used on this till since`
      : '';
  let reason: string;
  switch (binding.kind) {
    case 'balance':
      reason = none
        ? `Nothing is left to use offline: the ${ops.balanceLabel.toLowerCase()} last checked ${age} was ${ops.format(input.snapshotAvailable)}${usedSince}; ask for another tender.`
        : `Up to ${ops.format(allowed)} can be used offline: the ${ops.balanceLabel.toLowerCase()} last checked ${age}${usedSince}.`;
      break;
    case 'device_day_cap':
      reason = none
        ? `This till has reached its offline limit of ${ops.format(input.perDeviceDayCap)} for the last 24 hours; ask for another tender.`
        : `This till can take ${ops.format(allowed)} more offline in the last 24 hours (limit ${ops.format(input.perDeviceDayCap)}).`;
      break;
    case 'transaction_cap':
      reason = none
        ? 'Offline use is switched off for this tender; ask for another tender.'
        : `Up to ${ops.format(allowed)} can be used offline in one sale.`;
      break;
    default:
      return assertNever(binding.kind, 'offline limit');
  }
  return { ...base, allowed, limitedBy: binding.kind, reason };
}

/** Refuses with OFFLINE_LIMIT and the till's sentence when `requested` is more than the allowance. */
export function assertWithinAllowance<Q>(
  ops: QuantityOps<Q>,
  requested: Q,
  allowance: OfflineAllowance<Q>,
): void {
  if (ops.compare(requested, allowance.allowed) <= 0) return;
  const none = ops.compare(allowance.allowed, ops.zero) <= 0;
  const params = {
    allowed: ops.format(allowance.allowed),
    requested: ops.format(requested),
    reason: allowance.reason,
  };
  throw new DomainError('OFFLINE_LIMIT', none ? 'loyalty.offlineNothing' : 'loyalty.offlineOnly', params, {
    limitedBy: allowance.limitedBy,
    requested: ops.format(requested),
    allowed: ops.format(allowance.allowed),
  });
}
