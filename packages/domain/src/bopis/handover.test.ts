import { describe, expect, it } from 'vitest';
import { HUB, placed, readyAt, run, store } from './bopis.fixtures';
import { canHandOver, checkHandover } from './handover';
import type { BopisOrderState } from './lifecycle';

describe('bopis/handover', () => {
  describe('canHandOver', () => {
    it('allows a ready order at its own store', () => {
      expect(canHandOver(readyAt('s1'), 's1')).toEqual({ allowed: true });
      expect(canHandOver(readyAt('s1'))).toEqual({ allowed: true });
    });

    it('sends the customer to the right store', () => {
      expect(canHandOver(readyAt('s1'), 's2')).toEqual({
        allowed: false,
        code: 'NOT_ALLOWED',
        reason: 'Order W-1001 is waiting for pickup at store s1, not here. Send the customer there.',
      });
    });

    it('refuses once a hub cancel has reached the store, saying why and what to do', () => {
      const cancelled = run(readyAt(), [
        { actor: HUB, body: { action: 'cancel', reason: 'customer_request' } },
      ]);
      expect(canHandOver(cancelled, 's1')).toEqual({
        allowed: false,
        code: 'NOT_ALLOWED',
        reason:
          "Do not hand over order W-1001: it was cancelled at the customer's request at 2027-01-15T09:00:00.000Z. Put its items back on the shelf.",
      });
      const reasons: [BopisOrderState['cancelReason'], string][] = [
        ['hq_request', 'by head office'],
        ['unroutable', 'because no store could fulfil it'],
        ['short_unresolved', 'because the items could not be found'],
        ['oversell_short', 'because the stock had already been sold'],
        ['payment_failed', 'because the payment failed'],
        [undefined, 'by the hub'],
      ];
      for (const [cancelReason, phrase] of reasons) {
        const check = canHandOver({ ...cancelled, cancelReason }, 's1');
        expect(check.allowed === false && check.reason).toContain(phrase);
      }
    });

    it('refuses an expired order and one already handed over', () => {
      const ready = readyAt();
      const expired = run(ready, [{ actor: HUB, body: { action: 'expire' }, at: ready.expiresAt as number }]);
      const check = canHandOver(expired, 's1');
      expect(check.allowed === false && check.reason).toBe(
        'Do not hand over order W-1001: it expired at 2027-01-17T10:30:00.000Z because it was not collected by 2027-01-17T10:00:00.000Z. Put its items back on the shelf; the customer can order again.',
      );
      const done = run(ready, [
        { actor: store('s1'), body: { action: 'hand_over', verifiedBy: 'pickup_code' } },
      ]);
      expect(canHandOver(done, 's1')).toMatchObject({ allowed: false, code: 'CONFLICT' });
    });

    it('refuses an order that is not ready yet', () => {
      expect(canHandOver(placed(), 's1')).toEqual({
        allowed: false,
        code: 'NOT_ALLOWED',
        reason: 'Order W-1001 is not ready for pickup yet: it is placed and waiting to be routed.',
      });
    });
  });

  describe('checkHandover', () => {
    it('checks the order may be handed over here before checking the customer', () => {
      expect(checkHandover(readyAt(), { kind: 'pickup_code', code: '7KQ2MX' }, 's1')).toEqual({
        ok: true,
        value: { verifiedBy: 'pickup_code' },
      });
      expect(checkHandover(readyAt(), { kind: 'pickup_code', code: '7KQ2MX' }, 's2')).toMatchObject({
        ok: false,
        error: { code: 'NOT_ALLOWED', details: { orderId: 'ord-1', status: 'READY_FOR_PICKUP' } },
      });
    });
  });
});
