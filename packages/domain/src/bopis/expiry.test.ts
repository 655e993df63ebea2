import { describe, expect, it } from 'vitest';
import { errorOf } from '../test-support';
import { HOUR, placed, readyAt } from './bopis.fixtures';
import { dueForExpiry, nextExpiryAt, pickupDeadlineFor } from './expiry';
import type { BopisOrderState } from './lifecycle';

function withOrderId(state: BopisOrderState, orderId: string, expiresAt: number): BopisOrderState {
  return { ...state, order: { ...state.order, orderId }, expiresAt };
}

describe('bopis/expiry', () => {
  describe('pickupDeadlineFor', () => {
    it('counts the hold from the ready time and adds the grace before expiry', () => {
      expect(pickupDeadlineFor({ holdHours: 24, graceMinutes: 15 }, 1000)).toEqual({
        pickupDeadline: 1000 + 24 * HOUR,
        expiresAt: 1000 + 24 * HOUR + 15 * 60_000,
      });
    });

    it('refuses a ready time that is not epoch milliseconds', () => {
      expect(errorOf(() => pickupDeadlineFor({ holdHours: 1, graceMinutes: 0 }, -5)).code).toBe(
        'INVALID_INPUT',
      );
    });
  });

  describe('dueForExpiry', () => {
    const ready = readyAt();
    const a = withOrderId(ready, 'a', 500);
    const b = withOrderId(ready, 'b', 300);
    const c = withOrderId(ready, 'c', 300);
    const later = withOrderId(ready, 'd', 900);
    const notReady = { ...placed(), expiresAt: 100 };

    it('returns ready orders due at the instant (inclusive), oldest deadline first, then by order id', () => {
      expect(dueForExpiry([a, later, c, b, notReady], 500).map((state) => state.order.orderId)).toEqual([
        'b',
        'c',
        'a',
      ]);
      expect(dueForExpiry([a], 499)).toEqual([]);
    });

    it('says when the timer next has work', () => {
      expect(nextExpiryAt([a, later, notReady, b])).toBe(300);
      expect(nextExpiryAt([notReady, placed()])).toBeUndefined();
    });
  });
});
