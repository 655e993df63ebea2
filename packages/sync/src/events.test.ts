import { MAX_AMOUNT, MAX_DRAWER_AMOUNT, MAX_LINE_QTY, MAX_STOCK_QTY } from '@retail/domain';
import { describe, expect, it } from 'vitest';
import { checkPayload } from './envelope';

const AT = '2026-11-23T09:00:00.000Z';

function received(qty: number) {
  return {
    receiptId: 'r-1',
    source: { type: 'supplier', reference: 'PO-1' },
    lines: [{ sku: 'APPLE-1', qty, bucket: 'sellable' }],
    movements: [{ movementId: 'm-1', sku: 'APPLE-1', type: 'RECEIPT', bucket: 'sellable', delta: qty }],
    receivedAt: AT,
  };
}

function sale(qty: number, amount: number) {
  return {
    saleId: 's-1',
    receiptNumber: 'S001-3-1',
    shiftId: 'sh-1',
    staffId: 'st-1',
    currency: 'EUR',
    priceBookVersion: 'pb@1',
    promotionIds: [],
    lines: [
      {
        lineId: 'l-1',
        sku: 'APPLE-1',
        name: 'Apple',
        qty,
        unit: 'each',
        taxCategory: 'food',
        unitPrice: 1,
        taxInclusive: true,
        priceSource: 'price_book',
        extended: amount,
        adjustments: [],
        net: amount,
        taxes: [],
        paid: amount,
      },
    ],
    totals: {
      subtotal: amount,
      discount: 0,
      tax: 0,
      total: amount,
      cashRounding: 0,
      paid: amount,
      change: 0,
    },
    tenders: [{ tenderId: 't-1', type: 'card', amount, tendered: amount, reference: 'AUTH' }],
    movements: [{ movementId: 'm-1', sku: 'APPLE-1', type: 'POS_SALE', bucket: 'sellable', delta: -qty }],
    completedAt: AT,
  };
}

describe('event payload bounds', () => {
  it('accept the largest quantities and amounts a till accepts', () => {
    expect(checkPayload('stock.received', 1, received(MAX_STOCK_QTY)).ok).toBe(true);
    expect(checkPayload('sale.completed', 1, sale(MAX_LINE_QTY, MAX_AMOUNT)).ok).toBe(true);
    expect(
      checkPayload('shift.opened', 1, {
        shiftId: 'sh-1',
        staffId: 'st-1',
        currency: 'EUR',
        float: MAX_DRAWER_AMOUNT,
        openedAt: AT,
      }).ok,
    ).toBe(true);
  });

  it('refuse one event past them, naming the field, so the hub rejects that event alone', () => {
    expect(checkPayload('stock.received', 1, received(Number.MAX_SAFE_INTEGER))).toEqual({
      ok: false,
      reason:
        'Invalid stock.received v1 payload at lines.0.qty: Too big: expected number to be <=1000000000.',
    });
    expect(checkPayload('sale.completed', 1, sale(MAX_LINE_QTY + 1, 1)).ok).toBe(false);
    expect(checkPayload('sale.completed', 1, sale(1, MAX_AMOUNT + 1)).ok).toBe(false);
    expect(
      checkPayload('shift.opened', 1, {
        shiftId: 'sh-1',
        staffId: 'st-1',
        currency: 'EUR',
        float: Number.MAX_SAFE_INTEGER,
        openedAt: AT,
      }).ok,
    ).toBe(false);
  });
});

describe('receipt.email_requested', () => {
  const request = (email: string, receiptNumber = 'S1-01-000042') => ({
    receiptNumber,
    email,
    staffId: 'st-1',
    requestedAt: AT,
  });

  it('accepts an e-mail address and a receipt number', () => {
    expect(checkPayload('receipt.email_requested', 1, request('ana@example.com'))).toMatchObject({
      ok: true,
      payload: request('ana@example.com'),
    });
  });

  it('refuses what is not an e-mail address, or no receipt, so the hub never mails it', () => {
    expect(checkPayload('receipt.email_requested', 1, request('ana@'))).toEqual({
      ok: false,
      reason: 'Invalid receipt.email_requested v1 payload at email: not an e-mail address.',
    });
    expect(checkPayload('receipt.email_requested', 1, request('a@example.com\r\nBcc: x@y.z')).ok).toBe(false);
    expect(checkPayload('receipt.email_requested', 1, request('ana@example.com', ' ')).ok).toBe(false);
  });
});
