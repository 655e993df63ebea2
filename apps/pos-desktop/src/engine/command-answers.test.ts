import { DomainError } from '@retail/domain';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SaleViewSchema, type SaleView } from '../shared/commands';
import { checkedAnswer, firstDifference } from './command-answers';

describe('command-answers', () => {
  it('names the first place two answers differ', () => {
    expect(firstDifference({ a: 1, b: [1, { c: 'x' }] }, { a: 1, b: [1, { c: 'x' }] })).toBeUndefined();
    expect(firstDifference({ a: 1, b: [1, { c: 'x' }] }, { a: 1, b: [1, { c: 'y' }] })).toBe('b.1.c');
    expect(firstDifference({ a: 1 }, { a: 1, extra: true })).toBe('extra');
    expect(firstDifference({ a: undefined }, {})).toBe('a');
    expect(firstDifference([1], { 0: 1 })).toBe('');
  });

  it('parses an ordinary answer and returns what parsing gave', () => {
    const schema = z.object({ id: z.string().trim() });
    expect(checkedAnswer('x', schema, { id: ' a ', extra: 1 })).toEqual({ id: 'a' });
    expect(() => checkedAnswer('x', schema, { id: 1 })).toThrow(DomainError);
  });

  it('under test, refuses a sale view that parsing would change, naming where', () => {
    const view: SaleView = {
      saleId: 'sale-1',
      status: 'open',
      registerId: 'main',
      shiftId: null,
      staffId: 'staff-1',
      customerId: null,
      currency: 'EUR',
      receiptNumber: null,
      lines: [],
      orderDiscount: null,
      totals: { subtotal: 0, discount: 0, tax: 0, total: 0, cashDue: 0 },
      tenders: [],
      payment: { remaining: 0, cashDue: 0, change: 0, cashRounding: 0, complete: false },
      promotions: [],
      taxSummary: [],
      priceBookVersion: '1',
      exchange: null,
      startedAt: '2026-12-07T06:00:00.000Z',
      completedAt: null,
    };
    // Exact: the very object leaves, unparsed.
    expect(checkedAnswer('sale-get', SaleViewSchema, view)).toBe(view);
    // Tests run with VITEST set, so exact answers are still parsed and compared: a stray key, or an id the
    // schema would trim, is a broken contract, reported with where it is.
    for (const [changed, path] of [
      [{ ...view, internal: true }, 'internal'],
      [{ ...view, payment: { ...view.payment, note: 'x' } }, 'payment.note'],
      [{ ...view, saleId: ' sale-1 ' }, 'saleId'],
    ] as const) {
      let error: unknown;
      try {
        checkedAnswer('sale-get', SaleViewSchema, changed);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({
        code: 'INTERNAL',
        key: 'engine.answerBrokeCommandContract',
        details: { path },
      });
    }
  });
});
