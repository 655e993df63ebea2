import { invalid } from '../errors';
import type { PickupDeadlinePolicy } from './order';
import type { BopisStatus } from './status';

const MS_PER_HOUR = 3_600_000;
const MS_PER_MINUTE = 60_000;

export interface PickupDeadline {
  /** What the customer is told: collect before this instant. */
  readonly pickupDeadline: number;
  /** When the hub expires the order: the deadline plus the grace period. */
  readonly expiresAt: number;
}

/** The deadline runs from the moment the order is ready, not from placement: the store's pace is not the customer's fault. */
export function pickupDeadlineFor(policy: PickupDeadlinePolicy, readyAt: number): PickupDeadline {
  if (!Number.isSafeInteger(readyAt) || readyAt < 0) {
    throw invalid('bopis.readyTimeMustEpoch', {}, { readyAt });
  }
  const pickupDeadline = readyAt + policy.holdHours * MS_PER_HOUR;
  return { pickupDeadline, expiresAt: pickupDeadline + policy.graceMinutes * MS_PER_MINUTE };
}

export interface ExpiryCandidate {
  readonly status: BopisStatus;
  readonly expiresAt?: number | undefined;
  readonly order: { readonly orderId: string };
}

/**
 * Ready orders the hub timer should expire at `at` (expiry instant included), oldest deadline first,
 * then by order id so two hub instances sweep in the same order.
 */
export function dueForExpiry<T extends ExpiryCandidate>(orders: Iterable<T>, at: number): T[] {
  const due: T[] = [];
  for (const order of orders) {
    if (order.status === 'READY_FOR_PICKUP' && order.expiresAt !== undefined && order.expiresAt <= at) {
      due.push(order);
    }
  }
  return due.sort(
    (a, b) =>
      (a.expiresAt as number) - (b.expiresAt as number) ||
      (a.order.orderId < b.order.orderId ? -1 : a.order.orderId > b.order.orderId ? 1 : 0),
  );
}

/** When the hub timer next has work, so it can sleep until then instead of polling. */
export function nextExpiryAt(orders: Iterable<ExpiryCandidate>): number | undefined {
  let next: number | undefined;
  for (const order of orders) {
    if (order.status !== 'READY_FOR_PICKUP' || order.expiresAt === undefined) continue;
    if (next === undefined || order.expiresAt < next) next = order.expiresAt;
  }
  return next;
}
