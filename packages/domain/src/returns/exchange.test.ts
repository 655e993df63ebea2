import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors';
import { money } from '../money';
import { netExchange } from './exchange';

const usd = (amount: number) => money(amount, 'USD');

describe('exchange', () => {
  describe('netExchange', () => {
    it('asks the customer for the difference when the new goods cost more', () => {
      expect(netExchange(usd(2_000), usd(3_500))).toEqual({
        direction: 'customer_pays',
        amountDue: usd(1_500),
        refundDue: usd(0),
        creditApplied: usd(2_000),
      });
    });

    it('refunds the difference when the new goods cost less', () => {
      expect(netExchange(usd(2_000), usd(500))).toEqual({
        direction: 'refund_due',
        amountDue: usd(0),
        refundDue: usd(1_500),
        creditApplied: usd(500),
      });
    });

    it('settles nothing for an even swap', () => {
      expect(netExchange(usd(2_000), usd(2_000)).direction).toBe('even');
    });

    it('refuses negative amounts and mixed currencies', () => {
      expect(() => netExchange(usd(-1), usd(1))).toThrow(DomainError);
      expect(() => netExchange(usd(1), money(1, 'EUR'))).toThrow(/Cannot combine/);
    });

    it('always nets so that sale − credit = due and refund − credit = refund due, one of them zero', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 10_000_000 }),
          fc.integer({ min: 0, max: 10_000_000 }),
          (refund, sale) => {
            const net = netExchange(usd(refund), usd(sale));
            expect(net.amountDue.amount).toBe(sale - net.creditApplied.amount);
            expect(net.refundDue.amount).toBe(refund - net.creditApplied.amount);
            expect(Math.min(net.amountDue.amount, net.refundDue.amount)).toBe(0);
          },
        ),
      );
    });
  });
});
